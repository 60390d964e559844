import AtlasCatalog
import Foundation
import Ingest
import SampleSubjects   // the sample subject generator
import Store

/// The sample subject's ground truth (named here so that test suites need not import its generator).
public typealias SampleTruth = SampleSubject.Truth

/// A database with Brainnetome-246 and the sample subject ingested onto it, and what the subject was made from.
public struct IngestedSubject {
    /// The database (a clone of its own when it came from ``PreparedDatabases/sampleSubject(label:seed:dropping:)``).
    public let database: Database
    /// The subject's label and the seed its values were drawn with.
    public let label: String, seed: UInt64
    /// The values the sample subject was generated from.
    public let truth: SampleTruth
    /// Brainnetome-246's regions, in the order of `truth`'s arrays.
    public let regions: [RegionRecord]

    /// The subject's BIDS tree; it lives in the data home, so that every clone has a copy of its own.
    public var root: URL { Self.root(of: database) }

    /// Imports Brainnetome-246 into `database` and ingests the sample subject onto it (one session,
    /// `01`): what ``PreparedDatabases/sampleSubject(label:seed:dropping:)`` does once per test
    /// process, for a test that needs it done independently.
    /// - Parameter fragments: derivative path fragments deleted before the ingest (a subject lacking a modality).
    public static func ingest(into database: Database, label: String = "sample", seed: UInt64 = 7,
                              dropping fragments: [String] = []) throws -> IngestedSubject {
        _ = try AtlasImporter(database: database, mirror: PreparedDatabases.atlasMirror()).importBuiltin("brainnetome246")
        let root = root(of: database)
        let (truth, regions) = try write(SampleSubject(label: label, seed: seed), session: "01", into: root, database: database)
        for fragment in fragments { try removeFiles(containing: fragment, under: root) }
        _ = try SubjectIngester(database: database).ingest(root: root)
        return IngestedSubject(database: database, label: label, seed: seed, truth: truth, regions: regions)
    }

    /// Writes another session of this subject, its SV2A PET scaled by `suvrScale`, into ``root``:
    /// new data, stored by the next ingest.
    public func writeSession(_ session: String, suvrScale: Double) throws {
        try Self.write(SampleSubject(label: label, seed: seed, suvrScale: suvrScale), session: session, into: root, database: database)
    }

    @discardableResult
    private static func write(_ sample: SampleSubject, session: String, into root: URL, database: Database)
        throws -> (SampleTruth, [RegionRecord]) {
        let catalog = AtlasCatalog(database: database)
        let atlas = try catalog.atlas(named: "brainnetome246")
        let regions = try catalog.regions(of: atlas)
        let truth = try sample.write(to: root, atlas: atlas, regions: regions, volume: catalog.labelVolume(of: atlas), session: session)
        return (truth, regions)
    }

    private static func root(of database: Database) -> URL { database.home.root.appendingPathComponent("bids", isDirectory: true) }

    private static func removeFiles(containing fragment: String, under root: URL) throws {
        let paths = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        for path in paths where path.contains(fragment) {
            try FileManager.default.removeItem(at: root.appendingPathComponent(path))
        }
    }
}
