import Foundation

/// Files replaced whole: written under a temporary name beside them and renamed into place, so
/// that a kill at any moment leaves either the previous file or the new one, never half of one.
enum ReplacedFile {
    /// Writes `url` through `write`, which fills the temporary path it is given; `what` names the
    /// file in the error when the rename fails.
    static func write(_ url: URL, what: String, _ write: (URL) throws -> Void) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try write(temporary)
        guard rename(temporary.path, url.path) == 0 else {
            throw TwinError.file("\(url.path): cannot replace \(what) (\(String(cString: strerror(errno))))")
        }
    }
}
