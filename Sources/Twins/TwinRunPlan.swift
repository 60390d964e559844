import SpikingEngine

/// A run once its version is resolved and its values checked: what every process of a run needs
/// and only the one talking to the database can find out (so it is Codable, to be broadcast).
public struct TwinRunPlan: Sendable, Codable, Equatable {
    /// The version's row.
    public var versionID: Int
    public var info: TwinVersionInfo
    /// The version's SONATA files by role (paths whose checksums were verified).
    public var files: [String: String]
    public var seed: UInt64
    public var seconds: Double
    /// The BOLD sampling interval (s).
    public var repetitionTime: Double
    /// Threads per process.
    public var threads: Int
    /// Steps per activity bin (`/activity`); nil: not recorded.
    public var activityBinSteps: Int?
    /// Neurons per population in the raster (`/raster`); 0: none.
    public var rasterPerPopulation = 0
    /// Also spikes per population in the activity bins (`/population_activity`).
    public var populationActivity = false

    public init(versionID: Int, info: TwinVersionInfo, files: [String: String], seed: UInt64, seconds: Double,
                repetitionTime: Double, threads: Int) {
        self.versionID = versionID; self.info = info; self.files = files; self.seed = seed
        self.seconds = seconds; self.repetitionTime = repetitionTime; self.threads = threads
    }
}

/// This process's share of a network run by several processes: the network's partition count,
/// the partitions this process updates, and the exchange that carries spikes between processes.
public struct EngineShare: Sendable {
    public var partitions: Int
    public var local: Range<Int>
    public var exchange: any SpikeExchange

    public init(partitions: Int, local: Range<Int>, exchange: any SpikeExchange) {
        self.partitions = partitions; self.local = local; self.exchange = exchange
    }

    /// Throws when the network has fewer partitions than asked for (fewer 8-neuron blocks than
    /// processes × threads), so the share would not be the one the other processes assume.
    func check(_ network: Network) throws {
        guard network.partitions.count == partitions else {
            throw TwinError.invalid("the network has \(network.partitions.count) blocks of 8 neurons, fewer than the "
                                    + "\(partitions) partitions (ranks × threads) asked for")
        }
    }
}
