import AtlasCatalog
import DTBTestSupport
import Foundation
import NIfTI
import Store
import Testing

/// Every bad atlas input: a one-line error naming the file and the problem, and a database
/// (and data directory) exactly as before.
@Suite struct BadAtlasInputTests {
    let database: Database
    let directory: URL
    let table: URL
    let volume: URL

    init() throws {
        database = try TestDatabase.make()
        directory = try scratchDirectory()
        table = directory.appendingPathComponent("labels.tsv")
        volume = directory.appendingPathComponent("labels.nii.gz")
        try writeTable("index\tname\themisphere\n1\tfrontal_L\tL\n2\tfrontal_R\tR\n3\tthalamus_L\tL\n", to: table)
        try writeLabelVolume(syntheticLabels(), to: volume)
    }

    /// Runs a failing import and checks the message and that nothing changed.
    func expectRejected(name: String = "toy", volume: URL? = nil, table: URL? = nil, containing expected: String,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try tableCounts(database.connection)
        let filesBefore = storedFiles(database)
        let error = #expect(throws: (any Error).self, sourceLocation: sourceLocation) {
            try AtlasImporter(database: database, mirror: nil)
                .importAtlas(name: name, labelVolume: volume ?? self.volume, labelTable: table ?? self.table)
        }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains(expected), "message: \(message)", sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), sourceLocation: sourceLocation)
        #expect(try tableCounts(database.connection) == before, sourceLocation: sourceLocation)
        #expect(storedFiles(database) == filesBefore, sourceLocation: sourceLocation)
    }

    @Test func goodSyntheticAtlasImports() throws {
        let outcome = try AtlasImporter(database: database, mirror: nil).importAtlas(name: "toy", labelVolume: volume, labelTable: table)
        #expect(outcome.action == .imported)
        let catalog = AtlasCatalog(database: database)
        let atlas = try catalog.atlas(named: "toy")
        let extents = try catalog.regionExtents(on: atlas.primaryGrid).map(\.voxelCount)
        #expect(extents == [40, 30, 20])
        let regions = try catalog.regions(of: atlas)
        #expect(regions.map(\.hemisphere) == ["left", "right", "left"])
        #expect(regions.map(\.kind) == ["cortical", "cortical", "subcortical"])
        #expect(try catalog.regionExtents(on: atlas.primaryGrid).map(\.volumeMM3) == [320, 240, 160])
    }

    @Test func truncatedGzipVolume() throws {
        let data = try Data(contentsOf: volume)
        let truncated = directory.appendingPathComponent("truncated.nii.gz")
        try data.prefix(data.count / 2).write(to: truncated)
        try expectRejected(volume: truncated, containing: "truncated.nii.gz: ")
    }

    @Test func corruptGzipVolume() throws {
        var data = try Data(contentsOf: volume)
        for index in stride(from: 40, to: data.count - 8, by: 7) { data[index] ^= 0x5A }
        let corrupt = directory.appendingPathComponent("corrupt.nii.gz")
        try data.write(to: corrupt)
        try expectRejected(volume: corrupt, containing: "corrupt.nii.gz: ")
    }

    @Test func labelInVolumeMissingFromTable() throws {
        let stray = directory.appendingPathComponent("stray.nii.gz")
        try writeLabelVolume(syntheticLabels(extraLabel: 9), to: stray)
        try expectRejected(volume: stray, containing: "stray.nii.gz: label 9 (1 voxels) is not in the label table")
    }

    @Test func labelInTableMissingFromVolume() throws {
        let extra = directory.appendingPathComponent("extra.tsv")
        try writeTable("index\tname\n1\ta\n2\tb\n3\tc\n4\tghost\n", to: extra)
        try expectRejected(table: extra, containing: "extra.tsv: label 4 (ghost) has no voxels in")
    }

    @Test func duplicateLabels() throws {
        let duplicate = directory.appendingPathComponent("dup.tsv")
        try writeTable("index\tname\n1\ta\n2\tb\n2\tc\n3\td\n", to: duplicate)
        try expectRejected(table: duplicate, containing: "dup.tsv: line 4: duplicate label 2 (also on line 3)")
    }

    @Test func nonIntegerLabelVolume() throws {
        let fractional = directory.appendingPathComponent("fractional.nii.gz")
        let header = NIfTIHeader(dimensions: [6, 5, 4], datatype: .float32,
                                 affine: [[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]])
        try NIfTIImage(header: header, float32: syntheticLabels().enumerated().map { $0.offset == 5 ? 1.5 : Float($0.element) })
            .write(to: fractional.path)
        try expectRejected(volume: fractional, containing: "fractional.nii.gz: ")
    }

    @Test func fourDimensionalVolume() throws {
        let series = directory.appendingPathComponent("series.nii.gz")
        let header = NIfTIHeader(dimensions: [6, 5, 4, 2], datatype: .int16,
                                 affine: [[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]])
        try NIfTIImage(header: header, int16: syntheticLabels() + syntheticLabels()).write(to: series.path)
        try expectRejected(volume: series, containing: "series.nii.gz: a label volume must be 3-D")
    }

    @Test func missingFile() throws {
        try expectRejected(volume: directory.appendingPathComponent("absent.nii.gz"), containing: "absent.nii.gz")
    }

    @Test func nameTakenByDifferentContent() throws {
        _ = try AtlasImporter(database: database, mirror: nil).importAtlas(name: "toy", labelVolume: volume, labelTable: table)
        let renamed = directory.appendingPathComponent("renamed.tsv")
        try writeTable("index\tname\n1\tx\n2\ty\n3\tz\n", to: renamed)
        try expectRejected(table: renamed, containing: "atlas 'toy' already exists with different content")
        // The same content again is fine and changes nothing.
        let before = try tableCounts(database.connection)
        #expect(try AtlasImporter(database: database, mirror: nil).importAtlas(name: "toy", labelVolume: volume, labelTable: table).action == .unchanged)
        #expect(try tableCounts(database.connection) == before)
    }

    @Test(.requires(.atlasMirror)) func checksumMismatchInTheMirror() throws {
        let shared = try atlasMirror()
        let mirror = directory.appendingPathComponent("mirror", isDirectory: true)
        let brainnetome = mirror.appendingPathComponent("brainnetome", isDirectory: true)
        try FileManager.default.createDirectory(at: brainnetome, withIntermediateDirectories: true)
        for name in ["BN_Atlas_246_1mm.nii.gz", "brainnetome246_regions.csv", "subregion_func_network_Yeo_updated.csv"] {
            try FileManager.default.copyItem(at: shared.appendingPathComponent("brainnetome/\(name)"), to: brainnetome.appendingPathComponent(name))
        }
        var altered = try Data(contentsOf: shared.appendingPathComponent("brainnetome/BN_Atlas_246_2mm.nii.gz"))
        altered[altered.count - 1] ^= 0xFF
        try altered.write(to: brainnetome.appendingPathComponent("BN_Atlas_246_2mm.nii.gz"))
        let before = try tableCounts(database.connection)
        let error = #expect(throws: AtlasError.self) {
            try AtlasImporter(database: database, mirror: mirror).importBuiltin("brainnetome246")
        }
        #expect(error?.description.contains("BN_Atlas_246_2mm.nii.gz: checksum mismatch: the manifest expects sha256 fe5f69ed40875ad8") == true)
        #expect(try tableCounts(database.connection) == before)
    }

    @Test func unknownAtlasNames() throws {
        let error = #expect(throws: StoreError.self) { try AtlasCatalog(database: database).atlas(named: "nosuch") }
        #expect(error?.description.hasPrefix("atlas 'nosuch' does not exist") == true)
        let builtin = #expect(throws: AtlasError.self) { try AtlasImporter(database: database, mirror: nil).importBuiltin("nosuch") }
        #expect(builtin?.description.contains("is not built in (built in: brainnetome246, cortsub374)") == true)
    }

    @Test(.requires(.atlasMirror)) func freeSurferLookupTableParses() throws {
        let shared = try atlasMirror()
        let lut = try LabelTable(contentsOf: shared.appendingPathComponent("brainnetome/BN_Atlas_246_LUT.txt"))
        #expect(lut.rows.count == 246)
        #expect(lut.rows.first?.name == "A8m_L")
        #expect(lut.rows.last?.label == 246)
    }
}
