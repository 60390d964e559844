import DTBTestSupport
import Foundation
import Testing
import TwinBuilder
import TwinFixtures
import Twins

/// A voxel-level twin of the ingested sample subject: the gray-matter voxels become E/I units
/// that share their region's DWI row.
@Suite(.requires(.atlasMirror))
struct VoxelTwinTests {
    @Test func grayMatterVoxelsBecomeUnitsWiredByTheirRegionsTracts() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let threshold = 0.8
        let densest = subject.truth.grayMatterDensity.indices.max { subject.truth.grayMatterDensity[$0] < subject.truth.grayMatterDensity[$1] }!
        let parameters = BuildParameters(neurons: 60_000, meanInDegree: 10, seed: 8, grayMatterThreshold: threshold)
        let request = TwinBuildRequest(subject: "sample", atlas: "brainnetome246", level: .voxel, parameters: parameters,
                                       reference: [subject.regions[densest].name])
        let outcome = try TwinRegistry(database: subject.database).build(request)
        #expect(outcome.twin == "sample-brainnetome246-voxel" && outcome.neurons == 60_000)

        let inputs = try TwinInputReader(database: subject.database)
            .inputs(subject: "sample", atlas: "brainnetome246", level: .voxel, reference: [subject.regions[densest].name], threshold: threshold)
        let units = inputs.records.units
        let groups = inputs.records.tractGroups!
        #expect(units.allSatisfy { $0.kind == .voxel && $0.grayMatterVolume >= threshold * 8 && $0.grayMatterVolume <= 8 })
        // Only regions whose sample density (±2 % voxel noise) can reach the threshold have voxels.
        let kept = Set(inputs.unitLabels)
        for (r, region) in subject.regions.enumerated() {
            let density = subject.truth.grayMatterDensity[r]
            if density * 1.02 < threshold { #expect(!kept.contains(region.label)) }
            if density * 0.98 >= threshold { #expect(kept.contains(region.label)) }
        }
        let groupCount = groups.max()! + 1
        #expect(inputs.records.tractDensity?.count == groupCount)

        let network = try TwinRunner(database: subject.database).network(TwinReference(twin: outcome.twin))
        #expect(network == (try TwinNetwork(records: inputs.records, parameters: parameters)))
        #expect(network.unitNames.count == units.count)
        // Neurons per region ∝ the region's kept gray matter; long-range input shares per target
        // region follow its DWI row.
        var gm = [Double](repeating: 0, count: groupCount), neurons = gm
        var received = [[Double]](repeating: [Double](repeating: 0, count: groupCount), count: groupCount)
        for (v, g) in groups.enumerated() {
            gm[g] += units[v].grayMatterVolume
            neurons[g] += Double(network.neuronCounts[v].reduce(0, +))
            for source in 0..<groupCount { received[g][source] += Double(network.longRangeCount(from: source, to: v)) }
        }
        #expect(pearson(neurons, gm) > 0.99)
        var shares: [Double] = [], expected: [Double] = []
        let density = inputs.records.tractDensity!
        for g in 0..<groupCount {
            let total = received[g].reduce(0, +), row = density[g].enumerated().reduce(0) { $0 + ($1.offset == g ? 0 : $1.element) }
            guard total > 0, row > 0 else { continue }
            for s in 0..<groupCount where s != g {
                shares.append(received[g][s] / total); expected.append(density[g][s] / row)
            }
            #expect(received[g][g] == 0)
        }
        #expect(pearson(shares, expected) > 0.9)
        let detail = try TwinQueries(database: subject.database).detail(TwinReference(twin: outcome.twin))
        #expect(detail.lobes.reduce(0) { $0 + $1.units } == units.count)
        #expect(!detail.lobes.contains { $0.lobe == "unassigned" })
    }

    @Test func aThresholdNoVoxelReachesIsRefused() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let parameters = BuildParameters(neurons: 60_000, meanInDegree: 10, seed: 8, grayMatterThreshold: 0.999)
        #expect(throws: TwinError.missingData("subject sample: no voxel of the gray-matter map reaches probability 0.999 on atlas brainnetome246")) {
            _ = try TwinRegistry(database: subject.database)
                .build(TwinBuildRequest(subject: "sample", atlas: "brainnetome246", level: .voxel, parameters: parameters))
        }
    }
}
