import AtlasCatalog
import Foundation
import Ingest
import SampleSubjects
import Services

extension ScratchStore {
    /// The scratch store's BIDS folder.
    var bids: URL { work.appendingPathComponent("bids", isDirectory: true) }

    /// Imports Brainnetome-246 and writes and ingests a sample subject into the scratch store
    /// (untimed set-up of the build and assimilation benchmarks).
    func ingestSampleSubject(label: String, session: String = "", mirror: URL?, environment: ServiceEnvironment,
                             progress: (String) -> Void) throws {
        progress("importing brainnetome246 and ingesting the sample subject (untimed)")
        _ = try AtlasImporter(database: database, mirror: mirror ?? environment.defaultAtlasMirror,
                              environment: environment.variables).importBuiltin("brainnetome246")
        let catalog = AtlasCatalog(database: database)
        let atlas = try catalog.atlas(named: "brainnetome246")
        try SampleSubject(label: label).write(to: bids, atlas: atlas, regions: catalog.regions(of: atlas),
                                              volume: catalog.labelVolume(of: atlas), session: session)
        _ = try SubjectIngester(database: database).ingest(root: bids)
    }
}
