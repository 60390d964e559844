import Foundation
import Sonata
import TwinBuilder

/// A version's network on disk: the SONATA circuit files, by the role the database records.
enum TwinFiles {
    static let roles = ["nodes", "edges", "node_types", "edge_types"]

    /// Writes the circuit into `directory`; the file of each role.
    static func write(_ network: TwinNetwork, into directory: URL) throws -> [String: URL] {
        let files = try SonataWriter().write(network, to: directory)
        return ["nodes": files.nodes, "edges": files.edges, "node_types": files.nodeTypes, "edge_types": files.edgeTypes]
    }

    /// Reads a circuit whose files are stored apart (content-addressed names): they are linked
    /// under their SONATA names in a scratch directory first. With `targets`, only the synapses
    /// onto those neurons (``SonataReader/read(targets:)``).
    static func read(_ located: [String: URL], targets: Range<Int>? = nil) throws -> TwinNetwork {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dtb-twin-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = SonataCircuitFiles(directory: directory)
        let names = ["nodes": files.nodes, "edges": files.edges, "node_types": files.nodeTypes, "edge_types": files.edgeTypes]
        for role in roles {
            guard let source = located[role] else { throw TwinError.file("the version has no \(role) file") }
            try FileManager.default.createSymbolicLink(at: names[role]!, withDestinationURL: source)
        }
        let reader = SonataReader(directory: directory)
        return try targets.map { try reader.read(targets: $0) } ?? reader.read()
    }
}
