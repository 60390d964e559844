import Foundation
import Store

/// A built-in atlas's manifest (`Atlases/NAME.json`): its source files with their SHA-256, where
/// they come from, its citation and licence, and the recipe that turns them into an atlas.
public struct AtlasManifest: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var name: String
        public var role: String
        public var sha256: String
        public var url: String?
        public var note: String?
    }

    public var name: String
    public var title: String
    public var version: String
    public var templateSpace: String
    public var recipe: String
    /// Subdirectory of the atlas mirror that holds the files.
    public var mirrorDirectory: String
    public var citation: String
    public var licence: String
    public var files: [File]
    /// Regions whose mean SV2A density is a twin's synaptic-density reference (V1; design note §2).
    /// Not part of ``contentDigest``: it says how twins use the atlas, not what the atlas is.
    public var sv2aReference: [String]?

    enum CodingKeys: String, CodingKey {
        case name, title, version, recipe, citation, licence, files
        case templateSpace = "template_space", mirrorDirectory = "mirror_directory", sv2aReference = "sv2a_reference"
    }

    /// Reads `Atlases/<name>.json` (compiled in when dtb runs away from its checkout).
    public static func builtin(_ name: String) throws -> AtlasManifest {
        let manifests = try ProjectResources.atlasManifests()
        guard let data = manifests["\(name).json"] else {
            throw AtlasError("atlas '\(name)' is not built in (built in: \(builtinNames().joined(separator: ", ")))")
        }
        return try JSONDecoder().decode(AtlasManifest.self, from: data)
    }

    /// Names of every built-in manifest.
    public static func builtinNames() -> [String] {
        let names = (try? ProjectResources.atlasManifests().keys.sorted()) ?? []
        return names.map { String($0.dropLast(5)) }
    }

    public func file(role: String) -> File? { files.first { $0.role == role } }

    /// Digest over the recipe and every source file's digest: equal content, equal digest.
    public var contentDigest: String {
        SHA256.hex(Array((["recipe:\(recipe)"] + files.map { "\($0.role):\($0.sha256)" }).joined(separator: "\n").utf8))
    }
}

/// Finds a manifest's files in the atlas mirror or the download cache, downloading into the cache
/// when needed, and checks every file's SHA-256 against the manifest.
public struct AtlasFileSource: Sendable {
    /// `DTB_ATLAS_MIRROR` (a directory laid out like `../shared/atlas-data`).
    public let mirror: URL?
    public let cache: URL

    public init(mirror: URL?, cache: URL) {
        self.mirror = mirror
        self.cache = cache
    }

    /// The mirror a command uses when none is named: `DTB_ATLAS_MIRROR`, else the
    /// `../shared/atlas-data` beside the checkout (development and CI have one), else none.
    public static func defaultMirror(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let named = environment["DTB_ATLAS_MIRROR"], !named.isEmpty {
            return URL(fileURLWithPath: named, isDirectory: true)
        }
        guard let atlases = try? ProjectResources.atlasesDirectory() else { return nil }
        let shared = atlases.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/atlas-data")
        return FileManager.default.fileExists(atPath: shared.path) ? shared : nil
    }

    /// Resolves every file of `manifest`, keyed by role.
    public func resolve(_ manifest: AtlasManifest) throws -> [String: URL] {
        var located: [String: URL] = [:]
        for file in manifest.files { located[file.role] = try resolve(file, of: manifest) }
        return located
    }

    private func resolve(_ file: AtlasManifest.File, of manifest: AtlasManifest) throws -> URL {
        if let mirror {
            let candidate = mirror.appendingPathComponent(manifest.mirrorDirectory).appendingPathComponent(file.name)
            if FileManager.default.fileExists(atPath: candidate.path) { return try verified(candidate, file) }
        }
        let cached = cache.appendingPathComponent(manifest.name).appendingPathComponent(file.name)
        if !FileManager.default.fileExists(atPath: cached.path) { try download(file, to: cached) }
        return try verified(cached, file)
    }

    private func verified(_ url: URL, _ file: AtlasManifest.File) throws -> URL {
        let actual = try SHA256.hex(ofFile: url.path)
        guard actual == file.sha256 else {
            throw AtlasError.file(url.path, "checksum mismatch: the manifest expects sha256 \(file.sha256.prefix(16))…, the file has \(actual.prefix(16))…")
        }
        return url
    }

    private func download(_ file: AtlasManifest.File, to destination: URL) throws {
        guard let address = file.url else {
            throw AtlasError("\(file.name): not in the atlas mirror (set DTB_ATLAS_MIRROR) and the manifest gives no download URL")
        }
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = destination.appendingPathExtension("part")
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["--fail", "--silent", "--show-error", "--location", "--max-time", "300", "--output", partial.path, address]
        do { try curl.run() } catch {
            throw AtlasError("\(file.name): cannot download \(address): curl is not available")
        }
        curl.waitUntilExit()
        guard curl.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: partial)
            throw AtlasError("\(file.name): download from \(address) failed (curl exit \(curl.terminationStatus)); set DTB_ATLAS_MIRROR to a local copy")
        }
        try FileManager.default.moveItem(at: partial, to: destination)
    }
}
