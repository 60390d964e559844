import SpikingEngine
import TwinBuilder

/// What nodes.h5 records about a twin beyond SONATA's tables, as a JSON root attribute: the build
/// parameters, synapse groups and fallbacks (nested values JSON holds naturally) and the
/// population names. Per-unit and per-population figures are datasets under /dtb instead.
struct TwinRecord: Codable, Equatable {
    /// ``SonataLayout/format``, so that a reader can tell what it is reading.
    var format: String
    var nodePopulation: String
    var edgePopulation: String
    var parameters: BuildParameters
    var groups: [SynapseGroup]
    var fallbacks: FallbacksUsed
}
