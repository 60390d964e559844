import AtlasCatalog
import Foundation
import Ingest
import SampleSubjects
import SpikingEngine
import Store
import TwinBuilder
import Twins

/// `dtb demo`'s options.
public struct DemoOptions: Sendable {
    /// Atlas mirror; nil: ``ServiceEnvironment/defaultAtlasMirror``.
    public var mirror: URL?
    public var neurons = 10_000
    public var degree = 25.0
    /// Members of the assimilation ensembles.
    public var members = 12
    public var threads = defaultThreadCount

    public init() {}
}

/// What the demo did, step by step: the JSON document of `dtb demo --json`.
public struct DemoReport: Sendable, Encodable {
    /// Both built-in atlases, as `dtb atlas show` summarises them.
    public var atlases: [AtlasSummary]
    /// Session 1's anatomy, session 1's rest run, session 2's rest run.
    public var ingest: [IngestReport]
    public var build: TwinBuildOutcome
    /// The worker's run after each rest run arrived: validate, assimilate, validate.
    public var worker: [WorkerReport]
    public var history: TwinHistory
}

/// A step of the demo as it happens, for a caller that shows progress.
public enum DemoEvent: Sendable {
    /// A progress line.
    case progress(String)
    /// An atlas is stored (imported now or before).
    case atlas(AtlasSummary)
    /// Data of the sample subject is ingested.
    case ingested(IngestReport)
    /// The sample twin's version is built (or found unchanged).
    case built(TwinBuildOutcome)
    /// The worker has run the jobs new data queued.
    case worked(WorkerReport)
}

/// The main job end to end on the embedded default: import both built-in atlases; write the
/// sample subject's anatomy and ingest it; build its twin on Brainnetome-246; let that twin,
/// with known time-varying external currents, make the subject's session-1 rest run (the ground
/// truth) and ingest it; a worker then validates the built twin against it (the baseline),
/// assimilates it into a new version and validates that. A second session's rest run arrives:
/// the worker validates the fitted version against it (out of sample), re-assimilates from its
/// posterior and validates again. The demo ends with the twin's history. Every step is
/// idempotent: a second demo finds the data, the jobs and the versions as they are.
public struct DemoWorkflow {
    public let environment: ServiceEnvironment

    /// The atlases the demo imports; its twin is built on the first.
    public static let atlases = ["brainnetome246", "cortsub374"]
    static let subject = "sample"

    public init(environment: ServiceEnvironment) { self.environment = environment }

    /// Checks the options (before anything is stored), then runs every step.
    public func run(_ options: DemoOptions, events: @escaping (DemoEvent) -> Void) throws -> DemoReport {
        try check(options)
        let progress = { (line: String) in events(.progress(line)) }
        let database = try environment.openDatabase(progress: progress)
        let summaries = try importAtlases(database, mirror: options.mirror ?? environment.defaultAtlasMirror, events: events)
        let root = database.home.root.appendingPathComponent("sample-subject", isDirectory: true)
        var ingests = [try ingestSample(database, root: root, progress: progress)]
        events(.ingested(ingests[0]))
        let parameters = BuildParameters(neurons: options.neurons, meanInDegree: options.degree, seed: 1)
        let build = try TwinRegistry(database: database)
            .build(TwinBuildRequest(subject: Self.subject, atlas: Self.atlases[0], parameters: parameters), progress: progress)
        events(.built(build))
        let truth = SampleRuns(network: try TwinRunner(database: database).network(TwinReference(twin: build.twin, version: 1)))
        let sessions = [SampleRuns.sessionOne, SampleRuns.sessionTwo]
        let simulated = try simulateMissing(sessions.flatMap { $0 }, truth: truth, root: root, threads: options.threads, progress: progress)
        var reports: [WorkerReport] = []
        for session in sessions {
            let ingest = try record(session, simulated: simulated, truth: truth, database: database, root: root)
            ingests.append(ingest)
            events(.ingested(ingest))
            let report = try work(database, options: options, progress: progress)
            reports.append(report)
            events(.worked(report))
        }
        let history = try TwinQueries(database: database).history(build.twin)
        return DemoReport(atlases: summaries, ingest: ingests, build: build, worker: reports, history: history)
    }

    /// The BOLD of every run not yet written, all made at the start: session 2's run is not
    /// data before the demo writes it, but simulating it beside session 1's fills both cores.
    func simulateMissing(_ runs: [SampleRuns.Run], truth: SampleRuns, root: URL, threads: Int,
                         progress: (String) -> Void) throws -> [SampleRuns.Run: [[Double]]] {
        let missing = runs.filter {
            !FileManager.default.fileExists(atPath: SampleRuns.seriesFile(of: $0, subject: Self.subject, atlas: Self.atlases[0], in: root).path)
        }
        guard !missing.isEmpty else { return [:] }
        let names = missing.map { "ses-\($0.session) task-\($0.task)" }.joined(separator: ", ")
        progress("the ground-truth twin makes \(names): \(missing[0].frames) frames of \(SampleRuns.repetitionTime) s each, \(min(threads, missing.count)) at a time")
        let bold = try truth.simulate(missing, concurrently: threads)
        return Dictionary(uniqueKeysWithValues: zip(missing, bold).map { ($0, $1) })
    }

    /// Writes those of a session's runs that ``simulateMissing(_:truth:root:threads:progress:)``
    /// made (the others were written before), and ingests the session.
    func record(_ runs: [SampleRuns.Run], simulated: [SampleRuns.Run: [[Double]]], truth: SampleRuns, database: Database,
                root: URL) throws -> IngestReport {
        for run in runs {
            guard let bold = simulated[run] else { continue }
            try truth.write(run, bold: bold, subject: Self.subject, atlas: Self.atlases[0], into: root)
        }
        return try SubjectIngester(database: database).ingest(root: root, options: IngestOptions(atlases: [Self.atlases[0]]))
    }

    /// One worker pass over the queue (`dtb worker --once`); the first fit uses the demo's
    /// members and the `raw` observation (the sample's BOLD is in model units).
    func work(_ database: Database, options: DemoOptions, progress: @escaping (String) -> Void) throws -> WorkerReport {
        var first = AssimilateJobHandler.FirstFit()
        first.members = options.members
        first.observation = .raw
        let handlers = JobHandlers.standard(firstFit: first, threads: options.threads)
        var workerOptions = WorkerOptions()
        workerOptions.once = true
        let report = try Worker(database: database, options: workerOptions, handlers: handlers, progress: progress).run()
        if report.failed > 0 {
            throw ServiceError.invalidRequest("the worker failed \(report.failed) job(s); `dtb jobs --status failed` shows why")
        }
        return report
    }

    /// The options' ranges, as `twin build` and `twin assimilate` hold them.
    func check(_ options: DemoOptions) throws {
        try BuildLimits.check(neurons: options.neurons, degree: options.degree)
        guard (2...TwinAssimilationRequest.maxMembers).contains(options.members) else {
            throw ServiceError.invalidRequest("--members \(options.members): an ensemble needs 2 to \(TwinAssimilationRequest.maxMembers) members")
        }
        try RunLimits.checkThreads(options.threads)
    }

    func importAtlases(_ database: Database, mirror: URL?, events: (DemoEvent) -> Void) throws -> [AtlasSummary] {
        let importer = AtlasImporter(database: database, mirror: mirror, environment: environment.variables)
        let catalog = AtlasCatalog(database: database)
        return try Self.atlases.map { name in
            events(.progress("importing atlas \(name)…"))
            let outcome = try importer.importBuiltin(name)
            events(.progress("\(name): \(outcome.action.rawValue)"))
            let summary = try catalog.summary(of: catalog.atlas(named: name))
            events(.atlas(summary))
            return summary
        }
    }

    /// Writes the sample subject's session-1 anatomy into the data home on the first demo, then ingests it.
    func ingestSample(_ database: Database, root: URL, progress: (String) -> Void) throws -> IngestReport {
        if !FileManager.default.fileExists(atPath: root.appendingPathComponent("participants.tsv").path) {
            progress("writing the sample subject to \(root.path)")
            let catalog = AtlasCatalog(database: database)
            let atlas = try catalog.atlas(named: Self.atlases[0])
            try SampleSubject(label: Self.subject).write(to: root, atlas: atlas, regions: catalog.regions(of: atlas),
                                                         volume: catalog.labelVolume(of: atlas), session: "1")
        }
        return try SubjectIngester(database: database).ingest(root: root, options: IngestOptions(atlases: [Self.atlases[0]]))
    }
}
