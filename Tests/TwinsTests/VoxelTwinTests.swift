import AtlasCatalog
import DTBTestSupport
import Foundation
import Ingest
import NIfTI
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

    /// A voxel twin is fitted to the subject's BOLD image voxel by voxel: each unit observes its own
    /// voxel's series (ingested with --voxel-series), the fit and its validation are stored, and a
    /// region time series (no voxels) is refused in one line.
    @Test func aVoxelTwinIsFittedToItsVoxelsSeries() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let database = subject.database
        let density = subject.truth.grayMatterDensity
        let densest = density.indices.max { density[$0] < density[$1] }!
        // Only the densest region's densest voxels: a few hundred units.
        let parameters = BuildParameters(neurons: 4000, meanInDegree: 10, seed: 8, grayMatterThreshold: density[densest] * 1.015)
        let build = try TwinRegistry(database: database).build(TwinBuildRequest(subject: "sample", atlas: "brainnetome246", level: .voxel,
                                                                               parameters: parameters, reference: [subject.regions[densest].name]))
        let twin = TwinReference(twin: build.twin, version: build.version)
        let unitCount = try TwinRunner(database: database).network(twin).unitNames.count
        let regionTwin = try subject.build(neurons: 4000, degree: 10, seed: 11)
        let regionRun = try subject.groundTruthRun(twin: TwinReference(twin: regionTwin.twin, version: regionTwin.version), frames: 4)
        #expect {
            _ = try TwinValidator(database: database).validate(TwinValidationRequest(version: twin, measure: regionRun, threads: 2))
        } throws: { "\($0)" == "measure \(regionRun) has no voxel series; ingest its image with --voxel-series brainnetome246 to fit voxel twin \(build.twin)" }

        // Session 02's BOLD image on the atlas grid: a value known at every voxel and frame.
        let grid = try AtlasCatalog(database: database).atlas(named: "brainnetome246").primaryGrid.grid
        let frames = 12
        func value(_ t: Int, _ voxel: Int) -> Float { Float(1000 + 10 * sin(0.7 * Double(t) + 0.001 * Double(voxel))) + Float(voxel % 7) }
        let volume = (0..<frames).flatMap { t in (0..<grid.voxelCount).map { value(t, $0) } }
        let func_ = subject.root.appendingPathComponent("derivatives/fmriprep/sub-sample/ses-02/func")
        try FileManager.default.createDirectory(at: func_, withIntermediateDirectories: true)
        let stem = "sub-sample_ses-02_task-rest_space-MNI152NLin6Asym_desc-preproc_bold"
        var header = NIfTIHeader(dimensions: grid.dimensions + [frames], datatype: .float32, affine: grid.affine)
        header.pixdim = header.pixdim.prefix(3) + [2]
        try NIfTIImage(header: header, float32: volume).write(to: func_.appendingPathComponent(stem + ".nii.gz").path)
        try Data(#"{"TaskName": "rest", "RepetitionTime": 2}"#.utf8).write(to: func_.appendingPathComponent(stem + ".json"))
        _ = try SubjectIngester(database: database).ingest(root: subject.root, options: IngestOptions(voxelSeriesAtlas: "brainnetome246"))
        let imageRun = try #require(try TwinQueries(database: database).boldMeasures(twin: build.twin).first { $0.session == "02" }).measure

        let run = try StudyInputs(database: database).empiricalRun(measure: imageRun, versionID: TwinQueries(database: database).versionID(twin))
        let voxels = run.units.map { Int($0.split(separator: "@").last!)! }
        #expect(run.units.count == unitCount && run.series.count == frames)
        #expect(run.series == (0..<frames).map { t in voxels.map { Double(value(t, $0)) } })

        var request = TwinAssimilationRequest(version: twin, measure: imageRun, threads: 2)
        request.members = 2
        request.warmupSeconds = 2
        request.checkpointEvery = 4
        let fit = try TwinAssimilator(database: database).assimilate(request)
        #expect(fit.version == 2 && fit.fittedUnits == unitCount && fit.frames > 0)
        var validate = TwinValidationRequest(version: TwinReference(twin: build.twin, version: 2), measure: imageRun, threads: 2)
        validate.transientFrames = 2
        let validation = try TwinValidator(database: database).validate(validate)
        #expect(validation.replay == "fitted" && validation.inSample && validation.frames == frames)
        try verifyRecordedFiles(database)
    }
}
