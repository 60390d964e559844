// Ingest — placeholder until the module lands.
