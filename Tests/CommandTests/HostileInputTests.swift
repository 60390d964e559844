import DTBTestSupport
import Foundation
import NIfTI
import Store
import Testing

/// One hostile input: a damage done to a copy of the valid dataset (or none), the command run on
/// that copy, and what its one-line error must name.
struct HostileCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// What the message must contain: the file (relative to the copy) or the option.
    var names: String
    /// The problem the message must state.
    var problem: String
    var damage: @Sendable (HostileDataset) throws -> Void = { _ in }
    /// The command; by default `dtb ingest COPY --atlas small`.
    var arguments: @Sendable (URL) -> [String] = { ["ingest", $0.path, "--atlas", "small"] }

    var testDescription: String { name }
}

/// A database with the `small` atlas, the valid dataset ingested and a twin built from it: the
/// state every hostile input must leave as it was. Made once for the suite.
final class HostileFixture: @unchecked Sendable {
    static let shared = Task { try HostileFixture() }
    static let twin = "hostile-twin"

    let database: Database
    let dtb: DTBCommand
    /// Scratch folders beside (not inside) the file store: the atlas files, the dataset and its copies.
    let scratch: URL
    let valid: URL

    private init() throws {
        database = try TestDatabase.make()
        dtb = try DTBCommand(database: database)
        scratch = database.home.root.appendingPathComponent("hostile-input", isDirectory: true)
        valid = scratch.appendingPathComponent("valid", isDirectory: true)
        try importAtlas()
        _ = try HostileDataset.write(into: valid)
        try expectSuccess(["ingest", valid.path, "--atlas", "small"])
        try expectSuccess(["twin", "build", "01", "--atlas", "small", "--neurons", "1000", "--degree", "5", "--seed", "1",
                           "--sv2a-reference", "ctx_a", "--dwi", "none", "--name", Self.twin])
    }

    private func importAtlas() throws {
        var labels: [Int32] = []
        for _ in 0..<4 { for j in 0..<5 { for i in 0..<6 { labels.append(i < 2 ? 1 : i < 4 ? 2 : (j < 3 ? 3 : 0)) } } }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let volume = scratch.appendingPathComponent("small.nii.gz"), table = scratch.appendingPathComponent("small.tsv")
        try NIfTIImage(header: NIfTIHeader(dimensions: HostileDataset.dims, datatype: .int32, affine: HostileDataset.affine), int32: labels)
            .write(to: volume.path)
        try Data("index\tname\themisphere\tkind\n1\tctx_a\tL\tcortical\n2\tctx_b\tR\tcortical\n3\tthal\tL\tsubcortical\n".utf8).write(to: table)
        try expectSuccess(["atlas", "import", "small", "--volume", volume.path, "--table", table.path, "--space", "MNI152NLin6Asym"])
    }

    private func expectSuccess(_ arguments: [String]) throws {
        let outcome = try dtb.run(arguments)
        guard outcome.status == 0 else { throw SetupError(description: "dtb \(arguments.joined(separator: " ")): \(outcome.stderr)") }
    }

    /// A fresh copy of the valid dataset, damaged by `damage`.
    func copy(_ name: String, damage: (HostileDataset) throws -> Void) throws -> HostileDataset {
        let root = scratch.appendingPathComponent("copy-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.copyItem(at: valid, to: root)
        let dataset = HostileDataset(root: root)
        try damage(dataset)
        return dataset
    }

    struct SetupError: Error, CustomStringConvertible { var description: String }
}

/// Every class of hostile input of issue #13 — traps and hangs, unbounded memory, garbage
/// accepted, raw database errors — as cases run through the built `dtb` (a trap or a hang is what
/// is tested, so a child process with a timeout): each must exit 1 with one `dtb: ` line naming
/// the file or option and the problem, and leave the database and the file store exactly as they
/// were (``StoreSnapshot``).
@Suite(.serialized, .requires(.dtbExecutable))
struct HostileInputTests {
    typealias D = HostileDataset
    static let n = D.dims.reduce(1, *)
    static let gm: [Float] = (0..<n).map { Float($0 % 5) * 0.25 }

    /// Files that trap or hang a reader: non-finite affines, FIFOs named like files.
    static let crashesAndHangs: [HostileCase] = [
        HostileCase(name: "NaN in the sform", names: "label-GM_probseg.nii", problem: "non-finite entry nan") {
            try $0.patchedImage(D.grayMatter, values: gm, dims: D.dims, HeaderBytes.sformEntry(.nan))
        },
        HostileCase(name: "Inf in the sform", names: "label-GM_probseg.nii", problem: "non-finite entry inf") {
            try $0.patchedImage(D.grayMatter, values: gm, dims: D.dims, HeaderBytes.sformEntry(.infinity))
        },
        HostileCase(name: "1e30 mm voxels in the sform", names: "label-GM_probseg.nii", problem: "mm is outside 0.01–100.0 mm") {
            try $0.patchedImage(D.grayMatter, values: gm, dims: D.dims, HeaderBytes.sformEntry(1e30))
        },
        HostileCase(name: "NaN in a raw T1w's sform", names: "sub-01_T1w.nii", problem: "non-finite entry nan") {
            try $0.patchedImage(D.t1w, values: gm, dims: D.dims, HeaderBytes.sformEntry(.nan))
        },
        HostileCase(name: "FIFO named like a T1w", names: D.t1w, problem: "not a regular file") { try $0.fifo(D.t1w) },
        HostileCase(name: "FIFO named like a BOLD run", names: D.preprocessedBOLD, problem: "not a regular file") { try $0.fifo(D.preprocessedBOLD) },
        HostileCase(name: "FIFO named like an events file", names: D.events, problem: "not a regular file") { try $0.fifo(D.events) },
        HostileCase(name: "FIFO named like a sidecar", names: D.boldSidecar, problem: "not a regular file") { try $0.fifo(D.boldSidecar) },
        HostileCase(name: "FIFO named like a .bval", names: D.bval, problem: "not a regular file") { try $0.fifo(D.bval) },
        HostileCase(name: "FIFO as an atlas label table", names: "fifo.tsv", problem: "not a regular file",
                    damage: { try $0.fifo("fifo.tsv") },
                    arguments: { ["atlas", "import", "other", "--volume", $0.appendingPathComponent("../small.nii.gz").path,
                                  "--table", $0.appendingPathComponent("fifo.tsv").path] }),
        HostileCase(name: "FIFO as an atlas label volume", names: "fifo.nii.gz", problem: "FIFO",
                    damage: { try $0.fifo("fifo.nii.gz") },
                    arguments: { ["atlas", "import", "other", "--volume", $0.appendingPathComponent("fifo.nii.gz").path,
                                  "--table", $0.appendingPathComponent("../small.tsv").path] }),
    ]

    /// Headers claiming more voxels than dtb reads (with a few bytes of data behind them).
    static let unboundedMemory: [HostileCase] = [
        HostileCase(name: "1024³ gray-matter map", names: "label-GM_probseg.nii", problem: "more than dtb reads") {
            try $0.patchedImage(D.grayMatter, values: gm, dims: D.dims, HeaderBytes.grid(1024))
        },
        HostileCase(name: "1024³ PET map", names: "desc-suvr_pet.nii", problem: "more than dtb reads") {
            try $0.patchedImage(D.petMap, values: gm, dims: D.dims, HeaderBytes.grid(1024))
        },
        HostileCase(name: "1024³ T1w", names: "sub-01_T1w.nii", problem: "more than dtb reads") {
            try $0.patchedImage(D.t1w, values: gm, dims: D.dims, HeaderBytes.grid(1024))
        },
        HostileCase(name: "1024³ volumes of a BOLD run", names: "desc-preproc_bold.nii", problem: "more than dtb reads") {
            try $0.patchedImage(D.preprocessedBOLD, values: gm + gm, dims: D.dims + [2], HeaderBytes.grid(1024))
        },
        HostileCase(name: "1024³ DWI", names: "sub-01_dwi.nii", problem: "more than dtb reads") {
            try $0.patchedImage(D.dwi, values: gm + gm + gm, dims: D.dims + [3], HeaderBytes.grid(1024))
        },
    ]

    /// Values of the wrong type, out of range or not finite, in images and companions.
    static let garbage: [HostileCase] = [
        HostileCase(name: "gray matter -0.5", names: D.grayMatter, problem: "probability -0.5, outside [0, 1]") {
            var values = gm; values[7] = -0.5
            try $0.image(values, dims: D.dims, D.grayMatter)
        },
        HostileCase(name: "gray matter 2", names: D.grayMatter, problem: "voxel (1, 0, 0) has gray-matter probability 2.0") {
            var values = gm; values[1] = 2
            try $0.image(values, dims: D.dims, D.grayMatter)
        },
        HostileCase(name: "vox_offset 0", names: "label-GM_probseg.nii", problem: "vox_offset 0 points inside the header") {
            try $0.patchedImage(D.grayMatter, values: gm, dims: D.dims, HeaderBytes.voxOffset(0))
        },
        HostileCase(name: "vox_offset 100", names: "label-GM_probseg.nii", problem: "vox_offset 100 points inside the header") {
            try $0.patchedImage(D.grayMatter, values: gm, dims: D.dims, HeaderBytes.voxOffset(100))
        },
        HostileCase(name: "vox_offset 353.5", names: "label-GM_probseg.nii", problem: "vox_offset 353.5 is not a whole number") {
            try $0.patchedImage(D.grayMatter, values: gm, dims: D.dims, HeaderBytes.voxOffset(353.5))
        },
        HostileCase(name: "vox_offset NaN", names: "sub-01_T1w.nii", problem: "vox_offset nan is not a whole number") {
            try $0.patchedImage(D.t1w, values: gm, dims: D.dims, HeaderBytes.voxOffset(.nan))
        },
        HostileCase(name: "vox_offset -1e30", names: "sub-01_T1w.nii", problem: "points inside the header") {
            try $0.patchedImage(D.t1w, values: gm, dims: D.dims, HeaderBytes.voxOffset(-1e30))
        },
        HostileCase(name: "RepetitionTime true", names: D.boldRun, problem: "RepetitionTime must be a positive number of seconds, not true") {
            try $0.text(#"{"TaskName": "rest", "RepetitionTime": true}"#, D.boldSidecar)
        },
        HostileCase(name: "RepetitionTime \"2\"", names: D.boldRun, problem: #"not "2""#) {
            try $0.text(#"{"TaskName": "rest", "RepetitionTime": "2"}"#, D.boldSidecar)
        },
        HostileCase(name: "RepetitionTime -2", names: D.boldRun, problem: "not -2") {
            try $0.text(#"{"TaskName": "rest", "RepetitionTime": -2}"#, D.boldSidecar)
        },
        HostileCase(name: "RepetitionTime 1e-300", names: D.boldRun, problem: "RepetitionTime gives a repetition time of 1e-300 s, outside 0.001–3600.0 s") {
            try $0.text(#"{"TaskName": "rest", "RepetitionTime": 1e-300}"#, D.boldSidecar)
        },
        HostileCase(name: "VolumeTiming 1e-300 s apart", names: D.boldRun, problem: "VolumeTiming gives a repetition time of") {
            try $0.text(#"{"TaskName": "rest", "VolumeTiming": [0, 1e-300, 2e-300, 3e-300, 4e-300]}"#, D.boldSidecar)
        },
        HostileCase(name: "VolumeTiming of strings", names: D.boldRun, problem: #"VolumeTiming entry 1 is "0", not a finite number"#) {
            try $0.text(#"{"TaskName": "rest", "VolumeTiming": ["0", "2", "4", "6", "8"]}"#, D.boldSidecar)
        },
        HostileCase(name: "decreasing VolumeTiming", names: D.boldRun, problem: "VolumeTiming must increase: entry 2 (6.0 s) is not after entry 1 (8.0 s)") {
            try $0.text(#"{"TaskName": "rest", "VolumeTiming": [8, 6, 4, 2, 0]}"#, D.boldSidecar)
        },
        HostileCase(name: "repeated VolumeTiming", names: D.boldRun, problem: "VolumeTiming must increase") {
            try $0.text(#"{"TaskName": "rest", "VolumeTiming": [0, 2, 2, 4, 6]}"#, D.boldSidecar)
        },
        HostileCase(name: "VolumeTiming not a list", names: D.boldRun, problem: "VolumeTiming must be a non-empty list") {
            try $0.text(#"{"TaskName": "rest", "VolumeTiming": 2}"#, D.boldSidecar)
        },
        HostileCase(name: "VolumeTiming of the wrong length", names: D.boldRun, problem: "has 5 volumes but its sidecar states 3 (VolumeTiming)") {
            try $0.text(#"{"TaskName": "rest", "VolumeTiming": [0, 2, 4]}"#, D.boldSidecar)
        },
        HostileCase(name: "NumberOfVolumes true", names: D.boldRun, problem: "NumberOfVolumes must be a positive whole number, not true") {
            try $0.text(#"{"TaskName": "rest", "RepetitionTime": 2, "NumberOfVolumes": true}"#, D.boldSidecar)
        },
        HostileCase(name: "a NUL in a sidecar", names: D.boldSidecar, problem: "NUL character") {
            try $0.text(#"{"TaskName": "re\u0000st", "RepetitionTime": 2}"#, D.boldSidecar)
        },
        HostileCase(name: "PET Units true", names: D.petMap, problem: "Units must be a non-empty string, not true") {
            try $0.text(#"{"Units": true}"#, D.petSidecar)
        },
        HostileCase(name: "NaN b-value", names: D.bval, problem: "'nan' is not a finite number") { try $0.text("0 nan 1000\n", D.bval) },
        HostileCase(name: "infinite b-value", names: D.bval, problem: "'inf' is not a finite number") { try $0.text("0 inf 1000\n", D.bval) },
        HostileCase(name: "negative b-value", names: D.bval, problem: "b-value 2 is -1000.0") { try $0.text("0 -1000 1000\n", D.bval) },
        HostileCase(name: "NaN in a b-vector", names: D.bvec, problem: "'nan' is not a finite number") { try $0.text("1 0 0\n0 nan 0\n0 0 1\n", D.bvec) },
        HostileCase(name: "NaN onset", names: D.events, problem: "line 2: onset 'nan' is not a finite number") {
            try $0.text("onset\tduration\nnan\t1\n", D.events)
        },
        HostileCase(name: "infinite onset", names: D.events, problem: "onset 'inf'") { try $0.text("onset\tduration\ninf\t1\n", D.events) },
        HostileCase(name: "negative duration", names: D.events, problem: "line 3: duration '-2' is not a number of seconds ≥ 0") {
            try $0.text("onset\tduration\n0\t1\n1\t-2\n", D.events)
        },
        HostileCase(name: "infinite duration", names: D.events, problem: "duration 'inf'") { try $0.text("onset\tduration\n0\tinf\n", D.events) },
        HostileCase(name: "duration not a number", names: D.events, problem: "duration 'long'") { try $0.text("onset\tduration\n0\tlong\n", D.events) },
        HostileCase(name: "a NUL in an events file", names: D.events, problem: "NUL character") {
            try $0.text("onset\tduration\ttrial_type\n0\t1\tbl\u{0}ink\n", D.events)
        },
        HostileCase(name: "--session naming no session", names: "copy-", problem: "no session ses-2 in this dataset",
                    arguments: { ["ingest", $0.path, "--atlas", "small", "--session", "2"] }),
        HostileCase(name: "--session naming no session of the subject", names: "copy-", problem: "no session ses-x in sub-01",
                    arguments: { ["ingest", $0.path, "--atlas", "small", "--subject", "01", "--session", "x"] }),
    ]

    /// What used to reach the server and come back as SQLSTATE text.
    static let databaseErrors: [HostileCase] = [
        HostileCase(name: "a NUL in an atlas label table", names: "nul.tsv", problem: "line 2 holds a control character",
                    damage: { try $0.text("index\tname\themisphere\n1\tct\u{0}x\tL\n", "nul.tsv") },
                    arguments: { ["atlas", "import", "other", "--volume", $0.appendingPathComponent("../small.nii.gz").path,
                                  "--table", $0.appendingPathComponent("nul.tsv").path] }),
        HostileCase(name: "a 100-character atlas name", names: "atlas name", problem: "100 characters, more than 64",
                    arguments: { ["atlas", "import", String(repeating: "a", count: 100), "--volume", $0.appendingPathComponent("../small.nii.gz").path,
                                  "--table", $0.appendingPathComponent("../small.tsv").path] }),
        HostileCase(name: "a control character in --space", names: "--space", problem: "a template space is a BIDS label",
                    arguments: { ["atlas", "import", "other", "--volume", $0.appendingPathComponent("../small.nii.gz").path,
                                  "--table", $0.appendingPathComponent("../small.tsv").path, "--space", "MNI\u{1}x"] }),
        HostileCase(name: "a 200-character twin name", names: "--name", problem: "200 characters, more than 64",
                    arguments: { _ in ["twin", "build", "01", "--atlas", "small", "--neurons", "1000", "--degree", "5", "--seed", "2",
                                       "--sv2a-reference", "ctx_a", "--dwi", "none", "--name", String(repeating: "a", count: 200)] }),
        HostileCase(name: "an out-of-range version", names: "\(HostileFixture.twin)@99999999999999999999", problem: "the version after @ must be a positive number",
                    arguments: { _ in ["twin", "show", "\(HostileFixture.twin)@99999999999999999999"] }),
        HostileCase(name: "a version past int4", names: "\(HostileFixture.twin)@2147483648", problem: "a positive number up to 2147483647",
                    arguments: { _ in ["twin", "run", "\(HostileFixture.twin)@2147483648", "--seconds", "1"] }),
        HostileCase(name: "a validation run past int4", names: "measure 2147483648", problem: "does not exist",
                    arguments: { _ in ["twin", "validate", HostileFixture.twin, "--run", "2147483648"] }),
        HostileCase(name: "an assimilation run past int4", names: "measure 2147483648", problem: "does not exist",
                    arguments: { _ in ["twin", "assimilate", HostileFixture.twin, "--run", "2147483648"] }),
        HostileCase(name: "a measure past int4", names: "2147483648", problem: "is not a measure of subject 01",
                    arguments: { _ in ["subject", "export", "01", "--measure", "2147483648"] }),
    ]

    func expectRefused(_ hostile: HostileCase) async throws {
        let fixture = try await HostileFixture.shared.value
        let dataset = try fixture.copy(hostile.name, damage: hostile.damage)
        defer { try? FileManager.default.removeItem(at: dataset.root) }
        let before = try StoreSnapshot(fixture.database)
        let outcome = try fixture.dtb.run(hostile.arguments(dataset.root), timeout: .seconds(60))
        let errors = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("dtb: ") }
        #expect(outcome.termination == .exited(1), "stderr: \(outcome.stderr)")
        #expect(errors.count == 1 && !outcome.stderr.contains("Fatal error") && !outcome.stderr.contains("SQLSTATE"), "stderr: \(outcome.stderr)")
        let message = errors.first.map(String.init) ?? ""
        #expect(message.contains(hostile.names), "message: \(message)")
        #expect(message.contains(hostile.problem), "message: \(message)")
        let after = try StoreSnapshot(fixture.database)
        #expect(after == before, "changed: \(before.differences(to: after))")
    }

    @Test(arguments: crashesAndHangs) func noTrapOrHang(_ hostile: HostileCase) async throws { try await expectRefused(hostile) }

    @Test(arguments: unboundedMemory) func noUnboundedRead(_ hostile: HostileCase) async throws { try await expectRefused(hostile) }

    @Test(arguments: garbage) func noGarbageAccepted(_ hostile: HostileCase) async throws { try await expectRefused(hostile) }

    @Test(arguments: databaseErrors) func noRawDatabaseError(_ hostile: HostileCase) async throws { try await expectRefused(hostile) }
}
