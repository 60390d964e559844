import Foundation
import NIfTI

/// A small, valid BIDS dataset on the three-region `small` atlas (6×5×4 voxels at 2 mm in
/// MNI152NLin6Asym) with every kind of file a hostile copy can damage: T1w, DWI with `.bval`/`.bvec`,
/// a raw BOLD run with events, a gray-matter map, a PET SUVR map, a preprocessed BOLD run.
struct HostileDataset {
    static let dims = [6, 5, 4]
    static let affine: [[Double]] = [[2, 0, 0, -10], [0, 2, 0, -20], [0, 0, 2, -8], [0, 0, 0, 1]]
    static let frames = 5

    static let t1w = "sub-01/anat/sub-01_T1w.nii.gz"
    static let dwi = "sub-01/dwi/sub-01_dwi.nii.gz"
    static let bval = "sub-01/dwi/sub-01_dwi.bval"
    static let bvec = "sub-01/dwi/sub-01_dwi.bvec"
    static let bold = "sub-01/func/sub-01_task-rest_bold.nii.gz"
    /// What the raw and the preprocessed BOLD run's paths share: either may be read first.
    static let boldRun = "sub-01_task-rest"
    static let events = "sub-01/func/sub-01_task-rest_events.tsv"
    static let boldSidecar = "task-rest_bold.json"
    static let grayMatter = "derivatives/fmriprep/sub-01/anat/sub-01_space-MNI152NLin6Asym_label-GM_probseg.nii.gz"
    static let petMap = "derivatives/petprep/sub-01/pet/sub-01_trc-UCBJ_space-MNI152NLin6Asym_desc-suvr_pet.nii.gz"
    static let petSidecar = "derivatives/petprep/sub-01/pet/sub-01_trc-UCBJ_space-MNI152NLin6Asym_desc-suvr_pet.json"
    static let preprocessedBOLD = "derivatives/fmriprep/sub-01/func/sub-01_task-rest_space-MNI152NLin6Asym_desc-preproc_bold.nii.gz"

    let root: URL

    /// Writes the dataset into `root`.
    static func write(into root: URL) throws -> HostileDataset {
        let set = HostileDataset(root: root)
        try set.text(#"{"Name": "hostile", "BIDSVersion": "1.9.0"}"#, "dataset_description.json")
        try set.text("participant_id\tage\nsub-01\t34\n", "participants.tsv")
        try set.text(#"{"TaskName": "rest", "RepetitionTime": 2.0}"#, boldSidecar)
        for pipeline in ["fmriprep", "petprep"] {
            try set.text(#"{"Name": "\#(pipeline)", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "\#(pipeline)"}]}"#,
                         "derivatives/\(pipeline)/dataset_description.json")
        }
        let n = dims.reduce(1, *)
        try set.image((0..<n).map { Float($0 % 9) }, dims: dims, t1w)
        try set.image((0..<(3 * n)).map { Float($0 % 7) }, dims: dims + [3], dwi)
        try set.text("0 1000 2000\n", bval)
        try set.text("1 0 0\n0 1 0\n0 0 1\n", bvec)
        try set.image((0..<(frames * n)).map { Float(100 + $0 % 11) }, dims: dims + [frames], bold)
        try set.text("onset\tduration\ttrial_type\n0\t2\tblink\n4.5\t1\tblink\n", events)
        try set.image((0..<n).map { Float($0 % 5) * 0.25 }, dims: dims, grayMatter)
        try set.image((0..<n).map { 1 + Float($0 % 3) * 0.5 }, dims: dims, petMap)
        try set.text(#"{"Units": "SUVR"}"#, petSidecar)
        try set.image((0..<(frames * n)).map { Float(200 + $0 % 13) }, dims: dims + [frames], preprocessedBOLD)
        return set
    }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// Writes `text` at `relative`, replacing what is there.
    func text(_ text: String, _ relative: String) throws {
        let target = url(relative)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
    }

    /// Writes a float32 image at `relative` (gzip when it ends in `.gz`) on the atlas's grid.
    func image(_ values: [Float], dims: [Int], affine: [[Double]] = HostileDataset.affine, _ relative: String) throws {
        let target = url(relative)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        var header = NIfTIHeader(dimensions: dims, datatype: .float32, affine: affine)
        if dims.count == 4 { header.pixdim = header.pixdim.prefix(3) + [2] }
        try? FileManager.default.removeItem(at: target)
        try NIfTIImage(header: header, float32: values).write(to: target.path)
    }

    /// Replaces the image at `relative` (a `.nii.gz`) by a plain `.nii` of the same values whose
    /// header bytes `patch` changes (NIfTI-1 layout: `vox_offset` at 108, `srow_x` at 280, ...).
    /// Returns the new file's relative path.
    @discardableResult
    func patchedImage(_ relative: String, values: [Float], dims: [Int], _ patch: (inout [UInt8]) -> Void) throws -> String {
        let plain = String(relative.dropLast(3))
        try FileManager.default.removeItem(at: url(relative))
        try image(values, dims: dims, plain)
        var bytes = [UInt8](try Data(contentsOf: url(plain)))
        patch(&bytes)
        try Data(bytes).write(to: url(plain))
        return plain
    }

    /// Replaces the file at `relative` by a FIFO of the same name, which no reader may open.
    func fifo(_ relative: String) throws {
        try? FileManager.default.removeItem(at: url(relative))
        guard mkfifo(url(relative).path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}

/// Little-endian stores into a NIfTI-1 header.
enum HeaderBytes {
    static func float(_ value: Float, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.replaceSubrange(offset..<(offset + 4), with: $0) }
    }

    static func int16(_ value: Int16, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + 2), with: $0) }
    }

    /// `vox_offset`, a float32 at byte 108.
    static func voxOffset(_ value: Float) -> (inout [UInt8]) -> Void { { float(value, at: 108, in: &$0) } }
    /// The first entry of `srow_x` (the sform's top-left), a float32 at byte 280.
    static func sformEntry(_ value: Float) -> (inout [UInt8]) -> Void { { float(value, at: 280, in: &$0) } }
    /// `dim[1...3]`, int16s from byte 42: a header claiming a larger grid than its data.
    static func grid(_ size: Int16) -> (inout [UInt8]) -> Void {
        { bytes in for axis in 0..<3 { int16(size, at: 42 + 2 * axis, in: &bytes) } }
    }
}
