// SpikingEngine — the spiking network simulator of a twin (pure compute; no database).
//
// Construction, update and delivery are separate, as in NEST:
//   NetworkBuilder (Connectivity.swift)  populations, synapse groups, fixed in-degree rules or
//                                        explicit lists → Network (Network.swift): neurons padded
//                                        to 8-neuron blocks, partitions, one compressed synapse
//                                        table per partition (7 bytes per synapse + row index).
//   Simulation (Simulation.swift)        state and the window loop: each partition delivers the
//                                        last window's spikes into its neurons' gating variables
//                                        (Delivery.swift), then updates `minDelay` steps
//                                        (Kernel.swift); spikes go through a SpikeExchange.
//
// Integration scheme, per step dt: arriving weights are added to the gating variables J_u;
// V takes one forward-Euler step of C dV/dt = −g_L(V − V_L) + Σ g_u J_u (E_u − V) + I_bg + I_ext
// (DTB's and Brian2's scheme; held at V_reset while refractory); threshold and reset; then
// J_u ← J_u·exp(−dt/τ_u) and the OU current I ← I + (1 − e^{−dt/τ})(μ − I) + σ√(1 − e^{−2dt/τ})ξ,
// both exact. Poisson drive adds Poisson-distributed counts (exact inverse CDF) each step.
//
// Reproducibility: every random number is Philox4x32-10 keyed by the seed and counted by
// (neuron or tile, step, stream); spikes are exchanged and delivered in a canonical order, so a
// seed gives bit-identical spikes for any number of partitions or threads.
