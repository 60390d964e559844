import AtlasCatalog
import CommandTestSupport
import DTBTestSupport
import Foundation
import NIfTI
import Store
import Testing

/// Region-level files alone, through `dtb`: ingest, `dtb twin build`, `dtb twin run`, on an
/// imported atlas and on Brainnetome-246; `dtb subject export` gives the same values back.
@Suite(.serialized) struct RegionLevelCommandTests {
    func json(_ result: InProcessDTB.Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                            sourceLocation: sourceLocation)
    }

    /// A three-region atlas (two cortical, one subcortical) on a 6×5×4 grid, imported by `dtb atlas import`.
    func importSmallAtlas(_ dtb: InProcessDTB, into folder: URL) throws {
        var labels: [Int32] = []
        for _ in 0..<4 { for j in 0..<5 { for i in 0..<6 { labels.append(i < 2 ? 1 : i < 4 ? 2 : (j < 3 ? 3 : 0)) } } }
        let volume = folder.appendingPathComponent("small.nii.gz"), table = folder.appendingPathComponent("small.tsv")
        let affine: [[Double]] = [[2, 0, 0, -10], [0, 2, 0, -20], [0, 0, 2, -8], [0, 0, 0, 1]]
        try NIfTIImage(header: NIfTIHeader(dimensions: [6, 5, 4], datatype: .int32, affine: affine), int32: labels).write(to: volume.path)
        try "index\tname\themisphere\tkind\n1\tctx_a\tL\tcortical\n2\tctx_b\tR\tcortical\n3\tthal\tL\tsubcortical\n"
            .write(to: table, atomically: true, encoding: .utf8)
        #expect(dtb.run(["atlas", "import", "small", "--volume", volume.path, "--table", table.path]).status == 0)
    }

    /// Region-level files of subject `subject` on `regions` (names in label order), written into `folder`.
    func writeRegionFiles(subject: String, regions: [(label: Int, name: String)], into folder: URL, atlas: String) throws -> [String] {
        let n = regions.count
        let stem = folder.appendingPathComponent("sub-\(subject)_ses-1").path
        func write(_ text: String, _ suffix: String) throws -> String {
            try text.write(toFile: stem + suffix, atomically: true, encoding: .utf8)
            return stem + suffix
        }
        // Gray matter by name, SV2A by label, rows in reverse order.
        let gm = try write("name\tgm_volume\n" + regions.reversed().map { "\($0.name)\t\(1000 + 10 * $0.label)\n" }.joined(),
                           "_atlas-\(atlas)_desc-gm_morph.tsv")
        let pet = try write("index\tsuvr\n" + regions.reversed().map { "\($0.label)\t\(1 + Double($0.label % 5) / 10)\n" }.joined(),
                            "_atlas-\(atlas)_desc-sv2a_pet.tsv")
        func matrix(_ value: (Int, Int) -> Double) -> String {
            (0..<n).map { i in (0..<n).map { j in "\(i == j ? 0 : value(i, j))" }.joined(separator: "\t") }.joined(separator: "\n") + "\n"
        }
        let density = try write(matrix { 1 / Double(1 + abs($0 - $1)) }, "_atlas-\(atlas)_desc-density_connectome.tsv")
        let length = try write(matrix { 10 + 2 * Double(abs($0 - $1)) }, "_atlas-\(atlas)_desc-length_connectome.tsv")
        let header = regions.map(\.name).joined(separator: "\t")
        let rows = (0..<6).map { t in (0..<n).map { "\(100 + Double(t) + Double($0) / 4)" }.joined(separator: "\t") }
        let series = try write(([header] + rows).joined(separator: "\n") + "\n", "_task-rest_atlas-\(atlas)_timeseries.tsv")
        _ = try write(#"{"RepetitionTime": 0.5, "NumberOfVolumes": 6}"#, "_task-rest_atlas-\(atlas)_timeseries.json")
        return [gm, pet, density, length, series]
    }

    @Test func regionFilesAloneBuildAndRunATwinOnAnImportedAtlas() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let folder = database.home.root.appendingPathComponent("derivatives-in", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try importSmallAtlas(dtb, into: folder)
        let files = try writeRegionFiles(subject: "07", regions: [(1, "ctx_a"), (2, "ctx_b"), (3, "thal")], into: folder, atlas: "small")
        let ingest = try json(dtb.run(["ingest", "--json", "--pipeline", "mine", "--pipeline-version", "1"] + files.flatMap { ["--derivative", $0] }))
        #expect((ingest["sessions"] as? [[String: Any]])?.first?["measures_added"] as? Int == 5)
        let build = try json(dtb.run(["twin", "build", "07", "--atlas", "small", "--neurons", "3000", "--degree", "20", "--seed", "3",
                                      "--sv2a-reference", "ctx_a", "--json"]))
        #expect(build["twin"] as? String == "07-small" && build["action"] as? String == "created")
        let show = try json(dtb.run(["twin", "show", "07-small", "--json"]))
        let inputs = (show["version"] as? [String: Any])?["inputs"] as? [[String: Any]]
        #expect(Set(inputs?.compactMap { $0["role"] as? String } ?? []) == ["gm_volume", "synaptic_density", "tract_density", "tract_length"])
        let run = try json(dtb.run(["twin", "run", "07-small", "--seconds", "1", "--json"]))
        #expect(run["repetition_time"] as? Double == 0.5)   // the subject's BOLD TR, from the time series' sidecar
        #expect((run["spikes"] as? Int ?? 0) > 0)

        // Round trip: every kind exported as sub-08's files and ingested gives the same stored values.
        let out = database.home.root.appendingPathComponent("exported", isDirectory: true)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var exported: [String] = []
        for kind in MeasureKind.allCases {
            let original = try json(dtb.run(["subject", "export", "07", "--kind", kind.rawValue, "--format", "json"]))
            let name = try #require(fileName(kind: kind, atlas: "small"))
            let path = out.appendingPathComponent(name).path
            #expect(dtb.run(["subject", "export", "07", "--kind", kind.rawValue, "--output", path]).status == 0)
            exported.append(path)
            #expect(original["kind"] as? String == kind.rawValue && original["subject"] as? String == "07")
            #expect(nonSnakeKeys(original).isEmpty)
        }
        _ = try json(dtb.run(["ingest", "--json", "--pipeline", "copy"] + exported.flatMap { ["--derivative", $0] }))
        for kind in MeasureKind.allCases {
            let original = try json(dtb.run(["subject", "export", "07", "--kind", kind.rawValue, "--format", "json"]))
            let copy = try json(dtb.run(["subject", "export", "08", "--kind", kind.rawValue, "--format", "json"]))
            for key in ["values", "matrix", "series", "unit", "repetition_time", "regions"] {
                #expect((original[key] as? NSObject) == (copy[key] as? NSObject), "\(kind) \(key)")
            }
        }
    }

    func fileName(kind: MeasureKind, atlas: String) -> String? {
        let stem = "sub-08_ses-1_atlas-\(atlas)"
        switch kind {
        case .grayMatterVolume: return "\(stem)_desc-gm_morph.tsv"
        case .synapticDensity: return "\(stem)_desc-sv2a_pet.tsv"
        case .tractDensity: return "\(stem)_desc-density_connectome.tsv"
        case .tractLength: return "\(stem)_desc-length_connectome.tsv"
        case .boldTimeseries: return "\(stem)_timeseries.tsv"
        }
    }

    @Test(.requires(.atlasMirror)) func regionFilesAloneBuildATwinOnBrainnetome() async throws {
        let database = try await PreparedDatabases.atlases("brainnetome246")
        let dtb = try InProcessDTB(database: database)
        let catalog = AtlasCatalog(database: database)
        let regions = try catalog.regions(of: catalog.atlas(named: "brainnetome246")).map { ($0.label, $0.name) }
        let folder = database.home.root.appendingPathComponent("derivatives-in", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let files = try writeRegionFiles(subject: "bn", regions: regions, into: folder, atlas: "brainnetome246")
        _ = try json(dtb.run(["ingest", "--json", "--pipeline", "mine"] + files.flatMap { ["--derivative", $0] }))
        let build = try json(dtb.run(["twin", "build", "bn", "--atlas", "brainnetome246", "--neurons", "10000", "--degree", "20",
                                      "--seed", "5", "--json"]))
        #expect(build["twin"] as? String == "bn-brainnetome246" && build["action"] as? String == "created")
        let show = try json(dtb.run(["twin", "show", "bn-brainnetome246", "--units", "--json"]))
        #expect((show["version"] as? [String: Any])?["neurons"] as? Int == 10000)
        let units = show["units"] as? [[String: Any]]
        #expect(units?.count == 246)
        // Neurons follow the table's gray-matter volumes (1000 + 10 × label mm³): the last region has the most.
        let neurons = units?.compactMap { $0["neurons"] as? Int } ?? []
        #expect(neurons.count == 246 && neurons.last! > neurons.first!)
    }

    /// The image-ingested sample subject's measures, exported and ingested as another subject,
    /// build the same network: the stored values came back exactly.
    @Test(.requires(.atlasMirror)) func anImageIngestedSubjectExportedAndReingestedBuildsTheSameNetwork() async throws {
        let database = try await PreparedDatabases.sampleSubject().database
        let dtb = try InProcessDTB(database: database)
        let out = database.home.root.appendingPathComponent("exported", isDirectory: true)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var files: [String] = []
        for kind in [MeasureKind.grayMatterVolume, .synapticDensity, .tractDensity, .tractLength] {
            let path = out.appendingPathComponent(fileName(kind: kind, atlas: "brainnetome246")!).path
            let result = dtb.run(["subject", "export", "sample", "--kind", kind.rawValue, "--atlas", "brainnetome246", "--output", path])
            #expect(result.status == 0, "\(result.stderr)")
            files.append(path)
        }
        _ = try json(dtb.run(["ingest", "--json", "--pipeline", "copy"] + files.flatMap { ["--derivative", $0] }))
        let build = ["--atlas", "brainnetome246", "--neurons", "5000", "--degree", "20", "--seed", "4", "--json"]
        let original = try json(dtb.run(["twin", "build", "sample"] + build))
        let copy = try json(dtb.run(["twin", "build", "08"] + build))
        #expect(original["network_digest"] as? String != nil)
        #expect(original["network_digest"] as? String == copy["network_digest"] as? String)
    }

    @Test func aBadRegionTableExitsNonZeroAndStoresNothing() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let folder = database.home.root.appendingPathComponent("derivatives-in", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try importSmallAtlas(dtb, into: folder)
        let files = try writeRegionFiles(subject: "07", regions: [(1, "ctx_a"), (2, "ctx_b"), (3, "thal")], into: folder, atlas: "small")
        try "name\tgm_volume\nctx_a\t1\nctx_b\t-2\nthal\t3\n".write(toFile: files[0], atomically: true, encoding: .utf8)
        let before = try tableCounts(database.connection)
        let result = dtb.run(["ingest", "--pipeline", "mine"] + files.flatMap { ["--derivative", $0] })
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("dtb: ") } == ["dtb: \(files[0]): line 3, column gm_volume: -2 is negative; a gray-matter volume is ≥ 0 mm³"])
        #expect(try tableCounts(database.connection) == before)
    }

    @Test func exportErrorsAreOneLine() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let neither = dtb.run(["subject", "export", "07"])
        #expect(neither.status == 1 && neither.stderr == "dtb: give either --measure ID or --kind KIND, not both or neither\n")
        let kind = dtb.run(["subject", "export", "07", "--kind", "volume"])
        #expect(kind.status == 1 && kind.stderr.hasPrefix("dtb: --kind volume: not a measure kind (gm_volume, "))
        let nobody = dtb.run(["subject", "export", "07", "--kind", "gm_volume"])
        #expect(nobody.status == 1 && nobody.stderr == "dtb: subject '07' does not exist (none ingested; run `dtb ingest BIDS_ROOT`)\n")
    }
}
