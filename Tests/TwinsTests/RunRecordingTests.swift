import DTBTestSupport
import Foundation
import HDF5Kit
import Testing
import Twins

/// What `dtb twin run` records on request besides BOLD and rates: spikes per unit (and per
/// population) in bins, and the spikes of a sample of neurons per population.
@Suite(.requires(.atlasMirror))
struct RunRecordingTests {
    @Test func aRunRecordsActivityAndARasterOnRequest() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let build = try subject.build(neurons: 4000, degree: 10, seed: 11)
        let reference = TwinReference(twin: build.twin, version: build.version)
        var request = TwinRunRequest(version: reference, seconds: 1, seed: 5, repetitionTime: 0.5, threads: 2)
        request.activityBin = 2
        request.rasterPerPopulation = 3
        request.populationActivity = true
        let runner = TwinRunner(database: subject.database)
        let run = try runner.run(request)
        let file = try HDF5File.open(path: subject.database.files.url(of: run.file.path).path)
        defer { file.close() }
        #expect(try file.dataset("/activity").shape == [500, 246] && file.doubleAttribute("bin_ms", on: "/activity") == 2)
        #expect(try file.dataset("/activity").read(UInt32.self).reduce(0) { $0 + Int($1) } == run.spikes)
        let network = try runner.network(reference)
        // Per population, the same bins: a unit's populations add up to the unit, bin by bin.
        let populations = network.populations.count
        #expect(try file.dataset("/population_activity").shape == [500, populations])
        let unitCounts = try file.dataset("/activity").read(UInt32.self)
        let populationCounts = try file.dataset("/population_activity").read(UInt32.self)
        let summed = (0..<500).flatMap { b in
            network.populations.indices.reduce(into: [UInt32](repeating: 0, count: 246)) { $0[network.populations[$1].unit] += populationCounts[b * populations + $1] }
        }
        #expect(summed == unitCounts)
        #expect(try file.readStrings("/populations").count == populations)
        let sample = Set(TwinRunner.rasterSample(network, perPopulation: 3))
        #expect(sample.count == network.populations.reduce(0) { $0 + min(3, $1.size) })
        let neurons = try file.dataset("/raster/neuron").read(Int32.self), times = try file.dataset("/raster/time_ms").read(Double.self)
        #expect(!neurons.isEmpty && neurons.count == times.count && neurons.allSatisfy { sample.contains(Int($0)) })
        #expect(times.allSatisfy { (0..<1000).contains($0) } && times == times.sorted())
        // Without the options the run is as before: the same seed gives the same BOLD, no extra datasets.
        let plain = try runner.run(TwinRunRequest(version: reference, seconds: 1, seed: 5, repetitionTime: 0.5, threads: 1))
        let other = try HDF5File.open(path: subject.database.files.url(of: plain.file.path).path)
        defer { other.close() }
        #expect(!other.exists("/activity") && !other.exists("/population_activity") && !other.exists("/raster/neuron"))
        #expect(try other.dataset("/bold").read(Double.self) == file.dataset("/bold").read(Double.self))
        #expect {
            var bad = request
            bad.activityBin = 1.5
            _ = try runner.run(bad)
        } throws: { "\($0)".contains("--activity-bin 1.5: give a whole number of the twin's 1 ms steps") }
    }
}
