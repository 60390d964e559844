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
    public var members = 16
    public var threads = defaultThreadCount

    public init() {}
}

/// What the demo did, step by step: the JSON document of `dtb demo --json`.
public struct DemoReport: Sendable, Encodable {
    /// Both built-in atlases, as `dtb atlas show` summarises them.
    public var atlases: [AtlasSummary]
    /// Session 1 (anatomy and its rest run), then session 2 (a second rest run).
    public var ingest: [IngestReport]
    public var build: TwinBuildOutcome
    /// Every validation and assimilation in the order they ran.
    public var validations: [TwinValidationReport]
    public var assimilations: [TwinAssimilationOutcome]
    public var history: TwinHistory
}

/// A step of the demo as it happens, for a caller that shows progress.
public enum DemoEvent: Sendable {
    /// A progress line.
    case progress(String)
    /// An atlas is stored (imported now or before).
    case atlas(AtlasSummary)
    /// A session of the sample subject is ingested.
    case ingested(IngestReport)
    /// The sample twin's version is built (or found unchanged).
    case built(TwinBuildOutcome)
    case validated(TwinValidationReport)
    case assimilated(TwinAssimilationOutcome)
}

/// The main job end to end on the embedded default: import both built-in atlases; write the
/// sample subject's anatomy and ingest it; build its twin on Brainnetome-246; let that twin,
/// with known time-varying external currents, make the subject's BOLD (the ground truth) and
/// ingest it; validate the built twin (the baseline), assimilate it into a new version and
/// validate that; then a second session's rest run arrives: validate the fitted version against
/// it (out of sample), re-assimilate from its posterior and validate again; and show the
/// twin's history. Every step is idempotent: a second demo finds the data and versions as they
/// are and adds only validation rows.
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
        let built = TwinReference(twin: build.twin, version: build.version)
        var story = Story(database: database, options: options, events: events)
        ingests.append(try story.record(SampleRuns.sessionOne, twin: built, root: root))
        events(.ingested(ingests[1]))
        let rest1 = try story.measure(twin: build.twin, session: "1")
        try story.validate(built, rest1)
        let fitted = try story.assimilate(built, rest1)
        try story.validate(fitted, rest1)
        ingests.append(try story.record(SampleRuns.sessionTwo, twin: built, root: root))
        events(.ingested(ingests[2]))
        let rest2 = try story.measure(twin: build.twin, session: "2")
        try story.validate(fitted, rest2)
        let refitted = try story.assimilate(fitted, rest2)
        try story.validate(refitted, rest2)
        let history = try TwinQueries(database: database).history(build.twin)
        return DemoReport(atlases: summaries, ingest: ingests, build: build, validations: story.validations,
                          assimilations: story.assimilations, history: history)
    }

    /// The twin's part of the demo: ground-truth runs, validations and assimilations.
    struct Story {
        let database: Database
        let options: DemoOptions
        let events: (DemoEvent) -> Void
        var validations: [TwinValidationReport] = []
        var assimilations: [TwinAssimilationOutcome] = []

        /// Writes the runs made by the ground-truth twin (once) and ingests the dataset again.
        func record(_ runs: [SampleRuns.Run], twin: TwinReference, root: URL) throws -> IngestReport {
            let progress = { (line: String) in events(.progress(line)) }
            let truth = SampleRuns(network: try TwinRunner(database: database).network(twin))
            for run in runs {
                let file = root.appendingPathComponent("derivatives/dtb-truth/sub-\(DemoWorkflow.subject)/ses-\(run.session)/func")
                if FileManager.default.fileExists(atPath: file.path) { continue }
                progress("the ground-truth twin makes ses-\(run.session) task-\(run.task): \(run.frames) frames of \(SampleRuns.repetitionTime) s")
                let bold = try truth.simulate(run, threads: options.threads)
                try truth.write(run, bold: bold, subject: DemoWorkflow.subject, atlas: DemoWorkflow.atlases[0], into: root)
            }
            return try SubjectIngester(database: database).ingest(root: root, options: IngestOptions(atlases: [DemoWorkflow.atlases[0]]))
        }

        /// The rest run of a session.
        func measure(twin: String, session: String) throws -> Int {
            guard let m = try TwinQueries(database: database).boldMeasures(twin: twin).last(where: { $0.session == session }) else {
                throw ServiceError.invalidRequest("the sample subject has no BOLD run in session \(session)")
            }
            return m.measure
        }

        mutating func validate(_ version: TwinReference, _ measure: Int) throws {
            let report = try TwinValidator(database: database)
                .validate(TwinValidationRequest(version: version, measure: measure, threads: options.threads)) { events(.progress($0)) }
            validations.append(report)
            events(.validated(report))
        }

        /// The sample's BOLD is in model units (`raw`); the fit's settings are otherwise the defaults.
        mutating func assimilate(_ version: TwinReference, _ measure: Int) throws -> TwinReference {
            var request = TwinAssimilationRequest(version: version, measure: measure, threads: options.threads)
            request.members = options.members
            request.observation = .raw
            let outcome = try TwinAssimilator(database: database).assimilate(request) { events(.progress($0)) }
            assimilations.append(outcome)
            events(.assimilated(outcome))
            return TwinReference(twin: outcome.twin, version: outcome.version)
        }
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
