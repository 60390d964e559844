import CommandTestSupport
import DTBTestSupport
import Foundation
import Testing

/// `dtb analyze` end to end in process, on a twin run and a BOLD measure of the sample subject.
@Suite(.serialized) struct AnalyzeCommandTests {
    /// A 20 s run at TR 0.25 s (80 frames): every analysis on four regions, their JSON sections
    /// and sizes, the figures as SVG; then the same on the subject's BOLD measure; then bad input.
    @Test(.requires(.atlasMirror)) func analysesOfARunAndAMeasure() async throws {
        let dtb = try await InProcessDTB(database: PreparedDatabases.sampleSubject().database)
        _ = try jsonObject(dtb.run(["twin", "build", "sample", "--atlas", "brainnetome246", "--neurons", "5000", "--degree", "10", "--seed", "4", "--json"]))
        let run = try jsonObject(dtb.run(["twin", "run", "sample-brainnetome246", "--seconds", "20", "--tr", "0.25", "--json"]))
        let runID = try #require(run["run"] as? Int)
        let show = try jsonObject(dtb.run(["twin", "show", "sample-brainnetome246", "--json"]))
        let names = try #require((show["units"] as? [[String: Any]])?.prefix(4).compactMap { $0["name"] as? String })
        #expect(names.count == 4)

        let plots = FileManager.default.temporaryDirectory.appendingPathComponent("dtb-analyze-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: plots) }
        let report = try jsonObject(dtb.run(["analyze", "--run", "\(runID)", "--psd", "--granger", "--sync", "--fcd", "--regions", names.joined(separator: ","),
                                       "--band", "0.05,1", "--window", "5", "--step", "1", "--max-order", "2", "--plots", plots.path, "--json"]))
        #expect(report["frames"] as? Int == 80 && report["sampling_rate_hz"] as? Double == 4)
        #expect(report["regions"] as? [String] == names)
        let psd = try #require(report["psd"] as? [String: Any])
        #expect(psd["segment_length"] as? Int == 80 && (psd["frequencies_hz"] as? [Double])?.count == 41)
        #expect((psd["regions"] as? [[String: Any]])?.count == 4)
        let granger = try #require(report["granger"] as? [String: Any])
        #expect((granger["links"] as? [[String: Any]])?.count == 12)
        #expect((granger["links"] as? [[String: Any]])?.allSatisfy { (0...1).contains($0["p_value"] as? Double ?? -1) } == true)
        let sync = try #require(report["sync"] as? [String: Any])
        #expect((sync["order_parameter"] as? [Double])?.count == 80)
        #expect((sync["mean_order_parameter"] as? Double).map { (0...1).contains($0) } == true)
        let fcd = try #require(report["fcd"] as? [String: Any])
        #expect(fcd["window_frames"] as? Int == 20 && fcd["step_frames"] as? Int == 4)
        #expect(fcd["fcd_values"] as? Int == 16 * 15 / 2)            // windows at 0, 4, …, 60
        // The sample subject's tract densities: FC–SC r of the 6 pairs, defined and in range.
        let structure = try #require(fcd["structure"] as? [String: Any])
        #expect(structure["measure"] is Int && (structure["r"] as? Double).map { (-1...1).contains($0) } == true)
        let files = try #require(report["plots"] as? [String])
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["psd.svg", "granger.svg", "sync.svg", "plv.svg", "fc.svg"])
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.hasPrefix("<?xml") && text.contains("</svg>"))
            // The order parameter's figure is one line over time; every other one names the regions.
            #expect(file.hasSuffix("sync.svg") ? text.contains("Kuramoto") : text.contains(names[0]), "\(file)")
        }
        #expect(nonSnakeKeys(report).isEmpty)
        let text = dtb.run(["analyze", "--run", "\(runID)", "--psd", "--regions", names.joined(separator: ",")])
        #expect(text.status == 0 && text.stdout.contains("peak frequency per region") && text.stdout.contains(names[0]))

        // A BOLD derivative of 100 frames at TR 2 s whose every region oscillates at 0.05 Hz (bin 10 of 100
        // at 0.5 Hz sampling): the measure's PSD peaks there, and the phases are locked (R = 1 in band).
        let all = try #require((show["units"] as? [[String: Any]])?.compactMap { $0["name"] as? String })
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dtb-analyze-bold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = (0..<100).map { t in
            all.indices.map { "\(sin(2 * Double.pi * 0.05 * Double(t) * 2 + Double($0) / 50))" }.joined(separator: "\t")
        }
        let stem = folder.appendingPathComponent("sub-sample_ses-2_task-rest_atlas-brainnetome246_timeseries").path
        try (([all.joined(separator: "\t")] + rows).joined(separator: "\n") + "\n").write(toFile: stem + ".tsv", atomically: true, encoding: .utf8)
        try #"{"RepetitionTime": 2, "NumberOfVolumes": 100}"#.write(toFile: stem + ".json", atomically: true, encoding: .utf8)
        #expect(dtb.run(["ingest", "--derivative", stem + ".tsv", "--pipeline", "test"]).status == 0)
        let subject = try jsonObject(dtb.run(["subject", "show", "sample", "--json"]))
        let measure = try #require((subject["measures"] as? [[String: Any]])?.first { $0["kind"] as? String == "bold_timeseries" }?["id"] as? Int)
        let measured = try jsonObject(dtb.run(["analyze", "--measure", "\(measure)", "--psd", "--sync", "--regions", names.joined(separator: ","),
                                         "--band", "0.03,0.07", "--json"]))
        #expect(measured["regions"] as? [String] == names && measured["frames"] as? Int == 100 && measured["sampling_rate_hz"] as? Double == 0.5)
        let peaks = ((measured["psd"] as? [String: Any])?["regions"] as? [[String: Any]])?.map { $0["peak_frequency_hz"] as? Double }
        #expect(peaks == [0.05, 0.05, 0.05, 0.05])
        let r = try #require((measured["sync"] as? [String: Any])?["mean_order_parameter"] as? Double)
        #expect(abs(r - 0.99975) < 1e-3)      // offsets of 0, 0.02, 0.04, 0.06 rad: R = |mean e^{iθ}| ≈ 0.99975

        #expect(refusal(dtb.run(["analyze", "--run", "\(runID)"])).contains("--psd, --granger, --sync, --fcd or --avalanches"))
        #expect(refusal(dtb.run(["analyze", "--psd"])).contains("--run ID, --measure ID or --study STUDY/ARM/SEED"))
        #expect(refusal(dtb.run(["analyze", "--run", "999999", "--psd"])).contains("twin run 999999 does not exist"))
        #expect(refusal(dtb.run(["analyze", "--run", "\(runID)", "--avalanches"])).contains("has no spike counts (record them with `dtb twin run --activity-bin 1`"))
        #expect(refusal(dtb.run(["analyze", "--study", "lesion/x/1", "--psd"])).contains("--study lesion/x/1"))
        #expect(refusal(dtb.run(["analyze", "--run", "\(runID)", "--psd", "--regions", "nowhere"])) .contains("--regions nowhere"))
        #expect(refusal(dtb.run(["analyze", "--run", "\(runID)", "--granger"])).contains("too few for 246 regions"))
        #expect(refusal(dtb.run(["analyze", "--run", "\(runID)", "--sync", "--band", "3,2"])).contains("--band 3,2"))
        #expect(refusal(dtb.run(["analyze", "--run", "\(runID)", "--fcd", "--window", "100"])).contains("--window"))
        #expect(refusal(dtb.run(["analyze", "--measure", "\(measure)", "--sync", "--band", "100,200"])).contains("Nyquist"))
    }
}
