import Foundation
import HDF5Kit
import Hemodynamics
import Postgres
import Recorders
import SpikingEngine
import Store
import TwinBuilder

/// A stored simulation of a twin version.
public struct TwinRunInfo: Sendable, Codable, Equatable {
    public var run: Int
    public var seed: UInt64
    public var seconds: Double
    public var repetitionTime: Double
    public var boldPreset: String
    public var spikes: Int
    public var meanRateHz: Double
    public var wallSeconds: Double
    public var file: TwinFileInfo
    public var createdAt: String
}

/// What `dtb twin run` asks for.
public struct TwinRunRequest: Sendable {
    public var version: TwinReference
    public var seconds: Double
    /// Seed of the dynamics (initial potentials, background noise); nil: the version's seed.
    public var seed: UInt64?
    /// BOLD sampling interval (s); nil: the subject's BOLD TR on the twin's atlas, else 2 s.
    public var repetitionTime: Double?
    public var threads: Int
    /// Spikes per unit in bins of this many ms (`/activity`), for the analyses that need spikes
    /// (avalanches, fast spectra); nil: not recorded.
    public var activityBin: Double?
    /// Neurons per population whose spikes are kept (`/raster`), evenly spaced in each; 0: none.
    public var rasterPerPopulation = 0
    /// Also spikes per population in the activity bins (`/population_activity`).
    public var populationActivity = false
    /// Biological seconds between checkpoints (the same request after a kill continues from the
    /// last); 0: none.
    public var checkpointEvery = 60.0

    public init(version: TwinReference, seconds: Double, seed: UInt64? = nil, repetitionTime: Double? = nil,
                threads: Int = defaultThreadCount) {
        self.version = version; self.seconds = seconds; self.seed = seed
        self.repetitionTime = repetitionTime; self.threads = threads
    }
}

/// Everything a run produced, before it is stored.
public struct TwinRunResult: Sendable {
    /// BOLD per TR and unit.
    public var bold: [[Double]]
    public var unitRates: [Double]
    public var populationRates: [Double]
    public var spikes: Int
    /// Spike times (ms) and neurons of the neurons asked for.
    public var raster: [RasterSpike]
    /// Spikes per unit and activity bin, bin-major; empty when not recorded.
    public var activity: [UInt32] = []
    /// Spikes per population and activity bin, bin-major; empty when not recorded.
    public var populationActivity: [UInt32] = []
    public var bins = 0
    /// The activity bin (ms).
    public var binMilliseconds = 0.0
}

/// Simulates twin versions with the engine and stores their BOLD and rates.
public struct TwinRunner {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// Loads a version's network from its SONATA files after checking their checksums.
    public func network(_ reference: TwinReference) throws -> TwinNetwork {
        try network(versionID: TwinQueries(database: database).versionID(reference))
    }

    func network(versionID: Int) throws -> TwinNetwork {
        try TwinFiles.read(verifiedFiles(versionID: versionID))
    }

    /// A version's SONATA files by role, each checked against its recorded checksum.
    func verifiedFiles(versionID: Int) throws -> [String: URL] {
        let files = try TwinQueries(database: database).files(versionID: versionID)
        var located: [String: URL] = [:]
        for file in files where TwinFiles.roles.contains(file.role) {
            located[file.role] = try database.files.verify(StoredFile(id: 0, relativePath: file.path, sha256: file.sha256,
                                                                      size: Int64(file.sizeBytes)))
        }
        return located
    }

    /// The network of a plan, read from the files rank 0 verified (a process of a distributed
    /// run; only rank 0 opens the database): with `targets`, only the synapses onto those
    /// neurons (``TwinNetwork/targets``), an empty range giving the nodes alone.
    public static func network(of plan: TwinRunPlan, targets: Range<Int>? = nil) throws -> TwinNetwork {
        try TwinFiles.read(plan.files.mapValues { URL(fileURLWithPath: $0) }, targets: targets)
    }

    /// Simulates `network` for `seconds` with BOLD at `repetitionTime` (pure compute), calling
    /// `progress` with the simulated seconds at least every half second of wall time (once the
    /// engine's parts have grown to that). Throws when the TR is not a whole number of steps.
    /// With a `share`, this process updates only its partitions and exchanges spikes through the
    /// share's exchange (one process of several); the result is the same on every process.
    public static func simulate(_ network: TwinNetwork, seconds: Double, seed: UInt64, repetitionTime: Double,
                                bold: BalloonWindkesselParameters, threads: Int, raster: [Int] = [], activityBinSteps: Int? = nil,
                                populationActivity: Bool = false, share: EngineShare? = nil, checkpointing: RunCheckpointing? = nil,
                                progress: (Double) -> Void = { _ in }) throws -> TwinRunResult {
        let builder = network.networkBuilder()
        let needed = share.map { builder.neurons(partitions: $0.partitions, local: $0.local) } ?? 0..<network.neuronCount
        guard network.holdsSynapses(onto: needed) else {
            throw TwinError.invalid("this process updates neurons \(needed.lowerBound) to \(needed.upperBound - 1) but holds only the synapses onto \(network.targets.lowerBound) to \(network.targets.upperBound - 1)")
        }
        let engine = share.map { builder.build(partitions: $0.partitions, local: $0.local) } ?? builder.build(partitions: max(1, threads))
        if let share { try share.check(engine) }
        let boldRecorder = try BOLDRecorder(network: engine, parameters: bold, repetitionTime: repetitionTime)
        let spikeRaster = SpikeRaster(neurons: raster)
        let activity = activityBinSteps.map { BinnedUnitCounts(network: engine, binSteps: $0) }
        let perPopulation = activityBinSteps.flatMap { steps in
            populationActivity ? BinnedUnitCounts(network: engine, binSteps: steps, map: UnitMap(populationsOf: engine)) : nil
        }
        var observers: [any SimulationObserver] = [boldRecorder]
        if !raster.isEmpty { observers.append(spikeRaster) }
        if let activity { observers.append(activity) }
        if let perPopulation { observers.append(perPopulation) }
        let simulation = Simulation(network: engine, seed: seed, observers: observers, exchange: share?.exchange ?? InProcessExchange())
        let recorders = RunRecorders(bold: boldRecorder, activity: activity, populationActivity: perPopulation, raster: spikeRaster)
        let steps = Int((seconds * 1000 / network.parameters.dt).rounded())
        var done = 0
        if let resume = checkpointing?.resume {
            try recorders.restore(resume, into: simulation)
            done = resume.engine.step
        }
        var lastCheckpoint = done
        // Whole exchange windows per call, so that running in parts is the same as running at
        // once (and a checkpoint at any call's end continues exactly); parts grow until one takes
        // a quarter of a second, so that progress is heard often without stopping the engine often.
        var part = engine.minDelay
        while done < steps {
            let length = min(part, steps - done)
            let clock = Date()
            simulation.run(steps: length)
            done += length
            if Date().timeIntervalSince(clock) < 0.25 { part *= 2 }
            if let checkpointing, done < steps, done - lastCheckpoint >= checkpointing.everySteps {
                try checkpointing.write(recorders.checkpoint(of: simulation), units: network.unitNames.count)
                lastCheckpoint = done
            }
            progress(Double(done) * network.parameters.dt / 1000)
        }
        let spikesPerUnit = network.populations.indices.reduce(into: [Int](repeating: 0, count: network.unitNames.count)) {
            $0[network.populations[$1].unit] += simulation.spikeTotals[$1]
        }
        let neuronsPerUnit = network.neuronCounts.map { $0.reduce(0, +) }
        let unitRates = zip(spikesPerUnit, neuronsPerUnit).map { Double($0) / Double($1) / seconds }
        activity?.finish()
        perPopulation?.finish()
        return TwinRunResult(bold: boldRecorder.samples, unitRates: unitRates, populationRates: simulation.rates,
                             spikes: simulation.spikeTotals.reduce(0, +), raster: spikeRaster.spikes,
                             activity: activity?.counts ?? [], populationActivity: perPopulation?.counts ?? [], bins: activity?.bins ?? 0,
                             binMilliseconds: Double(activityBinSteps ?? 0) * network.parameters.dt)
    }

    /// `count` neurons of each population, evenly spaced (all of a smaller one): the raster sample.
    public static func rasterSample(_ network: TwinNetwork, perPopulation count: Int) -> [Int] {
        guard count > 0 else { return [] }
        return network.populations.flatMap { p in
            (0..<min(count, p.size)).map { p.firstNeuron + $0 * p.size / min(count, p.size) }
        }
    }

    /// Simulates the requested version and stores the run. Every value of the request is checked
    /// (``RunLimits``) before the engine starts; a bad one is a one-line ``TwinError``.
    /// A run longer than its checkpoint spacing writes checkpoints; the same request after a kill
    /// continues from the last one, and the run's file is the uninterrupted run's, byte for byte.
    public func run(_ request: TwinRunRequest, progress: (String) -> Void = { _ in }) throws -> TwinRunInfo {
        let (plan, network) = try prepare(request, progress: progress)
        let checkpointing = try RunCheckpointing(plan: plan, every: request.checkpointEvery, home: database.home)
        if let resume = checkpointing?.resume {
            progress(String(format: "continuing from its checkpoint at %.1f of %.1f s", resume.seconds(dt: network.parameters.dt), plan.seconds))
        } else {
            progress("simulating \(plan.seconds) s at dt \(network.parameters.dt) ms on \(plan.threads) thread(s)")
        }
        let (result, wall) = try Self.simulate(network, plan: plan, checkpointing: checkpointing, progress: progress)
        let info = try record(result, network: network, plan: plan, wall: wall, progress: progress)
        checkpointing?.remove()
        return info
    }

    /// Simulates a prepared run (this process's part of it with a `share`), with what the plan
    /// records and progress lines from ``RunProgress``; the result and its wall seconds.
    public static func simulate(_ network: TwinNetwork, plan: TwinRunPlan, share: EngineShare? = nil,
                                checkpointing: RunCheckpointing? = nil,
                                progress: (String) -> Void) throws -> (TwinRunResult, wall: Double) {
        let started = Date()
        var reporter = RunProgress(seconds: plan.seconds, started: started, from: checkpointing?.resume?.seconds(dt: network.parameters.dt) ?? 0)
        let result = try simulate(network, seconds: plan.seconds, seed: plan.seed, repetitionTime: plan.repetitionTime,
                                  bold: plan.info.bold, threads: plan.threads,
                                  raster: rasterSample(network, perPopulation: plan.rasterPerPopulation),
                                  activityBinSteps: plan.activityBinSteps, populationActivity: plan.populationActivity, share: share,
                                  checkpointing: checkpointing) { if let line = reporter.simulated($0) { progress(line) } }
        return (result, Date().timeIntervalSince(started))
    }

    /// Resolves the version, checks every value of the request against it and loads its network
    /// (checksums verified): all a run needs from the database before the engine starts.
    /// With `targets`, only the synapses onto those neurons are loaded; an empty range loads the
    /// nodes alone, which is all the checks and the recording use (rank 0 of a distributed run,
    /// which loads its own slice afterwards as every rank does).
    public func prepare(_ request: TwinRunRequest, targets: Range<Int>? = nil,
                        progress: (String) -> Void = { _ in }) throws -> (TwinRunPlan, TwinNetwork) {
        try RunLimits.checkSeconds(request.seconds)
        try RunLimits.checkThreads(request.threads)
        try RunLimits.checkCheckpointSpacing(request.checkpointEvery)
        let queries = TwinQueries(database: database)
        let versionID = try queries.versionID(request.version)
        let info = try queries.info(versionID: versionID)
        let (tr, source) = try repetitionTime(request, versionID: versionID)
        try RunLimits.checkTiming(seconds: request.seconds, repetitionTime: tr, source: source, dt: info.parameters.dt, bold: info.bold)
        progress("loading \(info.twin)@\(info.version) (\(info.neurons) neurons, \(info.synapses) synapses)")
        let files = try verifiedFiles(versionID: versionID)
        let network = try TwinFiles.read(files, targets: targets)
        try RunLimits.checkBOLDSize(seconds: request.seconds, repetitionTime: tr, units: network.unitNames.count)
        var plan = TwinRunPlan(versionID: versionID, info: info, files: files.mapValues(\.path), seed: request.seed ?? info.seed,
                               seconds: request.seconds, repetitionTime: tr, threads: request.threads)
        // Per-population counts come in the activity bins: 1 ms unless a bin is given.
        let bin = request.activityBin ?? (request.populationActivity ? 1 : nil)
        let series = network.unitNames.count + (request.populationActivity ? network.populations.count : 0)
        plan.activityBinSteps = try bin.map {
            try RunLimits.activityBinSteps($0, seconds: request.seconds, dt: network.parameters.dt, units: series)
        }
        plan.populationActivity = request.populationActivity
        plan.rasterPerPopulation = request.rasterPerPopulation
        return (plan, network)
    }

    /// Stores a simulated run of `plan`: the run file, then its row, in one transaction (a failure
    /// leaves neither).
    public func record(_ result: TwinRunResult, network: TwinNetwork, plan: TwinRunPlan, wall: Double,
                       progress: (String) -> Void = { _ in }) throws -> TwinRunInfo {
        let info = plan.info, seed = plan.seed
        let meanRate = Double(result.spikes) / Double(info.neurons) / plan.seconds
        progress(String(format: "%d spikes, %.2f Hz, %d BOLD samples, %.1f s wall", result.spikes, meanRate, result.bold.count, wall))
        let staged = try database.files.stage(kind: "runs", extension: "h5") { url in
            try Self.write(result, network: network, info: info, seed: seed, seconds: plan.seconds, tr: plan.repetitionTime, to: url)
        }
        do {
            return try database.connection.transaction { connection in
                let file = try database.files.register(staged, on: connection)
                let row = try connection.query("""
                    INSERT INTO twin_run (twin_version_id, seed, seconds, repetition_time, bold_preset, spikes, mean_rate_hz,
                                          wall_seconds, file_id, code_version)
                    VALUES ($1, $2::numeric, $3, $4, $5, $6, $7, $8, $9, $10)
                    RETURNING id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    """, [plan.versionID, String(seed), plan.seconds, plan.repetitionTime, info.bold.name, result.spikes, meanRate, wall,
                          file.id, ProjectResources.codeVersion]).first!
                return TwinRunInfo(run: row[0].int!, seed: seed, seconds: plan.seconds, repetitionTime: plan.repetitionTime,
                                   boldPreset: info.bold.name, spikes: result.spikes, meanRateHz: meanRate, wallSeconds: wall,
                                   file: TwinFileInfo(role: "run", path: file.relativePath, sha256: file.sha256, sizeBytes: Int(file.size)),
                                   createdAt: row[1].string!)
            }
        } catch {
            database.files.discard(staged, on: database.connection)
            throw error
        }
    }

    /// The run's TR with where it came from (for messages): `--tr`, else the subject's BOLD TR on
    /// the twin's atlas, else 2 s.
    func repetitionTime(_ request: TwinRunRequest, versionID: Int) throws -> (Double, source: String) {
        if let tr = request.repetitionTime { return (tr, "--tr") }
        if let tr = try subjectRepetitionTime(versionID: versionID) { return (tr, "the subject's BOLD TR") }
        return (2, "--tr")
    }

    /// The TR of the subject's latest BOLD measure on the twin's atlas.
    func subjectRepetitionTime(versionID: Int) throws -> Double? {
        try database.connection.query("""
            SELECT m.repetition_time FROM twin_version v JOIN twin t ON t.id = v.twin_id
              JOIN session se ON se.subject_id = t.subject_id JOIN scan sc ON sc.session_id = se.id
              JOIN measure m ON m.scan_id = sc.id AND m.atlas_id = t.atlas_id
             WHERE v.id = $1 AND m.kind = $2 ORDER BY m.id DESC LIMIT 1
            """, [versionID, MeasureKind.boldTimeseries]).first?[0].double
    }

    /// The run file: /bold (samples × units), /unit_rate_hz, /population_rate_hz, /units,
    /// /populations (`unit.population`), on request /activity (bins × units),
    /// /population_activity (bins × populations) and /raster, and the run's settings as attributes.
    static func write(_ result: TwinRunResult, network: TwinNetwork, info: TwinVersionInfo, seed: UInt64, seconds: Double,
                      tr: Double, to url: URL) throws {
        // No object times and sorted JSON keys: the same inputs and seed give the same bytes.
        let file = try HDF5File.create(path: url.path, trackTimes: false)
        defer { file.close() }
        let units = network.unitNames.count
        try file.write("/bold", result.bold.flatMap { $0 }, shape: [result.bold.count, units])
        try file.write("/unit_rate_hz", result.unitRates, shape: [units])
        try file.write("/population_rate_hz", result.populationRates, shape: [result.populationRates.count])
        try file.writeStrings("/units", network.unitNames)
        try file.writeStrings("/populations", network.populations.map { "\(network.unitNames[$0.unit]).\($0.name)" })
        if result.bins > 0 {
            try file.write("/activity", result.activity, shape: [result.bins, units], gzipLevel: 4)
            try file.setAttribute("bin_ms", result.binMilliseconds, on: "/activity")
        }
        if !result.populationActivity.isEmpty {
            try file.write("/population_activity", result.populationActivity, shape: [result.bins, network.populations.count], gzipLevel: 4)
            try file.setAttribute("bin_ms", result.binMilliseconds, on: "/population_activity")
        }
        if !result.raster.isEmpty {
            try file.write("/raster/neuron", result.raster.map { Int32($0.neuron) }, shape: [result.raster.count])
            try file.write("/raster/time_ms", result.raster.map(\.time), shape: [result.raster.count])
        }
        try file.setAttribute("twin", "\(info.twin)@\(info.version)")
        try file.setAttribute("seed", String(seed))
        try file.setAttribute("seconds", seconds)
        try file.setAttribute("repetition_time", tr)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try file.setAttribute("bold_parameters", String(decoding: try encoder.encode(info.bold), as: UTF8.self))
        try file.setAttribute("code_version", ProjectResources.codeVersion)
    }

    func runs(versionID: Int) throws -> [TwinRunInfo] {
        try database.connection.query("""
            SELECT r.id, r.seed::text, r.seconds, r.repetition_time, r.bold_preset, r.spikes, r.mean_rate_hz, r.wall_seconds,
                   d.relative_path, d.sha256, d.size_bytes,
                   to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created
              FROM twin_run r JOIN data_file d ON d.id = r.file_id WHERE r.twin_version_id = $1 ORDER BY r.id
            """, [versionID]).map {
            TwinRunInfo(run: $0[0].int!, seed: UInt64($0[1].string!)!, seconds: $0[2].double!, repetitionTime: $0[3].double!,
                        boldPreset: $0[4].string!, spikes: $0[5].int!, meanRateHz: $0[6].double!, wallSeconds: $0[7].double!,
                        file: TwinFileInfo(role: "run", path: $0[8].string!, sha256: $0[9].string!, sizeBytes: $0[10].int!),
                        createdAt: $0[11].string!)
        }
    }
}
