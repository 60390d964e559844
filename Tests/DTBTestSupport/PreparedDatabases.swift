import AtlasCatalog
import Foundation
import Store

/// Databases several suites start from, each prepared once per test process and cloned per test
/// (see ``TestDatabase/make(preparedWith:_:)``).
public enum PreparedDatabases {
    /// A database with the built-in atlases `names` imported from the atlas mirror.
    public static func atlases(_ names: String...) async throws -> Database {
        try await TestDatabase.make(preparedWith: "atlases \(names)") { database in
            let importer = try AtlasImporter(database: database, mirror: atlasMirror())
            for name in names { _ = try importer.importBuiltin(name) }
        }.database
    }

    /// A database with Brainnetome-246 imported and the sample subject ingested onto it
    /// (see ``IngestedSubject/ingest(into:label:seed:dropping:)``).
    public static func sampleSubject(label: String = "sample", seed: UInt64 = 7, dropping fragments: [String] = [])
        async throws -> IngestedSubject {
        let (database, (truth, regions)) = try await TestDatabase.make(preparedWith: "sample \(label) \(seed) without \(fragments)") { database in
            let subject = try IngestedSubject.ingest(into: database, label: label, seed: seed, dropping: fragments)
            return (subject.truth, subject.regions)
        }
        return IngestedSubject(database: database, label: label, seed: seed, truth: truth, regions: regions)
    }

    /// The atlas mirror, or the error that names it missing.
    static func atlasMirror() throws -> URL {
        guard let mirror = Prerequisites.atlasMirror else { throw PrerequisiteMissing(absent: [.atlasMirror]) }
        return mirror
    }
}
