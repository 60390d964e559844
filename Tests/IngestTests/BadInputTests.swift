import DTBTestSupport
import Foundation
import Ingest
import NIfTI
import Store
import Testing

/// Every bad input: a one-line error naming the file and the problem, and the database and the
/// data directory exactly as before.
@Suite struct BadIngestInputTests {
    let database: Database
    let root: URL
    let bids: BIDSBuilder

    init() async throws {
        database = try await toyDatabase()
        root = try scratch()
        bids = try BIDSBuilder(root: root)
        try bids.addSession("01")
    }

    func expectRejected(_ file: String, containing expected: String, options: IngestOptions = IngestOptions(),
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try tableCounts(database.connection)
        let filesBefore = storedFiles(database)
        let error = #expect(throws: (any Error).self, sourceLocation: sourceLocation) {
            try SubjectIngester(database: database).ingest(root: root, options: options)
        }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains(file), "message: \(message)", sourceLocation: sourceLocation)
        #expect(message.contains(expected), "message: \(message)", sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), sourceLocation: sourceLocation)
        #expect(try tableCounts(database.connection) == before, sourceLocation: sourceLocation)
        #expect(storedFiles(database) == filesBefore, sourceLocation: sourceLocation)
        let staging = database.home.files.appendingPathComponent(".staging").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []).isEmpty, sourceLocation: sourceLocation)
    }

    var gmPath: String { "derivatives/fmriprep/sub-01/anat/sub-01_space-MNI152NLin6Asym_label-GM_probseg.nii.gz" }
    var boldPath: String { "derivatives/fmriprep/sub-01/func/sub-01_task-rest_space-MNI152NLin6Asym_desc-preproc_bold.nii.gz" }
    var connectomePath: String { "derivatives/qsirecon/sub-01/dwi/sub-01_atlas-toy_desc-density_connectome.tsv" }

    @Test func truncatedGzip() throws {
        let url = bids.url(boldPath)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        try expectRejected(boldPath, containing: "truncated")
    }

    @Test func corruptGzip() throws {
        let url = bids.url(gmPath)
        var bytes = [UInt8](try Data(contentsOf: url))
        for i in 40..<min(bytes.count - 8, 80) { bytes[i] ^= 0x5a }
        try Data(bytes).write(to: url)
        try expectRejected(gmPath, containing: "corrupt gzip data")
    }

    @Test func threeDimensionalBOLD() throws {
        try writeImage(Toy.map(Toy.gm), dims: Toy.dims, to: bids.url(boldPath))
        try expectRejected(boldPath, containing: "is 3-D")
    }

    @Test func fourDimensionalGrayMatter() throws {
        try writeImage(Toy.map(Toy.gm) + Toy.map(Toy.gm), dims: Toy.dims + [2], to: bids.url(gmPath))
        try expectRejected(gmPath, containing: "is 4-D (2 volumes); a 3-D map is required")
    }

    @Test func nanVoxelsAreRejectedWithoutTheFlag() throws {
        var values = Toy.map(Toy.pet)
        values[3] = .nan
        values[7] = .infinity
        let path = "derivatives/petprep/sub-01/pet/sub-01_trc-UCBJ_space-MNI152NLin6Asym_desc-suvr_pet.nii.gz"
        try writeImage(values, dims: Toy.dims, to: bids.url(path))
        try expectRejected(path, containing: "2 NaN or infinite voxels")
    }

    @Test func gridMatchingNoAtlas() throws {
        // No space- entity and a grid unlike any atlas grid.
        let path = "derivatives/fmriprep/sub-01/anat/sub-01_label-GM_probseg.nii.gz"
        try FileManager.default.removeItem(at: bids.url(gmPath))
        try writeImage([Float](repeating: 0.5, count: 7 * 5 * 4), dims: [7, 5, 4], to: bids.url(path))
        try expectRejected(path, containing: "matches no grid of atlas toy")
    }

    @Test func affineOutsideTheTemplate() throws {
        // Claims the template space but its affine puts the atlas outside the field of view.
        let shifted: [[Double]] = [[2, 0, 0, 200], [0, 2, 0, 200], [0, 0, 2, 200], [0, 0, 0, 1]]
        try writeImage(Toy.map(Toy.gm), dims: Toy.dims, affine: shifted, to: bids.url(gmPath))
        try expectRejected(gmPath, containing: "inside its field of view")
    }

    @Test func bvalCountMismatch() throws {
        try writeText("0 1000\n", to: bids.url("sub-01/dwi/sub-01_dwi.bval"))
        try expectRejected("sub-01/dwi/sub-01_dwi.bval", containing: "has 2 b-values but the DWI image has 3 volumes")
    }

    @Test func bvecCountMismatch() throws {
        try writeText("1 0 0 1\n0 1 0 0\n0 0 1 0\n", to: bids.url("sub-01/dwi/sub-01_dwi.bvec"))
        try expectRejected("sub-01/dwi/sub-01_dwi.bvec", containing: "expected 3 rows of 3")
    }

    @Test func missingTaskName() throws {
        try writeText(#"{"RepetitionTime": 2.0}"#, to: root.appendingPathComponent("task-rest_bold.json"))
        try expectRejected("sub-01/func/sub-01_task-rest_bold.nii.gz", containing: "missing required sidecar field TaskName")
    }

    @Test func missingRepetitionTime() throws {
        try writeText(#"{"TaskName": "rest"}"#, to: root.appendingPathComponent("task-rest_bold.json"))
        try expectRejected("sub-01/func/sub-01_task-rest_bold.nii.gz", containing: "RepetitionTime (or VolumeTiming)")
    }

    @Test func missingPETFields() throws {
        try writeText(#"{"TracerName": "UCB-J", "Units": "Bq/mL"}"#, to: bids.url("sub-01/pet/sub-01_trc-UCBJ_pet.json"))
        try expectRejected("sub-01/pet/sub-01_trc-UCBJ_pet.nii.gz", containing: "missing required sidecar fields TracerRadionuclide")
    }

    @Test func connectomeOfTheWrongSize() throws {
        try writeText("0\t1\n1\t0\n", to: bids.url(connectomePath))
        try expectRejected(connectomePath, containing: "atlas toy has 3 regions, so 3×3 is required")
    }

    @Test func connectomeInTheWrongRegionOrder() throws {
        try writeText("frontal_R\tfrontal_L\tthalamus_L\n0\t1\t1\n1\t0\t0\n1\t0\t0\n", to: bids.url(connectomePath))
        try expectRejected(connectomePath, containing: "region order does not match atlas toy: column 1 is 'frontal_R'")
    }

    @Test func duplicateSubjectLabelWithDifferentData() throws {
        _ = try SubjectIngester(database: database).ingest(root: root)
        let other = try scratch()
        defer { try? FileManager.default.removeItem(at: other) }
        let second = try BIDSBuilder(root: other, name: "another study")
        try second.addSession("01")
        let before = try tableCounts(database.connection)
        let error = #expect(throws: (any Error).self) { try SubjectIngester(database: database).ingest(root: other) }
        #expect(String(describing: error as Any).contains("duplicate subject label sub-01: already stored from dataset 'toy study'"))
        #expect(try tableCounts(database.connection) == before)
        // Same dataset, changed participants.tsv row: also refused.
        try writeText("participant_id\tage\nsub-01\t35\n", to: root.appendingPathComponent("participants.tsv"))
        try expectRejected("participants.tsv", containing: "duplicate subject label sub-01 with different participant data")
    }

    @Test func nonBIDSFileName() throws {
        try writeImage(Toy.map(Toy.gm), dims: Toy.dims, to: bids.url("sub-01/anat/brain.nii.gz"))
        try expectRejected("sub-01/anat/brain.nii.gz", containing: "not a BIDS file name")
    }

    @Test func fileOfAnotherSubject() throws {
        try writeImage(Toy.map(Toy.gm), dims: Toy.dims, to: bids.url("sub-01/anat/sub-02_T1w.nii.gz"))
        try expectRejected("sub-01/anat/sub-02_T1w.nii.gz", containing: "not a BIDS file name for this folder")
    }

    @Test func unreadableFile() throws {
        // A dangling link: unreadable even for root, unlike chmod 000.
        let t1 = bids.url("sub-01/anat/sub-01_T1w.nii.gz")
        try FileManager.default.removeItem(at: t1)
        try FileManager.default.createSymbolicLink(atPath: t1.path, withDestinationPath: "/nonexistent/t1.nii.gz")
        try expectRejected("sub-01/anat/sub-01_T1w.nii.gz", containing: "cannot read")
    }

    @Test func missingDatasetDescription() throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent("dataset_description.json"))
        try expectRejected("dataset_description.json", containing: "missing")
    }

    @Test func derivativeWithoutGeneratedBy() throws {
        try writeText(#"{"Name": "x", "BIDSVersion": "1.9.0"}"#, to: bids.url("derivatives/petprep/dataset_description.json"))
        try expectRejected("derivatives/petprep/dataset_description.json", containing: "GeneratedBy")
    }

    @Test func laterSessionFailureKeepsEarlierOnes() throws {
        // One transaction per subject-session: sub-02 is bad, sub-01 stays stored.
        defer { try? FileManager.default.removeItem(at: root) }
        try bids.addSession("02")
        try writeText("0 1000\n", to: bids.url("sub-02/dwi/sub-02_dwi.bval"))
        #expect(throws: IngestError.self) { try SubjectIngester(database: database).ingest(root: root) }
        #expect(try SubjectCatalog(database: database).subjects().map(\.label) == ["01"])
    }
}
