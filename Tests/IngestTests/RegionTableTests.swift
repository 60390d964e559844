import DTBTestSupport
import Foundation
import Ingest
import Store
import Testing

/// Regional gray-matter and SV2A tables (`desc-gm_morph.tsv`, `desc-sv2a_pet.tsv`): stored as the
/// image path's measures, directly or from a BIDS tree.
@Suite struct RegionTableTests {
    @Test func tablesByNameAndByLabelBecomeTheImageMeasures() async throws {
        let database = try await toyDatabase()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Rows in any order; names or labels; extra columns ignored.
        let gm = dir.appendingPathComponent("sub-05_ses-1_atlas-toy_desc-gm_morph.tsv")
        try writeText("name\themisphere\tgm_volume\nthalamus_L\tL\t812.5\nfrontal_L\tL\t1520.25\nfrontal_R\tR\t1499\n", to: gm)
        let pet = dir.appendingPathComponent("sub-05_ses-1_trc-UCBJ_atlas-toy_desc-sv2a_pet.tsv")
        try writeText("index\tname\tsuvr\n1\tfrontal_L\t1.25\n2\tfrontal_R\t1.5\n3\tthalamus_L\t0.875\n", to: pet)
        let report = try SubjectIngester(database: database).ingestDerivatives([gm, pet], pipeline: "fastsurfer", version: "2.2")
        #expect(report.sessions.map(\.measuresAdded) == [2])
        #expect(report.sessions.first?.modalities == ["anat", "pet"])
        let detail = try SubjectCatalog(database: database).subject("05", values: true)
        let volume = try #require(detail.measures.first { $0.kind == .grayMatterVolume })
        #expect(volume.unit == "mm3" && volume.pipeline == "fastsurfer 2.2" && volume.regions == 3)
        #expect(volume.values?.map(\.value) == [1520.25, 1499, 812.5])
        let density = try #require(detail.measures.first { $0.kind == .synapticDensity })
        #expect(density.unit == "SUVR")
        #expect(density.values?.map(\.value) == [1.25, 1.5, 0.875])
        #expect(detail.scans.map(\.modality) == ["anat", "pet"])
        // The same files again: a no-op.
        let again = try SubjectIngester(database: database).ingestDerivatives([gm, pet], pipeline: "fastsurfer", version: "2.2")
        #expect(again.sessions.map(\.action) == [.unchanged])
    }

    @Test func tablesInABIDSTreeAreIngestedWithTheSession() async throws {
        let (database, root, bids) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        try writeText(#"{"Name": "fs", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "fastsurfer", "Version": "2.2"}]}"#,
                      to: bids.url("derivatives/fastsurfer/dataset_description.json"))
        try writeText("label\tgm_volume\n1\t10\n2\t20\n3\t30\n", to: bids.url("derivatives/fastsurfer/sub-01/anat/sub-01_atlas-toy_desc-gm_morph.tsv"))
        try writeText("name\tsuvr\nfrontal_L\t2\nfrontal_R\t3\nthalamus_L\t4\n",
                      to: bids.url("derivatives/fastsurfer/sub-01/pet/sub-01_trc-UCBJ_atlas-toy_desc-sv2a_pet.tsv"))
        try writeText(#"{"Units": "BPND"}"#, to: bids.url("derivatives/fastsurfer/sub-01/pet/sub-01_trc-UCBJ_atlas-toy_desc-sv2a_pet.json"))
        _ = try SubjectIngester(database: database).ingest(root: root)
        let detail = try SubjectCatalog(database: database).subject("01", values: true)
        let tables = detail.measures.filter { $0.pipeline == "fastsurfer 2.2" }
        #expect(tables.map(\.kind) == [.grayMatterVolume, .synapticDensity])
        #expect(tables.map(\.unit) == ["mm3", "BPND"])
        #expect(tables.map { $0.values?.map(\.value) ?? [] } == [[10, 20, 30], [2, 3, 4]])
        // The PET table points to its raw PET scan, like a PET map does.
        let source = try database.connection.query("""
            SELECT r.bids_path FROM scan d JOIN scan r ON r.id = d.source_scan_id WHERE d.bids_path LIKE '%desc-sv2a_pet.tsv'
            """).first?[0].string
        #expect(source == "sub-01/pet/sub-01_trc-UCBJ_pet.nii.gz")
    }
}

/// Every bad region-level file: one line naming the file and the problem; nothing stored.
@Suite struct BadRegionLevelInputTests {
    let database: Database
    let dir: URL

    init() async throws {
        database = try await toyDatabase()
        dir = try scratch()
    }

    /// Writes `text` as `name` beside a good GM table of another session, ingests both, and
    /// expects `expected` about the bad file and an unchanged database and file store.
    func expectRejected(_ name: String, _ text: String, sidecar: String? = nil, containing expected: String,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("sub-02_ses-0_atlas-toy_desc-gm_morph.tsv")
        try writeText("index\tgm_volume\n1\t1\n2\t2\n3\t3\n", to: good)
        let bad = dir.appendingPathComponent(name)
        try writeText(text, to: bad)
        if let sidecar { try writeText(sidecar, to: bad.deletingPathExtension().appendingPathExtension("json")) }
        let before = try tableCounts(database.connection)
        let filesBefore = storedFiles(database)
        let error = #expect(throws: IngestError.self, sourceLocation: sourceLocation) {
            try SubjectIngester(database: database).ingestDerivatives([good, bad], pipeline: "p", version: "1")
        }
        let message = error?.description ?? ""
        #expect(message.hasPrefix(bad.path + ": "), "message: \(message)", sourceLocation: sourceLocation)
        #expect(message.contains(expected), "message: \(message)", sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), sourceLocation: sourceLocation)
        #expect(try tableCounts(database.connection) == before, sourceLocation: sourceLocation)
        #expect(storedFiles(database) == filesBefore, sourceLocation: sourceLocation)
    }

    let gm = "sub-03_atlas-toy_desc-gm_morph.tsv"
    let pet = "sub-03_atlas-toy_desc-sv2a_pet.tsv"
    let series = "sub-03_task-rest_atlas-toy_timeseries.tsv"

    @Test func unknownRegionName() throws {
        try expectRejected(gm, "name\tgm_volume\nfrontal_L\t1\nfrontal_X\t2\nthalamus_L\t3\n",
                           containing: "line 3: 'frontal_X' is not a region name of atlas toy")
    }

    @Test func unknownLabel() throws {
        try expectRejected(pet, "index\tsuvr\n1\t1\n2\t1\n9\t1\n", containing: "line 4: label 9 is not a region of atlas toy")
    }

    @Test func labelAndNameDisagree() throws {
        try expectRejected(gm, "index\tname\tgm_volume\n1\tfrontal_R\t1\n", containing: "line 2: label 1 is region frontal_L of atlas toy, not 'frontal_R'")
    }

    @Test func missingRegions() throws {
        try expectRejected(gm, "name\tgm_volume\nfrontal_R\t2\n", containing: "misses 2 of atlas toy's 3 regions: frontal_L, thalamus_L")
    }

    @Test func duplicateRegion() throws {
        try expectRejected(pet, "name\tsuvr\nfrontal_L\t1\nfrontal_R\t1\nfrontal_L\t1\nthalamus_L\t1\n",
                           containing: "line 4: region frontal_L (label 1) appears twice (first on line 2)")
    }

    @Test func notFiniteValues() throws {
        try expectRejected(gm, "index\tgm_volume\n1\t1\n2\tNaN\n3\t1\n", containing: "line 3, column gm_volume: 'NaN' is not a finite number")
        try expectRejected(pet, "index\tsuvr\n1\tinf\n2\t1\n3\t1\n", containing: "line 2, column suvr: 'inf' is not a finite number")
    }

    @Test func negativeVolumeAndNonPositiveSUVR() throws {
        try expectRejected(gm, "index\tgm_volume\n1\t1\n2\t-0.5\n3\t1\n", containing: "line 3, column gm_volume: -0.5 is negative")
        try expectRejected(pet, "index\tsuvr\n1\t1\n2\t1\n3\t0\n", containing: "line 4, column suvr: 0 is not positive")
    }

    @Test func wrongColumnTypes() throws {
        try expectRejected(gm, "index\tgm_volume\n1\t1\nfrontal_R\t1\n3\t1\n", containing: "line 3, column index: 'frontal_R' is not an integer label")
        try expectRejected(gm, "index\tgm_volume\n1\t1\n2\tlarge\n3\t1\n", containing: "line 3, column gm_volume: 'large' is not a number")
        try expectRejected(series, "frontal_L\tfrontal_R\tthalamus_L\n1\t2\tx\n", sidecar: #"{"RepetitionTime": 2}"#,
                           containing: "line 2, column 3: 'x' is not a finite number")
    }

    @Test func missingColumns() throws {
        try expectRejected(gm, "region\tgm_volume\nfrontal_L\t1\n", containing: "no region column")
        try expectRejected(pet, "index\tsuv\n1\t1\n", containing: "no suvr column (header: index, suv)")
    }

    @Test func emptyFiles() throws {
        try expectRejected(gm, "", containing: "empty file")
        try expectRejected(pet, "index\tsuvr\n", containing: "has a header but no rows; atlas toy has 3 regions")
        try expectRejected("sub-03_atlas-toy_desc-density_connectome.tsv", "\n", containing: "empty file")
        try expectRejected(series, "", sidecar: #"{"RepetitionTime": 2}"#, containing: "empty file")
    }

    @Test func frameCountDisagreesWithSidecar() throws {
        let rows = "frontal_L\tfrontal_R\tthalamus_L\n1\t2\t3\n4\t5\t6\n"
        try expectRejected(series, rows, sidecar: #"{"RepetitionTime": 2, "NumberOfVolumes": 3}"#,
                           containing: "has 2 time points but its sidecar states 3 (NumberOfVolumes)")
        try expectRejected(series, rows, sidecar: #"{"VolumeTiming": [0, 2, 4]}"#,
                           containing: "has 2 time points but its sidecar states 3 (VolumeTiming)")
        try expectRejected(series, rows, sidecar: #"{"RepetitionTime": 0}"#, containing: "RepetitionTime must be a positive number of seconds, not 0")
    }

    @Test func tableWithAnotherDesc() throws {
        try expectRejected("sub-03_atlas-toy_desc-wm_morph.tsv", "index\tgm_volume\n1\t1\n",
                           containing: "a regional morph table is named …_desc-gm_morph.tsv (this has desc-wm)")
    }
}

/// A subject is one person whatever route their data came by.
@Suite struct SubjectIdentityTests {
    @Test func aBIDSIngestAdoptsASubjectThatCameByDerivatives() async throws {
        let (database, root, _) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        let direct = root.appendingPathComponent("direct/sub-01_atlas-toy_desc-length_connectome.tsv")
        try writeText("0\t1\t2\n1\t0\t3\n2\t3\t0\n", to: direct)
        _ = try SubjectIngester(database: database).ingestDerivatives([direct], pipeline: "mrtrix", version: "3")
        #expect(try SubjectCatalog(database: database).subject("01").dataset == "direct derivatives")
        let report = try SubjectIngester(database: database).ingest(root: root)
        #expect(report.sessions.map(\.action) == [.ingested])
        let detail = try SubjectCatalog(database: database).subject("01")
        #expect(detail.dataset == "toy study" && detail.participant == ["age": "34"])
        #expect(detail.measures.contains { $0.kind == .tractLength } && detail.measures.contains { $0.kind == .grayMatterVolume })
        #expect(try database.connection.query("SELECT count(*) FROM subject").scalar().int == 1)
        // And the dataset again: unchanged, not a duplicate.
        #expect(try SubjectIngester(database: database).ingest(root: root).sessions.map(\.action) == [.unchanged])
    }

    @Test func derivativesAttachToASubjectThatCameByBIDS() async throws {
        let (database, root, _) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try SubjectIngester(database: database).ingest(root: root)
        let direct = root.appendingPathComponent("direct/sub-01_atlas-toy_desc-length_connectome.tsv")
        try writeText("0\t1\t2\n1\t0\t3\n2\t3\t0\n", to: direct)
        let report = try SubjectIngester(database: database).ingestDerivatives([direct], pipeline: "mrtrix", version: "3")
        #expect(report.sessions.map(\.action) == [.ingested])
        let detail = try SubjectCatalog(database: database).subject("01")
        #expect(detail.dataset == "toy study" && detail.participant == ["age": "34"])
        #expect(detail.measures.contains { $0.kind == .tractLength })
        #expect(try database.connection.query("SELECT count(*) FROM subject").scalar().int == 1)
        // A BIDS ingest afterwards is still the same subject.
        #expect(try SubjectIngester(database: database).ingest(root: root).sessions.map(\.action) == [.unchanged])
    }
}
