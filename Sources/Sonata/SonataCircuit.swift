// Sonata — writes a built twin network as a SONATA circuit (nodes, edges and their type tables;
// AIBS/BBP SONATA developer guide) and reads it back exactly. Pure file I/O, no database.
//
//   TwinNetwork ──SonataWriter──▶ nodes.h5, edges.h5, node_types.csv, edge_types.csv
//               ◀──SonataReader──
//
// External SONATA readers see one node population (a node type per twin population) and one edge
// population sorted by target with its target_to_source index. What only dtb needs to rebuild the
// TwinNetwork (parameters, per-unit figures) sits beside it under /dtb in nodes.h5.
import Foundation

/// The four files of a twin circuit in one directory.
public struct SonataCircuitFiles: Sendable, Equatable {
    public let directory: URL
    /// The node population and dtb's own records (`nodes.h5`).
    public var nodes: URL { directory.appendingPathComponent("nodes.h5") }
    /// The edge population and its target index (`edges.h5`).
    public var edges: URL { directory.appendingPathComponent("edges.h5") }
    /// One row per node type, i.e. per twin population (`node_types.csv`).
    public var nodeTypes: URL { directory.appendingPathComponent("node_types.csv") }
    /// One row per edge type, i.e. per synapse group (`edge_types.csv`).
    public var edgeTypes: URL { directory.appendingPathComponent("edge_types.csv") }
    /// Every file, in the order they are written.
    public var all: [URL] { [nodes, edges, nodeTypes, edgeTypes] }

    /// The files of the circuit in `directory`.
    public init(directory: URL) { self.directory = directory }
}

/// Names and constants the SONATA guide fixes, and where dtb's own records go.
enum SonataLayout {
    /// Top-level `magic` attribute of every SONATA HDF5 file.
    static let magic: UInt32 = 0x0A7A
    /// Top-level `version` attribute: the guide's version 0.1.
    static let version: [UInt32] = [0, 1]
    /// Root attribute of nodes.h5 holding ``TwinRecord`` as JSON.
    static let recordAttribute = "dtb_twin"
    /// Format written into ``TwinRecord/format``; readers refuse others.
    static let format = "dtb-twin-sonata 1"

    static func nodes(_ population: String) -> String { "/nodes/\(population)" }
    static func edges(_ population: String) -> String { "/edges/\(population)" }
    static func edgePopulation(for nodePopulation: String) -> String { "\(nodePopulation)_to_\(nodePopulation)" }

    static let units = "/dtb/units"
    static let populations = "/dtb/populations"
}
