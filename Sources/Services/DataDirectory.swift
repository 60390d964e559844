import Foundation

/// The folder under which API clients may name datasets to ingest (`dtb serve`: `$DTB_HOME/bids`).
///
/// A requested path is resolved — `..`, `.` and every symlink on the way — and must stay inside
/// the folder (itself resolved): no request reaches the filesystem outside it.
public struct DataDirectory: Sendable {
    /// The folder, as configured (resolved at each request).
    public let root: URL
    public init(root: URL) { self.root = root }

    /// The real, absolute path of `relative` (a path inside the folder); a one-line error naming
    /// `path` when it is absolute, missing, not a directory, or leads outside the folder.
    public func resolve(_ relative: String) throws -> URL {
        guard !relative.isEmpty, !relative.contains("\0") else { throw Self.refusal(relative, "give a folder inside the data directory") }
        guard !relative.hasPrefix("/") else { throw Self.refusal(relative, "give a path relative to the data directory, not an absolute one") }
        guard let base = Self.realPath(root.path) else { throw Self.refusal(relative, "the server's data directory \(root.path) does not exist") }
        guard let target = Self.realPath(base + "/" + relative) else { throw Self.refusal(relative, "no such folder in the data directory") }
        guard target == base || target.hasPrefix(base + "/") else { throw Self.refusal(relative, "leads outside the data directory") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Self.refusal(relative, "is not a folder")
        }
        return URL(fileURLWithPath: target, isDirectory: true)
    }

    /// realpath(3): the path with every symlink, `.` and `..` resolved; nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func refusal(_ path: String, _ problem: String) -> ServiceError {
        ServiceError.invalidOption("path", value: path.isEmpty ? "''" : path, problem: problem)
    }
}
