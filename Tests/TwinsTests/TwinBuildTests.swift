import DTBTestSupport
import Foundation
import Ingest
import Recorders
import SampleSubjects
import SpikingEngine
import Store
import Testing
import TwinBuilder
import TwinFixtures
import Twins

/// Builds of the ingested sample subject on Brainnetome-246 against the records they came from.
@Suite(.requires(.atlasMirror))
struct TwinBuildTests {
    @Test func networkFollowsGrayMatterSV2AAndTractDensity() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let outcome = try subject.build(neurons: 40_000, degree: 60, clip: nil)
        #expect(outcome.action == .created && outcome.version == 1)
        #expect(outcome.neurons == 40_000)
        let reference = TwinReference(twin: "sample-brainnetome246", version: 1)
        let detail = try TwinQueries(database: subject.database).detail(reference)
        let inputs = try TwinInputReader(database: subject.database).inputs(subject: "sample", atlas: "brainnetome246", level: .region)
        #expect(detail.units.count == 246)
        #expect(Set(detail.version.inputs.map(\.role)) == [.grayMatterVolume, .synapticDensity, .tractDensity, .tractLength])

        // Rule 1: neurons ∝ the stored gray-matter volume.
        let gm = inputs.records.units.map(\.grayMatterVolume)
        let rNeurons = pearson(detail.units.map { Double($0.neurons) }, gm)
        // Rule 2 (clip off): mean in-degree ∝ SV2A relative to V1; the ingested SUVR follows the truth.
        let sv2a = inputs.records.units.map { $0.sv2a! }
        let rDegree = pearson(detail.units.map(\.meanInDegree), sv2a)
        let rTruth = pearson(sv2a, subject.truth.suvr)
        // Rule 3: each unit's long-range inputs are shared over sources ∝ its row of tract density.
        let network = try TwinRunner(database: subject.database).network(reference)
        let density = inputs.records.tractDensity!
        var shares: [Double] = [], expected: [Double] = [], counts: [Double] = [], raw: [Double] = []
        for v in 0..<246 {
            let total = Double(network.longRangeCounts[v].reduce(0, +)), row = density[v].reduce(0, +)
            for u in 0..<246 where u != v && total > 0 && row > 0 {
                shares.append(Double(network.longRangeCount(from: u, to: v)) / total)
                expected.append(density[v][u] / row)
                counts.append(Double(network.longRangeCount(from: u, to: v)))
                raw.append(density[v][u])
            }
        }
        let rShares = pearson(shares, expected), rRaw = pearson(counts, raw)
        print("twin build figures: r(neurons, GM) = \(rNeurons), r(in-degree, SV2A) = \(rDegree), r(SUVR, truth) = \(rTruth), r(long-range share, DWI row share) = \(rShares), pooled r(counts, density) = \(rRaw)")
        #expect(rNeurons > 0.99)
        #expect(rDegree > 0.95)
        #expect(rTruth > 0.99)
        #expect(rShares > 0.9)
        #expect(network.edges.count == outcome.synapses)
    }

    @Test func sameInputsAndSeedGiveTheSameFilesAndNoNewVersion() async throws {
        let first = try await PreparedDatabases.sampleSubject()
        let a = try first.build(seed: 5)
        let again = try first.build(seed: 5)
        #expect(again.action == .unchanged && again.version == 1)
        #expect(again.files == a.files)
        // An independent database and data home, same subject and seed: byte-identical files.
        let second = try IngestedSubject.ingest(into: TestDatabase.make())
        let b = try second.build(seed: 5)
        #expect(b.networkDigest == a.networkDigest)
        #expect(b.files.map(\.sha256) == a.files.map(\.sha256))
        let other = try second.build(seed: 6)
        #expect(other.version == 2 && other.networkDigest != a.networkDigest)
        for file in b.files {
            _ = try second.database.files.verify(StoredFile(id: 0, relativePath: file.path, sha256: file.sha256, size: Int64(file.sizeBytes)))
        }
    }

    @Test func historyNamesNewDataAndChangedParameters() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        _ = try subject.build(seed: 3)
        // New PET arrives in a second session: a new measure, and the next build is version 2.
        try subject.writeSession("02", suvrScale: 1.1)
        _ = try SubjectIngester(database: subject.database).ingest(root: subject.root)
        let v2 = try subject.build(seed: 3)
        let v3 = try subject.build(degree: 40, seed: 3)
        #expect(v2.version == 2 && v3.version == 3)
        let history = try TwinQueries(database: subject.database).history("sample-brainnetome246")
        #expect(history.versions.map(\.version) == [1, 2, 3])
        #expect(history.versions.map(\.parent) == [nil, 1, 2])
        let second = history.versions[1].changes
        #expect(second.contains { $0.kind == "data" && $0.what == "synaptic_density" && $0.to?.contains("ses-02") == true })
        #expect(second.contains { $0.kind == "data" && $0.what == "gm_volume" })
        #expect(!second.contains { $0.kind == "parameter" })
        let third = history.versions[2].changes
        #expect(third.contains { $0.kind == "parameter" && $0.what == "mean_in_degree" && $0.from == "50" && $0.to == "40" })
        #expect(!third.contains { $0.kind == "data" })
        #expect(try TwinQueries(database: subject.database).twins(subject: "sample").map(\.latestVersion) == [3])
    }

    @Test func aStoredVersionSimulatesExactlyLikeTheBuiltNetwork() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let parameters = BuildParameters(neurons: 6_000, meanInDegree: 20, seed: 21)
        _ = try TwinRegistry(database: subject.database)
            .build(TwinBuildRequest(subject: "sample", atlas: "brainnetome246", parameters: parameters))
        let inputs = try TwinInputReader(database: subject.database).inputs(subject: "sample", atlas: "brainnetome246", level: .region)
        let built = try TwinNetwork(records: inputs.records, parameters: parameters)
        let loaded = try TwinRunner(database: subject.database).network(TwinReference(twin: "sample-brainnetome246"))
        #expect(loaded.edges == built.edges)
        let everyone = Array(0..<6_000)
        let a = try TwinRunner.simulate(built, seconds: 0.3, seed: 21, repetitionTime: 0.1, bold: .dtb, threads: 1, raster: everyone)
        let b = try TwinRunner.simulate(loaded, seconds: 0.3, seed: 21, repetitionTime: 0.1, bold: .dtb, threads: 2, raster: everyone)
        #expect(a.spikes > 0)
        #expect(a.raster == b.raster)
        // Running in parts (for progress) is the same as one run.
        let raster = SpikeRaster(neurons: everyone)
        let once = Simulation(network: built.networkBuilder().build(partitions: 1), seed: 21, observers: [raster])
        once.run(steps: 300)
        #expect(raster.spikes == a.raster)
        #expect(a.bold == b.bold)

        let run = try TwinRunner(database: subject.database)
            .run(TwinRunRequest(version: TwinReference(twin: "sample-brainnetome246", version: 1), seconds: 0.5, repetitionTime: 0.25))
        #expect(run.spikes > 0 && run.meanRateHz > 0)
        let info = try TwinQueries(database: subject.database).version(TwinReference(twin: "sample-brainnetome246"))
        #expect(info.runs == [run])
    }
}
