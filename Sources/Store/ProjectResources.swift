import Foundation

/// Finds the project's `Schema/` and `Atlases/` at run time.
///
/// In a checkout they are plain files, so that a migration's checksum is the checksum of the
/// file a reviewer reads. `DTB_SCHEMA_DIR` / `DTB_ATLASES_DIR` override; otherwise the
/// directories are found by walking up from the real executable (`/proc/self/exe`, so a `dtb`
/// reached through `PATH` or a symlink finds its checkout) and from the working directory to the
/// checkout that holds `Package.swift`. An installed `dtb` with no checkout uses the copies
/// compiled into it (``EmbeddedResources``, the same bytes).
public enum ProjectResources {
    public static func schemaDirectory() throws -> URL { try locate("Schema", override: "DTB_SCHEMA_DIR") }
    public static func atlasesDirectory() throws -> URL { try locate("Atlases", override: "DTB_ATLASES_DIR") }

    /// The schema's migration files by name: from `Schema/` when it is found, else compiled in.
    public static func schemaFiles() throws -> [String: Data] {
        try files("Schema", override: "DTB_SCHEMA_DIR", suffix: ".sql", embedded: EmbeddedResources.schema)
    }

    /// The built-in atlas manifests by file name: from `Atlases/` when it is found, else compiled in.
    public static func atlasManifests() throws -> [String: Data] {
        try files("Atlases", override: "DTB_ATLASES_DIR", suffix: ".json", embedded: EmbeddedResources.atlases)
    }

    private static func files(_ name: String, override: String, suffix: String, embedded: [String: String]) throws -> [String: Data] {
        guard let directory = try? locate(name, override: override) else { return embedded.mapValues { Data($0.utf8) } }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(suffix) }
        } catch {
            throw StoreError.server("cannot read \(directory.path): \(ServerTools.reason(error))")
        }
        var contents: [String: Data] = [:]
        for file in names {
            do {
                contents[file] = try Data(contentsOf: directory.appendingPathComponent(file))
            } catch {
                throw StoreError.server("cannot read \(directory.appendingPathComponent(file).path): \(ServerTools.reason(error))")
            }
        }
        return contents
    }

    /// The executable that runs, its symlinks resolved; `argv[0]` where `/proc` is absent.
    static var executable: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    }

    /// This release of dtb.
    public static let release = "0.3.0"

    /// What every result records as the code that made it: the release, plus the checkout's git
    /// commit when dtb runs from one (read from `.git` directly, no `git` process).
    public static var codeVersion: String {
        guard let schema = try? schemaDirectory() else { return "dtb \(release)" }
        let git = schema.deletingLastPathComponent().appendingPathComponent(".git")
        guard let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return "dtb \(release)" }
        var commit = head
        if head.hasPrefix("ref: ") {
            let ref = String(head.dropFirst(5))
            commit = (try? String(contentsOf: git.appendingPathComponent(ref), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? packedRef(ref, in: git) ?? ref
        }
        return "dtb \(release) (\(commit.prefix(12)))"
    }

    private static func packedRef(_ ref: String, in git: URL) -> String? {
        guard let packed = try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8) else { return nil }
        return packed.split(separator: "\n").first { $0.hasSuffix(" " + ref) }.map { String($0.prefix(40)) }
    }

    private static func locate(_ name: String, override: String) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[override], !path.isEmpty { return URL(fileURLWithPath: path, isDirectory: true) }
        let starts = [executable.deletingLastPathComponent(), URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        for start in starts {
            var directory = start.standardizedFileURL
            while directory.path != "/" {
                let candidate = directory.appendingPathComponent(name, isDirectory: true)
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
                   FileManager.default.fileExists(atPath: candidate.path) {
                    return candidate
                }
                directory.deleteLastPathComponent()
            }
        }
        throw StoreError.server("cannot find the \(name)/ directory of the dtb checkout; set \(override)")
    }
}
