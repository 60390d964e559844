/// Streams a 4-D image one volume at a time so memory is bounded by a few volumes, not the whole file.
///
/// ```swift
/// var reader = try NIfTIVolumeReader(path: "sub-01_bold.nii.gz")
/// var volume: [Float] = []
/// while try reader.nextVolume(into: &volume) { ... }
/// ```
///
/// Copies of a reader share one open file, so use each reader from one place only.
public struct NIfTIVolumeReader {
    /// The file's header.
    public let header: NIfTIHeader
    /// The file being read, as given.
    public let path: String
    private let layout: DataLayout
    private let stream: VoxelStream
    private var volumesRead = 0
    private var raw: [UInt8] = []

    /// Opens `path` (`.nii` or `.nii.gz`, NIfTI-1 or -2) and reads its header.
    public init(path: String) throws {
        (header, layout) = try LibNIfTI.readHeader(path: path)
        self.path = path
        stream = try VoxelStream(path: layout.dataPath, offset: layout.offset, compressed: layout.compressed)
    }

    /// Volumes in the file (1 for a 3-D image).
    public var volumeCount: Int { header.volumeCount }

    /// Reads the next volume into `buffer` (resized to ``NIfTIHeader/voxelCount``) as scaled `Float`s.
    ///
    /// - Returns: false, leaving `buffer` alone, once every volume has been read.
    /// - Throws: ``NIfTIError/truncatedVolume(path:volume:volumeCount:expectedBytes:foundBytes:)``
    ///   when the file ends inside a volume, or ``NIfTIError/corruptCompression(path:reason:)``.
    public mutating func nextVolume(into buffer: inout [Float]) throws -> Bool {
        guard volumesRead < volumeCount else { return false }
        let volumeBytes = layout.byteCount / volumeCount
        do {
            try stream.read(volumeBytes, into: &raw)
        } catch let error as CorruptStream {
            let reason = "damaged in volume \(volumesRead + 1) of \(volumeCount), after \(grouped(error.bytesRead)) of its \(grouped(volumeBytes)) bytes"
            throw NIfTIError.corruptCompression(path: path, reason: reason)
        }
        guard raw.count == volumeBytes else {
            throw NIfTIError.truncatedVolume(
                path: path, volume: volumesRead + 1, volumeCount: volumeCount,
                expectedBytes: volumeBytes, foundBytes: raw.count)
        }
        volumesRead += 1
        if volumesRead == volumeCount { try verifyTrailer(of: stream, path: path) }
        if layout.swapSize > 1 {
            raw.withUnsafeMutableBytes { LibNIfTI.swapBytes($0, unit: layout.swapSize) }
        }
        raw.withUnsafeBytes { decodeFloats($0, datatype: header.datatype, scaling: Scaling(header), into: &buffer) }
        return true
    }
}
