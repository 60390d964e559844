import AtlasCatalog
import DTBTestSupport
import Foundation
import Ingest
import Store
import TwinBuilder
import Twins

/// A database with Brainnetome-246 imported from the shared mirror and the sample subject
/// (gray matter, SV2A PET, DWI density and length) ingested onto it.
struct IngestedSubject {
    let database: Database
    let truth: SampleSubject.Truth
    let regions: [RegionRecord]
    let root: URL

    /// - Parameter drop: derivative path fragments to delete before ingesting (a subject lacking a modality).
    static func make(label: String = "sample", seed: UInt64 = 7, drop: [String] = []) throws -> IngestedSubject {
        let database = try TestDatabase.make()
        let importer = AtlasImporter(database: database, mirror: Prerequisites.atlasMirror)
        _ = try importer.importBuiltin("brainnetome246")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("twins-tests-\(UUID().uuidString)")
        let (truth, regions) = try writeSample(SampleSubject(label: label, seed: seed), into: root, database: database, session: "01")
        for fragment in drop { try removeFiles(containing: fragment, under: root) }
        _ = try SubjectIngester(database: database).ingest(root: root)
        return IngestedSubject(database: database, truth: truth, regions: regions, root: root)
    }

    @discardableResult
    static func writeSample(_ sample: SampleSubject, into root: URL, database: Database, session: String = "")
        throws -> (SampleSubject.Truth, [RegionRecord]) {
        let catalog = AtlasCatalog(database: database)
        let atlas = try catalog.atlas(named: "brainnetome246")
        let regions = try catalog.regions(of: atlas)
        let truth = try sample.write(to: root, atlas: atlas, regions: regions, volume: catalog.labelVolume(of: atlas), session: session)
        return (truth, regions)
    }

    static func removeFiles(containing fragment: String, under root: URL) throws {
        let walker = FileManager.default.enumerator(atPath: root.path)!
        for case let path as String in walker where path.contains(fragment) {
            try FileManager.default.removeItem(at: root.appendingPathComponent(path))
        }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }

    func build(neurons: Int = 20_000, degree: Double = 50, seed: UInt64 = 11, clip: ClosedRange<Double>? = 0.7 ... 1.3,
               sv2a: SV2AFallback? = nil, subject: String = "sample", atlas: String = "brainnetome246") throws -> TwinBuildOutcome {
        let parameters = BuildParameters(neurons: neurons, meanInDegree: degree, seed: seed, sv2aClip: clip, sv2aFallback: sv2a)
        return try TwinRegistry(database: database).build(TwinBuildRequest(subject: subject, atlas: atlas, parameters: parameters))
    }
}

/// Stored twin/run files under the data home (staging excluded).
func storedTwinFiles(_ database: Database) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: database.home.files.path) else { return [] }
    return walker.compactMap { $0 as? String }
        .filter { ($0.hasPrefix("twins/") || $0.hasPrefix("runs/")) && ($0.hasSuffix(".h5") || $0.hasSuffix(".csv")) }.sorted()
}
