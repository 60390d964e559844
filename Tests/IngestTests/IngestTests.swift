import AtlasCatalog
import DTBTestSupport
import Foundation
import HDF5Kit
import Ingest
import NIfTI
import Postgres
import Store
import Testing

@Suite struct IngestTests {
    @Test func ingestsFourModalitiesForTwoSubjects() async throws {
        let database = try await toyDatabase()
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let bids = try BIDSBuilder(root: root)
        try bids.addSession("01", "a")
        try bids.addSession("01", "b", scale: 2)
        try bids.addSession("02", "a")
        // Sidecar inheritance, nearest level wins: the subject-level TR overrides the dataset-level one.
        try writeText(#"{"RepetitionTime": 1.5}"#, to: root.appendingPathComponent("sub-02/sub-02_task-rest_bold.json"))
        try writeText("filename\tacq_time\nanat/sub-01_ses-a_T1w.nii.gz\t2024-03-01T09:30:00\n",
                      to: root.appendingPathComponent("sub-01/ses-a/sub-01_ses-a_scans.tsv"))
        let listener = try TestDatabase.connect(to: database)
        try listener.listen(SubjectIngester.notificationChannel)

        let report = try SubjectIngester(database: database).ingest(root: root)
        #expect(report.sessions.map { "\($0.subject)/\($0.session)" } == ["01/a", "01/b", "02/a"])
        for s in report.sessions {
            #expect(s.action == .ingested)
            #expect(s.modalities == ["anat", "dwi", "func", "pet"])
            #expect(s.scansAdded.count == 8)       // 4 raw + GM, BOLD, PET, connectome
            #expect(s.measuresAdded == 4)
        }
        var payloads: [String] = []
        while let note = try listener.waitForNotification(timeout: 2) {
            payloads.append(note.payload)
            if payloads.count == 3 { break }
        }
        #expect(payloads.first == #"{"modalities":["anat","dwi","func","pet"],"session":"a","subject":"01"}"#)
        #expect(payloads.count == 3)

        let detail = try SubjectCatalog(database: database).subject("sub-01", values: true)
        #expect(detail.sessions == ["a", "b"])
        #expect(detail.participant == ["age": "34"])
        // Gray-matter volume: sum of probability × 8 mm³, checked against a plain loop.
        let gmRef = Toy.reference(Toy.map(Toy.gm))
        let gm = try #require(detail.measures.first { $0.session == "a" && $0.kind == .grayMatterVolume })
        #expect(gm.values?.map(\.value) == gmRef.sums.map { $0 * 8 })
        #expect(gm.values?.map(\.voxels) == gmRef.counts)
        #expect(gm.pipeline == "fmriprep 23.2.0" && gm.unit == "mm3" && !gm.resampled)
        // Voxel-level values in HDF5: the map at the atlas's labelled voxels, region by region.
        let gmFile = try HDF5File.open(path: database.files.url(of: try #require(gm.file)).path)
        let voxelIndex = try gmFile.dataset("/toy/voxel_index").read(Int32.self)
        let voxelValues = try gmFile.dataset("/toy/voxels").read(Float.self)
        gmFile.close()
        let gmMap = Toy.map(Toy.gm), toyLabels = Toy.labels()
        #expect(voxelValues == voxelIndex.map { gmMap[Int($0)] })
        #expect(voxelIndex.map { toyLabels[Int($0)] } == toyLabels.filter { $0 != 0 }.sorted())
        let gmB = try #require(detail.measures.first { $0.session == "b" && $0.kind == .grayMatterVolume })
        // Session b's probabilities are halved (scale 2 divides gray matter): 8 mm³ voxels × ½.
        #expect(gmB.values?.map(\.value) == gmRef.sums.map { $0 * 4 })
        // PET: mean per region, in the sidecar's units.
        let petRef = Toy.reference(Toy.map(Toy.pet))
        let pet = try #require(detail.measures.first { $0.session == "a" && $0.kind == .synapticDensity })
        #expect(pet.unit == "SUVR" && pet.pipeline == "petprep 0.1")
        #expect(pet.values?.map(\.value) == (0..<3).map { petRef.sums[$0] / Double(petRef.counts[$0]) })
        // BOLD: region mean series in HDF5, frames × regions.
        let bold = try #require(detail.measures.first { $0.session == "a" && $0.kind == .boldTimeseries })
        #expect(bold.frames == 5 && bold.repetitionTime == 2.0)
        let file = try HDF5File.open(path: database.files.url(of: try #require(bold.file)).path)
        let series = try file.dataset("/toy/series").read(Float.self)
        file.close()
        for t in 0..<5 {
            let reference = Toy.reference(Toy.map { Toy.bold($0, $1, $2, t) })
            #expect(Array(series[(3 * t)..<(3 * t + 3)]) == (0..<3).map { Float(reference.sums[$0] / Double(reference.counts[$0])) })
        }
        // Connectome edges in atlas order.
        let connectome = try #require(detail.measures.first { $0.session == "a" && $0.kind == .tractDensity })
        #expect(connectome.rows == 6)
        let matrix = try SubjectCatalog(database: database).connectome(measureID: connectome.id)
        #expect(matrix.labels == [1, 2, 3] && matrix.matrix == [0, 3, 1, 3, 0, 0.5, 1, 0.5, 0])
        // Raw scans with provenance links, gradients and events.
        let c = database.connection
        #expect(try c.query("SELECT count(*) FROM dwi_gradient").scalar().int == 3)
        #expect(try c.query("SELECT count(*) FROM task_event").scalar().int == 6)
        let links = try c.query("""
            SELECT d.bids_path, r.bids_path FROM scan d LEFT JOIN scan r ON r.id = d.source_scan_id WHERE d.pipeline_id IS NOT NULL ORDER BY 1
            """).map { "\($0[0].string!) <- \($0[1].string ?? "nil")" }
        #expect(links.filter { !$0.hasSuffix("nil") }.count == 12, "\(links)")   // GM→T1w, BOLD→bold, PET→pet, connectome→dwi; 3 sessions
        #expect(try SubjectCatalog(database: database).subjects().map(\.label) == ["01", "02"])
        let trs = try c.query("""
            SELECT sc.bids_path, sc.sidecar->>'RepetitionTime', sc.sidecar->>'TaskName' FROM scan sc WHERE sc.suffix = 'bold' ORDER BY 1
            """).map { "\($0[0].string!.split(separator: "/").last!) \($0[1].string!) \($0[2].string!)" }
        #expect(trs.contains("sub-01_ses-a_task-rest_bold.nii.gz 2 rest"))
        #expect(trs.contains("sub-02_ses-a_task-rest_bold.nii.gz 1.5 rest"))
        #expect(trs.contains("sub-02_ses-a_task-rest_space-MNI152NLin6Asym_desc-preproc_bold.nii.gz 1.5 rest"))   // via its raw scan
        let time = try c.query("""
            SELECT to_char(acquisition_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM scan WHERE bids_path = 'sub-01/ses-a/anat/sub-01_ses-a_T1w.nii.gz'
            """).scalar().string
        #expect(time == "2024-03-01 09:30")
        let tr02 = try #require(try SubjectCatalog(database: database).subject("02").measures.first { $0.kind == .boldTimeseries })
        #expect(tr02.repetitionTime == 1.5)
    }

    @Test func reingestIsANoOpAndAChangedFileAddsAVersion() async throws {
        let (database, root, bids) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try SubjectIngester(database: database).ingest(root: root)
        let counts = try tableCounts(database.connection)
        let again = try SubjectIngester(database: database).ingest(root: root)
        #expect(again.sessions.map(\.action) == [.unchanged])
        #expect(try tableCounts(database.connection) == counts)
        // Change the GM map: a new version of that scan and its measure; nothing overwritten.
        try writeImage(Toy.map { Toy.gm($0, $1, $2) * 0.5 }, dims: Toy.dims,
                       to: bids.url("derivatives/fmriprep/sub-01/anat/sub-01_space-MNI152NLin6Asym_label-GM_probseg.nii.gz"))
        let changed = try SubjectIngester(database: database).ingest(root: root)
        #expect(changed.sessions[0].scansAdded == ["derivatives/fmriprep/sub-01/anat/sub-01_space-MNI152NLin6Asym_label-GM_probseg.nii.gz v2"])
        #expect(changed.sessions[0].measuresAdded == 1 && changed.sessions[0].modalities == ["anat"])
        let gm = try SubjectCatalog(database: database).subject("01", values: true).measures.filter { $0.kind == .grayMatterVolume }
        #expect(gm.map(\.scanVersion) == [1, 2])
        #expect(gm[1].values!.map(\.value) == gm[0].values!.map { $0.value * 0.5 })
    }

    @Test func nonFiniteVoxelsCanBeMaskedExplicitly() async throws {
        let (database, root, bids) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        var values = Toy.map(Toy.gm)
        values[0] = .nan
        try writeImage(values, dims: Toy.dims, to: bids.url("derivatives/fmriprep/sub-01/anat/sub-01_space-MNI152NLin6Asym_label-GM_probseg.nii.gz"))
        _ = try SubjectIngester(database: database).ingest(root: root, options: IngestOptions(maskNonFinite: true))
        let gm = try #require(try SubjectCatalog(database: database).subject("01", values: true).measures.first { $0.kind == .grayMatterVolume })
        #expect(gm.maskedVoxels == 1)
        values[0] = 0
        #expect(gm.values!.map(\.value) == Toy.reference(values).sums.map { $0 * 8 })
        #expect(gm.values![0].voxels == Toy.reference(values).counts[0] - 1)
    }

    @Test func imageInTemplateSpaceOnAnotherGridIsResampled() async throws {
        let (database, root, bids) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        // The same map at 1 mm (12×10×8), each 2 mm voxel split in eight: region volumes are unchanged.
        let fine: [[Double]] = [[1, 0, 0, -10], [0, 1, 0, -20], [0, 0, 1, -8], [0, 0, 0, 1]]
        var values: [Float] = []
        for k in 0..<8 { for j in 0..<10 { for i in 0..<12 { values.append(Toy.gm(i / 2, j / 2, k / 2)) } } }
        try writeImage(values, dims: [12, 10, 8], affine: fine,
                       to: bids.url("derivatives/fmriprep/sub-01/anat/sub-01_space-MNI152NLin6Asym_label-GM_probseg.nii.gz"))
        _ = try SubjectIngester(database: database).ingest(root: root)
        let gm = try #require(try SubjectCatalog(database: database).subject("01", values: true).measures.first { $0.kind == .grayMatterVolume })
        #expect(gm.resampled)
        // Independent nearest-label lookup: voxel (i, j, k) at 1 mm sits at world (i-10, j-20, k-8),
        // which is 2 mm voxel ((i)/2, (j)/2, (k)/2) rounded to nearest.
        var sums = [Double](repeating: 0, count: 3)
        for k in 0..<8 { for j in 0..<10 { for i in 0..<12 {
            let (si, sj, sk) = (Int((Double(i) / 2).rounded()), Int((Double(j) / 2).rounded()), Int((Double(k) / 2).rounded()))
            guard si < 6, sj < 5, sk < 4 else { continue }
            let label = Toy.label(si, sj, sk)
            if label > 0 { sums[Int(label) - 1] += Double(Toy.gm(i / 2, j / 2, k / 2)) }
        } } }
        #expect(gm.values!.map(\.value) == sums)
    }
}

@Suite struct DirectDerivativeTests {
    @Test func regionLevelFilesIngestDirectly() async throws {
        let database = try await toyDatabase()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let connectome = dir.appendingPathComponent("sub-07_ses-x_atlas-toy_desc-length_connectome.tsv")
        try writeText("0\t12.5\t0\n12.5\t0\t30\n0\t30\t0\n", to: connectome)
        let series = dir.appendingPathComponent("sub-07_ses-x_task-rest_atlas-toy_timeseries.tsv")
        try writeText("frontal_L\tfrontal_R\tthalamus_L\n1\t2\t3\n3\t4\t5\n", to: series)
        try writeText(#"{"RepetitionTime": 0.72}"#, to: dir.appendingPathComponent("sub-07_ses-x_task-rest_atlas-toy_timeseries.json"))
        let report = try SubjectIngester(database: database).ingestDerivatives([connectome, series], pipeline: "xcp_d", version: "0.7")
        #expect(report.sessions.map(\.measuresAdded) == [2])
        let detail = try SubjectCatalog(database: database).subject("07", values: true)
        #expect(detail.scans.map(\.path) == ["derivatives/xcp_d/sub-07_ses-x_atlas-toy_desc-length_connectome.tsv",
                                             "derivatives/xcp_d/sub-07_ses-x_task-rest_atlas-toy_timeseries.tsv"])
        let lengths = try #require(detail.measures.first { $0.kind == .tractLength })
        #expect(lengths.unit == "mm" && lengths.rows == 4 && lengths.pipeline == "xcp_d 0.7")
        let bold = try #require(detail.measures.first { $0.kind == .boldTimeseries })
        #expect(bold.frames == 2 && bold.repetitionTime == 0.72 && bold.values!.map(\.value) == [2, 3, 4])
        // Unchanged files: a no-op.
        let again = try SubjectIngester(database: database).ingestDerivatives([connectome, series], pipeline: "xcp_d", version: "0.7")
        #expect(again.sessions.map(\.action) == [.unchanged])
        // A time series whose columns are not the atlas's regions in order: refused, nothing stored.
        let before = try tableCounts(database.connection)
        let bad = dir.appendingPathComponent("sub-08_task-rest_atlas-toy_timeseries.tsv")
        try writeText("frontal_L\tthalamus_L\tfrontal_R\n1\t2\t3\n", to: bad)
        try writeText(#"{"RepetitionTime": 0.72}"#, to: dir.appendingPathComponent("sub-08_task-rest_atlas-toy_timeseries.json"))
        let error = #expect(throws: IngestError.self) {
            try SubjectIngester(database: database).ingestDerivatives([bad], pipeline: "xcp_d", version: "0.7")
        }
        #expect(error?.description.contains("region order does not match atlas toy: column 2 is 'thalamus_L'") == true)
        #expect(try tableCounts(database.connection) == before)
    }
}

@Suite struct TaskSeriesTests {
    /// A region time series of a task run takes the run's `_events.tsv` beside it (entities
    /// without the derived ones); a broken events file is refused by name, nothing stored.
    @Test func aTaskSeriesKeepsItsEvents() async throws {
        let database = try await toyDatabase()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let series = dir.appendingPathComponent("sub-09_ses-x_task-tones_atlas-toy_timeseries.tsv")
        try writeText("frontal_L\tfrontal_R\tthalamus_L\n1\t2\t3\n3\t4\t5\n2\t2\t2\n", to: series)
        try writeText(#"{"RepetitionTime": 2}"#, to: dir.appendingPathComponent("sub-09_ses-x_task-tones_atlas-toy_timeseries.json"))
        let events = dir.appendingPathComponent("sub-09_ses-x_task-tones_events.tsv")
        try writeText("onset\tduration\ttrial_type\n0\t2\ttone\n4\t1.5\ttone\n", to: events)
        _ = try SubjectIngester(database: database).ingestDerivatives([series], pipeline: "xcp_d", version: "0.7")
        let stored = try database.connection.query("""
            SELECT e.onset, e.duration, e.trial_type FROM task_event e JOIN scan s ON s.id = e.scan_id
             WHERE s.bids_path LIKE '%task-tones%' ORDER BY e.ordinal
            """).map { "\($0[0].double!) \($0[1].double!) \($0[2].string!)" }
        #expect(stored == ["0.0 2.0 tone", "4.0 1.5 tone"])

        let before = try tableCounts(database.connection)
        let other = dir.appendingPathComponent("sub-10_ses-x_task-tones_atlas-toy_timeseries.tsv")
        try writeText("frontal_L\tfrontal_R\tthalamus_L\n1\t2\t3\n", to: other)
        try writeText(#"{"RepetitionTime": 2}"#, to: dir.appendingPathComponent("sub-10_ses-x_task-tones_atlas-toy_timeseries.json"))
        let broken = dir.appendingPathComponent("sub-10_ses-x_task-tones_events.tsv")
        try writeText("onset\tduration\nsoon\t1\n", to: broken)
        let error = #expect(throws: IngestError.self) {
            try SubjectIngester(database: database).ingestDerivatives([other], pipeline: "xcp_d", version: "0.7")
        }
        #expect(error?.description.contains(broken.path) == true && error?.description.contains("onset 'soon' is not a finite number of seconds") == true)
        #expect(try tableCounts(database.connection) == before)
    }
}

@Suite struct VersionTests {
    @Test func aFilePutBackToEarlierContentIsANewVersion() async throws {
        let (database, root, bids) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        let t1 = bids.url("sub-01/anat/sub-01_T1w.nii.gz")
        let original = try Data(contentsOf: t1)
        _ = try SubjectIngester(database: database).ingest(root: root)
        try writeImage(Toy.map { _, _, _ in 7 }, dims: Toy.dims, to: t1)
        #expect(try SubjectIngester(database: database).ingest(root: root).sessions[0].scansAdded == ["sub-01/anat/sub-01_T1w.nii.gz v2"])
        // History is kept: going back is a change too, stored as version 3.
        try original.write(to: t1)
        #expect(try SubjectIngester(database: database).ingest(root: root).sessions[0].scansAdded == ["sub-01/anat/sub-01_T1w.nii.gz v3"])
        let counts = try tableCounts(database.connection)
        #expect(try SubjectIngester(database: database).ingest(root: root).sessions[0].action == .unchanged)
        #expect(try tableCounts(database.connection) == counts)
        #expect(try SubjectCatalog(database: database).subject("01").scans.filter { $0.suffix == "T1w" }.map(\.version) == [1, 2, 3])
    }
}

@Suite struct CompanionTests {
    @Test func companionsOfAnUnchangedImageAreCheckedAgain() async throws {
        let (database, root, bids) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try SubjectIngester(database: database).ingest(root: root)
        let counts = try tableCounts(database.connection)
        // A broken bval beside an unchanged DWI image is still rejected.
        try writeText("0 1000\n", to: bids.url("sub-01/dwi/sub-01_dwi.bval"))
        #expect(throws: IngestError.self) { try SubjectIngester(database: database).ingest(root: root) }
        #expect(try tableCounts(database.connection) == counts)
        // A valid but different one makes a new version of the scan; version 1 stays as it was.
        try writeText("0 1000 3000\n", to: bids.url("sub-01/dwi/sub-01_dwi.bval"))
        let report = try SubjectIngester(database: database).ingest(root: root)
        #expect(report.sessions[0].scansAdded == ["sub-01/dwi/sub-01_dwi.nii.gz v2"])
        let bvals = try database.connection.query("""
            SELECT s.version, g.bvals FROM dwi_gradient g JOIN scan s ON s.id = g.scan_id
             WHERE s.bids_path = 'sub-01/dwi/sub-01_dwi.nii.gz' ORDER BY s.version
            """).map { $0[1].doubles! }
        #expect(bvals == [[0, 1000, 2000], [0, 1000, 3000]])
        // So does an edited sidecar.
        let sidecar = bids.url("sub-01/dwi/sub-01_dwi.json")
        try writeText(#"{"PhaseEncodingDirection": "j-"}"#, to: sidecar)
        #expect(try SubjectIngester(database: database).ingest(root: root).sessions[0].scansAdded == ["sub-01/dwi/sub-01_dwi.nii.gz v3"])
    }
}
