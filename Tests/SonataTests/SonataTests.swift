import Foundation
import HDF5Kit
import Sonata
import Recorders
import SpikingEngine
import Testing
import TwinBuilder

@Suite("SONATA round trip")
struct RoundTripTests {
    @Test func readingGivesTheTwinThatWasWritten() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let twin = SonataTwins.main
        #expect(twin.groups.count > 3, "several long-range delays")
        let files = try SonataWriter().write(twin, to: scratch.directory("circuit"))
        let back = try SonataReader(directory: files.directory).read()
        #expect(back.edges.digest == twin.edges.digest)
        #expect(back.populations == twin.populations)
        #expect(back.parameters == twin.parameters)
        #expect(back.groups == twin.groups)
        #expect(back.delaySteps == twin.delaySteps)
        #expect(back == twin)
        #expect(try back.summaryJSON() == twin.summaryJSON())
    }

    /// No DWI: no delays (nil), only the two local groups, and the fallback recorded.
    @Test func fallbacksAndMissingDelaysRoundTrip() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let twin = try SonataTwins.twin(neurons: 2000, k: 20, dwi: false)
        #expect(twin.delaySteps == nil && twin.fallbacks.dwi == DWIFallback.none)
        let back = try SonataReader(directory: SonataWriter(gzipLevel: nil).write(twin, to: scratch.directory("local")).directory).read()
        #expect(back == twin)
    }

    /// K = 0: no synapses, empty edge columns and an index of empty ranges.
    @Test func twinWithoutSynapsesRoundTrips() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let twin = try SonataTwins.twin(neurons: 500, k: 0)
        #expect(twin.edges.count == 0)
        let files = try SonataWriter().write(twin, to: scratch.directory("empty"))
        #expect(try SonataReader(directory: files.directory).read() == twin)
        let ranges = try HDF5File.open(path: files.edges.path).dataset("/edges/twin_to_twin/indices/target_to_source/node_id_to_ranges")
        #expect(try ranges.read(UInt64.self).allSatisfy { $0 == 0 })
    }

    /// Object times are off and nothing else varies: the same network gives the same bytes.
    @Test func sameNetworkSameBytes() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let first = try SonataWriter().write(SonataTwins.main, to: scratch.directory("first"))
        Thread.sleep(forTimeInterval: 1.1)   // past HDF5's one-second time resolution
        let second = try SonataWriter().write(try SonataTwins.twin(), to: scratch.directory("second"))
        for (a, b) in zip(first.all, second.all) {
            #expect(try Data(contentsOf: a) == Data(contentsOf: b), "\(a.lastPathComponent) differs")
        }
        let other = try SonataWriter().write(try SonataTwins.twin(seed: 8), to: scratch.directory("other"))
        #expect(try Data(contentsOf: first.edges) != Data(contentsOf: other.edges))
    }

    /// The reloaded twin drives the engine exactly as the original: same spikes, same potentials.
    @Test func reloadedTwinSimulatesIdentically() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let twin = SonataTwins.main
        let back = try SonataReader(directory: SonataWriter().write(twin, to: scratch.directory("sim")).directory).read()
        func run(_ t: TwinNetwork) -> ([RasterSpike], [Double]) {
            let network = t.networkBuilder().build(partitions: 2)
            let raster = SpikeRaster(neurons: 0..<network.neuronCount)
            let sim = Simulation(network: network, observers: [raster])
            sim.run(duration: 200)
            return (raster.spikes, (0..<network.neuronCount).map { sim.potential(of: $0) })
        }
        let original = run(twin), reloaded = run(back)
        #expect(original.0.count > 100, "the twin spikes (\(original.0.count) spikes)")
        #expect(reloaded.0 == original.0)
        #expect(reloaded.1 == original.1)
    }

    /// Write and read figures for a ~1M-synapse twin (printed for the record).
    @Test func millionSynapseTwinFigures() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let twin = try SonataTwins.twin(neurons: 10_000, k: 100)
        var clock = ContinuousClock.now
        let files = try SonataWriter().write(twin, to: scratch.directory("million"))
        let written = ContinuousClock.now - clock
        clock = ContinuousClock.now
        let back = try SonataReader(directory: files.directory).read()
        let read = ContinuousClock.now - clock
        #expect(back == twin)
        let sizes = try files.all.map { "\($0.lastPathComponent) \(try FileManager.default.attributesOfItem(atPath: $0.path)[.size] as! Int) B" }
        print("SONATA \(twin.neuronCount) neurons, \(twin.edges.count) synapses: write \(written), read \(read); \(sizes.joined(separator: ", "))")
    }
}

@Suite("SONATA layout")
struct LayoutTests {
    /// What an external SONATA reader relies on: header attributes, dataset names, dtypes,
    /// node_population, and a target index whose ranges cover each neuron's synapses exactly.
    @Test func externalReadersFindTheLayoutTheyExpect() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let twin = SonataTwins.main
        let files = try SonataWriter().write(twin, to: scratch.directory("layout"))
        let nodes = try HDF5File.open(path: files.nodes.path), edges = try HDF5File.open(path: files.edges.path)
        for file in [nodes, edges] {
            #expect(try file.attributeKind("magic") == .uint32 && file.intAttribute("magic") == 0x0A7A)
            #expect(try file.attributeKind("version") == .uint32 && file.intArrayAttribute("version") == [0, 1])
        }
        let n = twin.neuronCount, e = twin.edges.count
        let nodeColumns: [(String, HDF5ScalarKind)] = [("node_type_id", .int64), ("node_group_id", .uint32),
                                                      ("node_group_index", .uint64), ("0/unit", .uint32)]
        for (name, kind) in nodeColumns {
            let dataset = try nodes.dataset("/nodes/twin/\(name)")
            #expect(try dataset.shape == [n] && dataset.elementKind == kind, "\(name)")
        }
        let types = try nodes.dataset("/nodes/twin/node_type_id").read(Int64.self).map { Int($0) }
        #expect(types == twin.populations.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element.size) })

        let base = "/edges/twin_to_twin"
        let edgeColumns: [(String, HDF5ScalarKind)] = [("source_node_id", .uint64), ("target_node_id", .uint64),
                                                      ("edge_type_id", .int64), ("edge_group_id", .uint32),
                                                      ("edge_group_index", .uint64), ("0/weight", .uint16), ("0/syn_weight", .float32)]
        for (name, kind) in edgeColumns {
            let dataset = try edges.dataset("\(base)/\(name)")
            #expect(try dataset.shape == [e] && dataset.elementKind == kind, "\(name)")
        }
        for name in ["source_node_id", "target_node_id"] {
            #expect(try edges.stringAttribute("node_population", on: "\(base)/\(name)") == "twin")
        }
        #expect(try edges.dataset("\(base)/edge_type_id").read(UInt8.self) == twin.edges.group)
        #expect(try edges.dataset("\(base)/edge_group_index").read(UInt64.self) == (0..<e).map { UInt64($0) })
        let synWeights = try edges.dataset("\(base)/0/syn_weight").read(Float.self)
        #expect(synWeights.allSatisfy { $0 >= 0 } && synWeights.contains { $0 > 0 })

        let targets = try edges.dataset("\(base)/target_node_id").read(Int64.self).map { Int($0) }
        let toRanges = try edges.dataset("\(base)/indices/target_to_source/node_id_to_ranges")
        let rangeToEdges = try edges.dataset("\(base)/indices/target_to_source/range_to_edge_id")
        #expect(try toRanges.shape == [n, 2] && toRanges.elementKind == .uint64)
        #expect(try rangeToEdges.shape[1] == 2 && rangeToEdges.elementKind == .uint64)
        let primary = try toRanges.read(Int64.self).map { Int($0) }, secondary = try rangeToEdges.read(Int64.self).map { Int($0) }
        var covered = [Bool](repeating: false, count: e)
        for node in 0..<n {
            for r in primary[2 * node]..<primary[2 * node + 1] {
                for edge in secondary[2 * r]..<secondary[2 * r + 1] {
                    #expect(targets[edge] == node && !covered[edge])
                    covered[edge] = true
                }
            }
        }
        #expect(covered.allSatisfy { $0 }, "the index reaches every synapse")
    }

    @Test func typeTablesHaveOneRowPerTypeInTheDialect() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let twin = SonataTwins.main
        let files = try SonataWriter().write(twin, to: scratch.directory("tables"))
        let nodeTypes = try String(contentsOf: files.nodeTypes, encoding: .utf8)
        let edgeTypes = try String(contentsOf: files.edgeTypes, encoding: .utf8)
        for table in [nodeTypes, edgeTypes] {
            #expect(table.allSatisfy(\.isASCII) && !table.contains("\r") && table.hasSuffix("\n"))
        }
        let nodeLines = nodeTypes.split(separator: "\n"), edgeLines = edgeTypes.split(separator: "\n")
        #expect(nodeLines.count == twin.populations.count + 1)
        #expect(edgeLines.count == twin.groups.count + 1)
        #expect(nodeLines[0].hasPrefix("node_type_id population model_type model_template "))
        #expect(nodeLines[0].contains(" g_AMPA ") && nodeLines[0].contains(" tau_GABAb "))
        #expect(edgeLines[0] == "edge_type_id population name receptor_low_byte full_scale_low_byte receptor_high_byte full_scale_high_byte delay")
        // Unit names with spaces are quoted; group names are ASCII.
        #expect(nodeLines.contains { $0.contains(" \"unit 5\" ") })
        #expect(edgeLines[1] == "0 twin_to_twin \"local E->AMPA+NMDA\" AMPA 1.0 NMDA 1.0 1.0")
    }
}

@Suite("SONATA errors")
struct ErrorTests {
    private func written(in scratch: ScratchDirectory) throws -> SonataCircuitFiles {
        try SonataWriter().write(try SonataTwins.twin(neurons: 1000, k: 10), to: scratch.directory("c"))
    }

    private func expectOneLine(_ error: SonataError?, file: URL, saying words: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else { return }
        let text = error.description
        #expect(text.hasPrefix(file.path + ": "), "\(text)", sourceLocation: sourceLocation)
        #expect(text.contains(words), "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("\n"), sourceLocation: sourceLocation)
        print(text)
    }

    @Test func missingFile() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let files = try written(in: scratch)
        let empty = SonataReader(directory: scratch.directory("nowhere"))
        expectOneLine(sonataError { _ = try empty.read() }, file: empty.files.nodes, saying: "no such file")
        try FileManager.default.removeItem(at: files.edges)
        expectOneLine(sonataError { _ = try SonataReader(directory: files.directory).read() }, file: files.edges, saying: "no such file")
    }

    @Test func truncatedFile() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let files = try written(in: scratch)
        let bytes = try Data(contentsOf: files.edges)
        try bytes.prefix(bytes.count / 2).write(to: files.edges)
        expectOneLine(sonataError { _ = try SonataReader(directory: files.directory).read() }, file: files.edges, saying: "truncated")
    }

    @Test func notHDF5AtAll() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let files = try written(in: scratch)
        try Data("node_type_id population\n".utf8).write(to: files.nodes)
        expectOneLine(sonataError { _ = try SonataReader(directory: files.directory).read() }, file: files.nodes, saying: "cannot open file")
    }

    /// An edges file holding SONATA's header but not the twin's datasets, a source column that is
    /// not one-dimensional, or a column of another length than the sources.
    @Test func missingDatasetAndWrongShape() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let files = try written(in: scratch)
        var file = try HDF5File.create(path: files.edges.path)
        try file.setAttribute("magic", UInt32(0x0A7A))
        file.close()
        expectOneLine(sonataError { _ = try SonataReader(directory: files.directory).read() }, file: files.edges,
                      saying: "missing dataset /edges/twin_to_twin/source_node_id")
        file = try HDF5File.create(path: files.edges.path)
        try file.setAttribute("magic", UInt32(0x0A7A))
        try file.write("/edges/twin_to_twin/source_node_id", [UInt64](repeating: 0, count: 10), shape: [5, 2])
        file.close()
        expectOneLine(sonataError { _ = try SonataReader(directory: files.directory).read() }, file: files.edges,
                      saying: "/edges/twin_to_twin/source_node_id has shape [5, 2], expected one dimension")
        file = try HDF5File.create(path: files.edges.path)
        try file.setAttribute("magic", UInt32(0x0A7A))
        try file.write("/edges/twin_to_twin/source_node_id", [UInt64](repeating: 0, count: 5), shape: [5])
        try file.setAttribute("node_population", "twin", on: "/edges/twin_to_twin/source_node_id")
        try file.write("/edges/twin_to_twin/target_node_id", [UInt64](repeating: 0, count: 6), shape: [6])
        file.close()
        expectOneLine(sonataError { _ = try SonataReader(directory: files.directory).read() }, file: files.edges,
                      saying: "/edges/twin_to_twin/target_node_id has shape [6], expected [5] (one per synapse")
    }

    @Test func notASonataFile() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let files = try written(in: scratch)
        let file = try HDF5File.create(path: files.nodes.path)
        file.close()
        expectOneLine(sonataError { _ = try SonataReader(directory: files.directory).read() }, file: files.nodes, saying: "not a SONATA file")
    }

    /// A synapse moved to a later target breaks the target order.
    @Test func inconsistentEdges() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let files = try written(in: scratch)
        let file = try HDF5File.open(path: files.edges.path, mode: .readWrite)
        try file.dataset("/edges/twin_to_twin/target_node_id").write([UInt64(999)], start: [0], count: [1])
        file.close()
        expectOneLine(sonataError { _ = try SonataReader(directory: files.directory).read() }, file: files.directory,
                      saying: "synapse 1 targets neuron 0 after synapse 0 targets neuron 999 (synapses must be sorted by target neuron)")
    }
}
