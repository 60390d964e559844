import Foundation

/// Finds the project's `Schema/` and `Atlases/` directories at run time.
///
/// They are plain files in the repository, not compiled in, so that a migration's checksum is
/// the checksum of the file a reviewer reads. `DTB_SCHEMA_DIR` / `DTB_ATLASES_DIR` override;
/// otherwise the directories are found by walking up from the executable and from the working
/// directory to the checkout that holds `Package.swift`.
public enum ProjectResources {
    public static func schemaDirectory() throws -> URL { try locate("Schema", override: "DTB_SCHEMA_DIR") }
    public static func atlasesDirectory() throws -> URL { try locate("Atlases", override: "DTB_ATLASES_DIR") }

    private static func locate(_ name: String, override: String) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[override], !path.isEmpty { return URL(fileURLWithPath: path, isDirectory: true) }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
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
