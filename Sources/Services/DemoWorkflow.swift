import AtlasCatalog
import Foundation
import Ingest
import SampleSubjects
import Store
import TwinBuilder
import Twins

/// `dtb demo`'s options.
public struct DemoOptions: Sendable {
    /// Atlas mirror; nil: ``ServiceEnvironment/defaultAtlasMirror``.
    public var mirror: URL?
    public var neurons = 100_000
    public var degree = 100.0
    /// Biological seconds of the sample twin's run.
    public var seconds = 10.0

    public init() {}
}

/// What the demo did, step by step: the JSON document of `dtb demo --json`.
public struct DemoReport: Sendable, Encodable {
    /// Both built-in atlases, as `dtb atlas show` summarises them.
    public var atlases: [AtlasSummary]
    public var ingest: IngestReport
    public var build: TwinBuildOutcome
    public var run: TwinRunInfo
}

/// A step of the demo as it happens, for a caller that shows progress.
public enum DemoEvent: Sendable {
    /// A progress line.
    case progress(String)
    /// An atlas is stored (imported now or before).
    case atlas(AtlasSummary)
    /// The sample subject is ingested.
    case ingested(IngestReport)
    /// The sample twin's version is built (or found unchanged).
    case built(TwinBuildOutcome)
}

/// The main job end to end on the embedded default: import both built-in atlases, write and
/// ingest the sample subject, build its twin on Brainnetome-246 and run it. Every step is
/// idempotent, so a second demo adds only one more run.
public struct DemoWorkflow {
    public let environment: ServiceEnvironment

    /// The atlases the demo imports; its twin is built on the first.
    public static let atlases = ["brainnetome246", "cortsub374"]
    /// The sample subject has no BOLD, so its runs sample at the default TR.
    static let repetitionTime = 2.0

    public init(environment: ServiceEnvironment) { self.environment = environment }

    /// Checks the options (before anything is stored), then runs every step.
    public func run(_ options: DemoOptions, events: (DemoEvent) -> Void) throws -> DemoReport {
        try check(options)
        let progress = { (line: String) in events(.progress(line)) }
        let database = try environment.openDatabase(progress: progress)
        let summaries = try importAtlases(database, mirror: options.mirror ?? environment.defaultAtlasMirror, events: events)
        let ingest = try ingestSample(database, progress: progress)
        events(.ingested(ingest))
        let parameters = BuildParameters(neurons: options.neurons, meanInDegree: options.degree, seed: 1)
        let build = try TwinRegistry(database: database)
            .build(TwinBuildRequest(subject: "sample", atlas: Self.atlases[0], parameters: parameters), progress: progress)
        events(.built(build))
        let run = try TwinRunner(database: database)
            .run(TwinRunRequest(version: TwinReference(twin: build.twin, version: build.version), seconds: options.seconds,
                                repetitionTime: Self.repetitionTime), progress: progress)
        return DemoReport(atlases: summaries, ingest: ingest, build: build, run: run)
    }

    /// The options' ranges, as `twin build` and `twin run` hold them.
    func check(_ options: DemoOptions) throws {
        try BuildLimits.check(neurons: options.neurons, degree: options.degree)
        try RunLimits.checkTiming(seconds: options.seconds, repetitionTime: Self.repetitionTime, source: "--tr",
                                  dt: BuildParameters(neurons: options.neurons, seed: 1).dt, bold: .dtb)
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

    /// Writes the sample subject into the data home on the first demo, then ingests it.
    func ingestSample(_ database: Database, progress: (String) -> Void) throws -> IngestReport {
        let root = database.home.root.appendingPathComponent("sample-bids", isDirectory: true)
        if !FileManager.default.fileExists(atPath: root.appendingPathComponent("participants.tsv").path) {
            progress("writing the sample subject to \(root.path)")
            let catalog = AtlasCatalog(database: database)
            let atlas = try catalog.atlas(named: Self.atlases[0])
            try SampleSubject().write(to: root, atlas: atlas, regions: catalog.regions(of: atlas), volume: catalog.labelVolume(of: atlas))
        }
        return try SubjectIngester(database: database).ingest(root: root, options: IngestOptions(atlases: [Self.atlases[0]]))
    }
}
