// Recorders — observers of a simulation (spike rasters, population counts, per-unit activity, BOLD),
// kept out of the engine's module as recording devices are kept apart from the update in NEST. Each
// is one `SimulationObserver`; attach only what a run needs, since an unobserved run records nothing.
