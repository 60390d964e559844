// SpikingEngine — placeholder until the module lands.
