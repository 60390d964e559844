import Foundation
import HDF5Kit
import Sonata
import Testing
import TwinBuilder

/// Edited versions of ``SonataTwins/main``: any in-degree per neuron, 0 included.
enum EditedTwins {
    static let lesionSource = 3, lesionTarget = 4, silencedUnit = 5, newSource = 12

    /// The neurons of unit 5 cut off from every input: the second half of its largest population.
    static var silenced: Range<Int> {
        let pop = SonataTwins.main.populations.filter { $0.unit == silencedUnit }.max { $0.size < $1.size }!
        return (pop.firstNeuron + pop.size / 2)..<(pop.firstNeuron + pop.size)
    }

    /// Without the long-range synapses from unit 3 onto unit 4, and without any onto ``silenced``.
    static let lesioned: TwinNetwork = {
        let twin = SonataTwins.main, silenced = EditedTwins.silenced
        return try! twin.lesioning(from: [twin.unitNames[lesionSource]], to: [twin.unitNames[lesionTarget]])
            .removingSynapses { silenced.contains($0.post) }
    }()

    /// Every long-range synapse from unit 3 onto unit 4 moved to an excitatory neuron of unit 12.
    static let rewired: TwinNetwork = {
        let twin = SonataTwins.main
        let targets = twin.populations.filter { $0.unit == newSource && $0.excitatory }
            .flatMap { $0.firstNeuron..<($0.firstNeuron + $0.size) }
        return try! twin.rewiringSources { s in
            s.sourceUnit == lesionSource && s.targetUnit == lesionTarget ? targets[s.index % targets.count] : s.pre
        }
    }()

    /// Writes `twin` and reads it back.
    static func roundTrip(_ twin: TwinNetwork, in scratch: ScratchDirectory, _ name: String) throws -> (TwinNetwork, SonataCircuitFiles) {
        let files = try SonataWriter().write(twin, to: scratch.directory(name))
        return (try SonataReader(directory: files.directory).read(), files)
    }
}

@Suite("SONATA edited networks")
struct EditedNetworkTests {
    @Test func lesionedTwinRoundTripsExactly() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let twin = SonataTwins.main, edited = EditedTwins.lesioned
        #expect(twin.longRangeCount(from: EditedTwins.lesionSource, to: EditedTwins.lesionTarget) > 0)
        #expect(edited.longRangeCount(from: EditedTwins.lesionSource, to: EditedTwins.lesionTarget) == 0)
        #expect(EditedTwins.silenced.count > 3 && EditedTwins.silenced.allSatisfy { edited.synapses(onto: $0).isEmpty })
        let (back, files) = try EditedTwins.roundTrip(edited, in: scratch, "lesioned")
        #expect(back == edited)
        #expect(back.edges.digest == edited.edges.digest && back.edges.digest != twin.edges.digest)
        #expect(try back.summaryJSON() == edited.summaryJSON())
        try expectIndexMatches(files, edited, silenced: EditedTwins.silenced)
    }

    @Test func rewiredTwinRoundTripsExactly() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let twin = SonataTwins.main, edited = EditedTwins.rewired
        let moved = twin.longRangeCount(from: EditedTwins.lesionSource, to: EditedTwins.lesionTarget)
        #expect(edited.edges.count == twin.edges.count && edited.edges.pre != twin.edges.pre)
        #expect(edited.longRangeCount(from: EditedTwins.lesionSource, to: EditedTwins.lesionTarget) == 0)
        #expect(edited.longRangeCount(from: EditedTwins.newSource, to: EditedTwins.lesionTarget)
                == twin.longRangeCount(from: EditedTwins.newSource, to: EditedTwins.lesionTarget) + moved)
        let (back, files) = try EditedTwins.roundTrip(edited, in: scratch, "rewired")
        #expect(back == edited)
        try expectIndexMatches(files, edited)
    }

    /// `indices/target_to_source` for variable in-degree: every neuron's rows give exactly its
    /// synapses; a silenced neuron has an empty range, and the next neuron's range starts where
    /// the last neuron with inputs ended.
    private func expectIndexMatches(_ files: SonataCircuitFiles, _ twin: TwinNetwork, silenced: Range<Int>? = nil,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let edges = try HDF5File.open(path: files.edges.path)
        defer { edges.close() }
        let index = "/edges/twin_to_twin/indices/target_to_source"
        let nodeRows = try edges.dataset("\(index)/node_id_to_ranges").read(Int64.self).map { Int($0) }
        let edgeRows = try edges.dataset("\(index)/range_to_edge_id").read(Int64.self).map { Int($0) }
        func synapses(of neuron: Int) -> Range<Int>? {
            let ranges = nodeRows[2 * neuron]..<nodeRows[2 * neuron + 1]
            guard ranges.count <= 1 else { return nil }   // the writer gives a neuron one range at most
            return ranges.isEmpty ? 0..<0 : edgeRows[2 * ranges.lowerBound]..<edgeRows[2 * ranges.lowerBound + 1]
        }
        let mismatches = (0..<twin.neuronCount).filter { neuron in
            let expected = twin.synapses(onto: neuron)
            return synapses(of: neuron).map { $0 == expected || ($0.isEmpty && expected.isEmpty) } != true
        }
        #expect(mismatches.isEmpty, "neurons \(mismatches.prefix(5)) have other ranges", sourceLocation: sourceLocation)
        #expect(edgeRows.count / 2 == (0..<twin.neuronCount).filter { !twin.synapses(onto: $0).isEmpty }.count,
                sourceLocation: sourceLocation)
        if let silenced {
            let before = twin.synapses(onto: silenced.lowerBound - 1), after = twin.synapses(onto: silenced.upperBound)
            #expect(!before.isEmpty && !after.isEmpty && before.upperBound == after.lowerBound, sourceLocation: sourceLocation)
            #expect(nodeRows[2 * silenced.lowerBound] == nodeRows[2 * silenced.upperBound - 1], sourceLocation: sourceLocation)
            #expect(synapses(of: silenced.upperBound) == after, sourceLocation: sourceLocation)
        }
    }

    /// A damaged edited file gives one line naming the file and what does not fit: stored figures
    /// that are not the synapses', a synapse moved onto a silenced neuron (the index disagrees),
    /// and synapses out of target order.
    @Test func corruptedEditedFileGivesOneLine() throws {
        let scratch = try ScratchDirectory()
        defer { withExtendedLifetime(scratch) {} }   // the directory lives to the test's end
        let edited = EditedTwins.lesioned, silenced = EditedTwins.silenced
        func write(_ name: String) throws -> SonataCircuitFiles { try SonataWriter().write(edited, to: scratch.directory(name)) }
        func readError(_ files: SonataCircuitFiles) -> String? {
            sonataError { _ = try SonataReader(directory: files.directory).read() }?.description
        }

        let figures = try write("figures")
        let nodes = try HDF5File.open(path: figures.nodes.path, mode: .readWrite)
        let before = SonataTwins.main.longRangeCount(from: EditedTwins.lesionSource, to: EditedTwins.lesionTarget)
        try nodes.dataset("/dtb/units/long_range_counts").write([Int64(before)], start: [EditedTwins.lesionTarget, EditedTwins.lesionSource],
                                                               count: [1, 1])
        nodes.close()
        let target = edited.unitNames[EditedTwins.lesionTarget]
        expect(readError(figures), startsWith: figures.directory,
               saying: "unit \(target) has \(before) long-range synapses from tract group \(EditedTwins.lesionSource) where its synapses give 0")

        // The last synapse onto the neuron before the silenced ones, moved onto the first of them:
        // still in target order, in the same unit, so only the index tells.
        let index = try write("index")
        var edges = try HDF5File.open(path: index.edges.path, mode: .readWrite)
        let last = edited.synapses(onto: silenced.lowerBound - 1).upperBound - 1
        try edges.dataset("/edges/twin_to_twin/target_node_id").write([UInt64(silenced.lowerBound)], start: [last], count: [1])
        edges.close()
        expect(readError(index), startsWith: index.edges,
               saying: "/edges/twin_to_twin/indices/target_to_source/node_id_to_ranges row \(silenced.lowerBound) is [")

        let order = try write("order")
        edges = try HDF5File.open(path: order.edges.path, mode: .readWrite)
        try edges.dataset("/edges/twin_to_twin/target_node_id").write([UInt64(silenced.upperBound)], start: [0], count: [1])
        edges.close()
        expect(readError(order), startsWith: order.directory,
               saying: "synapse 1 targets neuron \(edited.edges.post[1]) after synapse 0 targets neuron \(silenced.upperBound) (synapses must be sorted by target neuron)")
    }

    private func expect(_ text: String?, startsWith file: URL, saying words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let text else { return }   // sonataError recorded the issue
        #expect(text.hasPrefix(file.path + ": ") && text.contains(words) && !text.contains("\n"), "\(text)", sourceLocation: sourceLocation)
        print(text)
    }
}
