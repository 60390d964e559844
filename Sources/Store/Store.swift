// Store — placeholder until the module lands.
