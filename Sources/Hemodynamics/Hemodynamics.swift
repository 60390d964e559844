// Hemodynamics — placeholder until the module lands.
