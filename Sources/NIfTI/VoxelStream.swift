internal import CNIfTI
import Foundation

/// Reading a plain or gzip file through libnifti's znz layer, counting every byte so a short
/// file is reported as truncated rather than read as zeros.
final class VoxelStream {
    /// Reads go in slices so a corrupt header claiming terabytes cannot force one huge allocation,
    /// and so "found N bytes" stays accurate when a gzip stream breaks.
    private static let sliceSize = 1 << 22

    let compressed: Bool
    private var file: znzFile?
    /// False when seeking to the data failed: the file ends before the data starts.
    private var positioned: Bool

    /// Opens `path` and positions it at byte `offset` of the (decompressed) content.
    init(path: String, offset: Int, compressed: Bool) throws {
        guard let file = znzopen(path, "rb", compressed ? 1 : 0) else {
            throw NIfTIError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.file = file
        self.compressed = compressed
        positioned = offset == 0 || znzseek(file, off_t(offset), SEEK_SET) >= 0
    }

    deinit { Xznzclose(&file) }

    /// Replaces `bytes` with up to `count` bytes from the stream; fewer only at the end of the file.
    ///
    /// - Throws: `CorruptStream` (with the bytes read so far) when the gzip data is damaged.
    func read(_ count: Int, into bytes: inout [UInt8]) throws {
        bytes.removeAll(keepingCapacity: true)
        guard positioned else { return }
        while bytes.count < count {
            let want = min(Self.sliceSize, count - bytes.count)
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: want))
            let got = bytes.withUnsafeMutableBytes { raw in
                znzread(raw.baseAddress.map { $0 + start }, 1, want, file)
            }
            // znzread passes gzread's -1 through (size_t imports as Int, so it stays -1).
            guard got >= 0 else {
                bytes.removeLast(want)
                throw CorruptStream(bytesRead: bytes.count)
            }
            if got < want {
                bytes.removeLast(want - got)
                return
            }
        }
    }

    /// Reads past the expected end so zlib checks the gzip trailer (CRC-32 and length): damage
    /// in the last block can otherwise decompress to plausible but wrong voxels.
    func verifyTrailer() throws {
        guard compressed else { return }
        var extra: [UInt8] = []
        try read(1, into: &extra)
    }
}

/// The gzip layer reported damaged data after `bytesRead` good bytes.
struct CorruptStream: Error {
    var bytesRead: Int
}

/// Writes `parts` one after another to `path` (gzip when it ends in `.gz`), checking every byte
/// count and the final close, and removes the file if anything failed.
func writeFile(path: String, parts: [[UInt8]]) throws {
    guard let opened = znzopen(path, "wb", path.hasSuffix(".gz") ? 1 : 0) else {
        throw NIfTIError.writeFailed(path: path, reason: String(cString: strerror(errno)))
    }
    var file: znzFile? = opened
    var failure: String?
    for part in parts where failure == nil {
        let count = part.withUnsafeBytes { znzwrite($0.baseAddress, 1, $0.count, file) }
        if count != part.count { failure = String(cString: strerror(errno)) }
    }
    // gzip and stdio buffer their output, so a full disk may only show when closing.
    if Xznzclose(&file) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
    if let failure {
        unlink(path)
        throw NIfTIError.writeFailed(path: path, reason: failure)
    }
}
