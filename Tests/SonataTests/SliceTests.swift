import Foundation
import HDF5Kit
import Sonata
import SpikingEngine
import Testing
import TwinBuilder

/// One process's slice of a stored twin (`SonataReader.read(targets:)`): exactly the synapses
/// onto its partitions' neurons, read by hyperslab, and checked so that the slices of all the
/// processes together check what a whole read checks.
@Suite("SONATA slices")
struct SliceTests {
    /// The neurons of each rank's partitions under `ranks` × `threads`, as the engine cuts them.
    func targets(of twin: TwinNetwork, ranks: Int, threads: Int) -> [Range<Int>] {
        let builder = twin.networkBuilder()
        return (0..<ranks).map { builder.neurons(partitions: ranks * threads, local: ($0 * threads)..<(($0 + 1) * threads)) }
    }

    @Test(arguments: [(2, 1), (3, 1), (2, 2), (7, 1)])
    func slicesHoldExactlyTheSynapsesOntoTheirNeurons(ranks: Int, threads: Int) throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let whole = SonataTwins.main
        let reader = SonataReader(directory: try SonataWriter().write(whole, to: scratch.directory("circuit")).directory)
        let ranges = targets(of: whole, ranks: ranks, threads: threads)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == whole.neuronCount)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "the ranks' neurons tile the network")
        var union = TwinEdges(), summed = [Int](repeating: 0, count: whole.figureCounts.count)
        for (rank, neurons) in ranges.enumerated() {
            let slice = try reader.read(targets: neurons)
            let onto = whole.synapses(onto: neurons.lowerBound).lowerBound..<whole.synapses(onto: neurons.upperBound - 1).upperBound
            #expect(slice.targets == neurons && slice.edges.count == onto.count, "rank \(rank): \(slice.edges.count) synapses")
            #expect(slice.edges.post.allSatisfy { neurons.contains(Int($0)) })
            #expect(slice.populations == whole.populations && slice.groups == whole.groups && slice.unitNames == whole.unitNames)
            union.pre += slice.edges.pre; union.post += slice.edges.post
            union.weight += slice.edges.weight; union.group += slice.edges.group
            summed = zip(summed, slice.figureCounts).map { $0 + $1 }
            // The engine draws from the slice exactly the synapses it draws from the whole twin here.
            let local = (rank * threads)..<((rank + 1) * threads)
            let fromSlice = slice.networkBuilder().build(partitions: ranks * threads, local: local)
            let fromWhole = whole.networkBuilder().build(partitions: ranks * threads, local: local)
            #expect(fromSlice.synapseCount == fromWhole.synapseCount && fromSlice.synapseBytes == fromWhole.synapseBytes)
        }
        #expect(union == whole.edges, "the slices together are the whole read")
        #expect(summed == whole.figureCounts)
        try whole.checkFigures(summed: summed)
    }

    /// An empty range reads the nodes and no synapse (what rank 0 checks a run from).
    @Test func anEmptySliceReadsTheNodesAlone() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let whole = SonataTwins.main
        let files = try SonataWriter().write(whole, to: scratch.directory("circuit"))
        let nodes = try SonataReader(directory: files.directory).read(targets: 0..<0)
        #expect(nodes.edges.count == 0 && nodes.populations == whole.populations && nodes.parameters == whole.parameters)
        #expect(nodes.meanInDegree == whole.meanInDegree && nodes.longRangeCounts == whole.longRangeCounts)
        #expect(!nodes.holdsSynapses(onto: 0..<1) && whole.holdsSynapses(onto: 0..<whole.neuronCount))
    }

    /// A synapse moved across the boundary of two slices (still in target order) is caught by the
    /// slice beside it, one line naming edges.h5; damaged figures pass every slice but not the
    /// ranks' summed counts.
    @Test func damageAtASliceIsOneLineNamingTheFile() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }
        let whole = SonataTwins.main
        let ranges = targets(of: whole, ranks: 2, threads: 1)
        let moved = try SonataWriter().write(whole, to: scratch.directory("moved"))
        let last = whole.synapses(onto: ranges[0].upperBound - 1).upperBound - 1
        let edges = try HDF5File.open(path: moved.edges.path, mode: .readWrite)
        try edges.dataset("/edges/twin_to_twin/target_node_id").write([UInt64(ranges[1].lowerBound)], start: [last], count: [1])
        edges.close()
        let error = sonataError { _ = try SonataReader(directory: moved.directory).read(targets: ranges[1]) }?.description
        #expect(error?.hasPrefix(moved.edges.path + ": /edges/twin_to_twin/target_node_id[\(last)] = \(ranges[1].lowerBound) is one of neurons") == true
                && error?.contains("\n") == false, "\(error ?? "")")
        #expect(sonataError { _ = try SonataReader(directory: moved.directory).read() } != nil)

        let figures = try SonataWriter().write(whole, to: scratch.directory("figures"))
        let nodes = try HDF5File.open(path: figures.nodes.path, mode: .readWrite)
        try nodes.dataset("/dtb/units/mean_in_degree").write([whole.meanInDegree[0] + 1], start: [0], count: [1])
        nodes.close()
        let slices = try ranges.map { try SonataReader(directory: figures.directory).read(targets: $0) }
        let summed = slices.map(\.figureCounts).reduce(into: [Int](repeating: 0, count: whole.figureCounts.count)) {
            $0 = zip($0, $1).map { $0 + $1 }
        }
        #expect(throws: TwinBuildError.self) { try slices[0].checkFigures(summed: summed) }
    }
}
