// NIfTI — placeholder until the module lands.
