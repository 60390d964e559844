// HDF5Kit — placeholder until the module lands.
