import AtlasCatalog
import DTBTestSupport
import Foundation
import Imaging
import NIfTI
import Store
import Testing

@Suite(.serialized, .requires(.atlasMirror)) struct BuiltinAtlasTests {
    @Test func brainnetomeHierarchyAndCounts() throws {
        let mirror = try atlasMirror()
        let database = try TestDatabase.make()
        let outcome = try AtlasImporter(database: database, mirror: mirror).importBuiltin("brainnetome246")
        #expect(outcome.action == .imported && outcome.regions == 246)
        let catalog = AtlasCatalog(database: database)
        let summary = try catalog.summary(of: catalog.atlas(named: "brainnetome246"))
        #expect(summary.regions == 246)
        #expect(summary.hemispheres == ["left": 123, "right": 123])
        #expect(summary.kinds == ["cortical": 210, "subcortical": 36])
        #expect(summary.levels == ["lobe": 7, "gyrus": 24])
        #expect(summary.hierarchy.map(\.regions).reduce(0, +) == 246)
        #expect(summary.hierarchy.first { $0.name == "Frontal Lobe" }?.children.first { $0.name == "SFG" }?.regions == 14)
        #expect(summary.grids.map(\.resolutionMM) == [2, 1])
        let regions = try catalog.regions(of: catalog.atlas(named: "brainnetome246"))
        #expect(regions.first?.name == "A8m_L")
        #expect(regions.first?.networks == ["yeo7": "Frontoparietal", "yeo17": "17Networks_17"])
    }

    /// Each region's stored voxel count equals a plain count over the source label volume, on both grids;
    /// centroids agree with the mirror's independently computed 1 mm centroids.
    @Test func brainnetomeVoxelCountsEqualTheLabelVolumes() async throws {
        let mirror = try atlasMirror()
        let catalog = try await AtlasCatalog(database: PreparedDatabases.atlases("brainnetome246"))
        let atlas = try catalog.atlas(named: "brainnetome246")
        let regions = try catalog.regions(of: atlas)
        for (grid, file) in zip(atlas.grids, ["BN_Atlas_246_2mm.nii.gz", "BN_Atlas_246_1mm.nii.gz"]) {
            let source = try NIfTIImage.read(path: mirror.appendingPathComponent("brainnetome/\(file)").path).integerLabels()
            var expected = [Int: Int]()
            for label in source where label != 0 { expected[Int(label), default: 0] += 1 }
            let stored = Dictionary(uniqueKeysWithValues: try catalog.regionExtents(on: grid).map { ($0.regionID, $0.voxelCount) })
            for region in regions { #expect(stored[region.id] == expected[region.label], "\(region.name) on \(file)") }
            #expect(grid.labelledVoxels == expected.values.reduce(0, +))
        }
        let table = try String(contentsOf: mirror.appendingPathComponent("brainnetome/brainnetome246_regions.csv"), encoding: .utf8)
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            // Quoted fields contain commas, so count from the end: centroid_x/y/z_1mm are the 9th–7th from last.
            let id = Int(fields[0])!, n = fields.count
            let centroid = [fields[n - 9], fields[n - 8], fields[n - 7]].map { Double($0)! }
            let region = regions.first { $0.label == id }!
            for axis in 0..<3 { #expect(abs(region.centroid[axis] - centroid[axis]) < 0.01, "\(region.name)") }
        }
    }

    /// cortsub374 is composed here from the 1 mm Glasser cortex and the 2 mm HCP subcortex; the
    /// mirror's derived volume (made independently) must agree voxel for voxel, labels mapped by name.
    @Test func cortsub374MatchesTheIndependentComposition() async throws {
        let mirror = try atlasMirror()
        let catalog = try await AtlasCatalog(database: PreparedDatabases.atlases("cortsub374"))
        let atlas = try catalog.atlas(named: "cortsub374")
        let summary = try catalog.summary(of: atlas)
        #expect(summary.kinds == ["cortical": 360, "subcortical": 14])
        #expect(summary.hemispheres == ["left": 187, "right": 187])
        let regions = try catalog.regions(of: atlas)
        #expect(regions.first { $0.label == 1 }?.name == "L_V1")
        #expect(regions.first { $0.label == 181 }?.name == "R_V1")
        #expect(regions.first { $0.label == 361 }?.name == "L_Thalamus")
        #expect(regions.first { $0.label == 368 }?.name == "R_Thalamus")

        let ours = try catalog.labelVolume(of: atlas)
        let derived = try NIfTIImage.read(path: mirror.appendingPathComponent("hcp-mmp1-374/hcpmmp1_374_space-MNI152NLin6Asym_res-02_dseg.nii.gz").path)
        #expect(VoxelGrid(dimensions: derived.header.dimensions, affine: derived.header.affine).matches(ours.grid))
        let names = try String(contentsOf: mirror.appendingPathComponent("hcp-mmp1-374/hcpmmp1_374_labels.tsv"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: "\t").map(String.init) }
        let nameByDerivedIndex = Dictionary(uniqueKeysWithValues: names.map { (Int32($0[0])!, $0[2]) })   // cifti_label
        let labelByName = Dictionary(uniqueKeysWithValues: regions.map { region -> (String, Int32) in
            let cifti = region.kind == "cortical" ? region.name + "_ROI"
                : region.name.dropFirst(2).uppercased() + (region.hemisphere == "left" ? "_LEFT" : "_RIGHT")
            return (cifti, Int32(region.label))
        })
        let mapped = try derived.integerLabels().map { $0 == 0 ? 0 : labelByName[nameByDerivedIndex[$0]!]! }
        let disagreements = zip(mapped, ours.labels).filter { $0 != $1 }.count
        #expect(disagreements == 0)
        #expect(ours.labels.filter { $0 != 0 }.count == 93_381)
    }

    @Test func voxelListsAreTheRegionsVoxels() async throws {
        let catalog = try await AtlasCatalog(database: PreparedDatabases.atlases("brainnetome246"))
        let atlas = try catalog.atlas(named: "brainnetome246")
        let volume = try catalog.labelVolume(of: atlas)
        for region in try catalog.regions(of: atlas) where [1, 123, 246].contains(region.label) {
            let expected = volume.labels.indices.filter { volume.labels[$0] == Int32(region.label) }.map(Int32.init)
            #expect(try catalog.voxels(of: region, on: atlas.primaryGrid) == expected)
        }
    }

    @Test func reimportIsANoOp() async throws {
        let database = try await PreparedDatabases.atlases("cortsub374")
        let importer = try AtlasImporter(database: database, mirror: atlasMirror())
        let before = try tableCounts(database.connection)
        #expect(try importer.importBuiltin("cortsub374").action == .unchanged)
        #expect(try tableCounts(database.connection) == before)
    }

    /// Two importers of the same atlas at once: one imports, the other waits and finds it stored.
    @Test func concurrentImportsOfOneAtlas() throws {
        let mirror = try atlasMirror()
        let first = try TestDatabase.make()
        let second = try Database(connection: TestDatabase.connect(to: first), home: first.home, origin: first.origin)
        /// Each thread uses only its own connection; the box only carries them across.
        final class Race: @unchecked Sendable {
            let databases: [Database]
            var outcomes: [AtlasImportOutcome.Action?] = [nil, nil]
            init(_ databases: [Database]) { self.databases = databases }
        }
        let race = Race([first, second])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            race.outcomes[index] = try? AtlasImporter(database: race.databases[index], mirror: mirror).importBuiltin("cortsub374").action
        }
        let outcomes = race.outcomes
        #expect(outcomes.compactMap { $0 }.sorted { $0.rawValue < $1.rawValue } == [.imported, .unchanged])
        #expect(try first.connection.query("SELECT count(*) FROM region").scalar().int == 374)
    }
}
