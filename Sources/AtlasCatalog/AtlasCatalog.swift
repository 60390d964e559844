// AtlasCatalog — placeholder until the module lands.
