import CommandTestSupport
import DTBTestSupport
import Foundation
import Testing

/// `dtb study` end to end in process: create and show with JSON and figures, list, a queued study
/// run by the worker, and bad input.
@Suite(.serialized) struct StudyCommandTests {
    @Test(.requires(.atlasMirror)) func aStudyIsCreatedShownListedAndQueued() async throws {
        let dtb = try await InProcessDTB(database: PreparedDatabases.sampleSubject().database)
        _ = try jsonObject(dtb.run(["twin", "build", "sample", "--atlas", "brainnetome246", "--neurons", "4000", "--degree", "10", "--seed", "4", "--json"]))
        let short = ["--seeds", "2", "--seconds", "2", "--warmup", "0.5", "--tr", "0.5", "--threads", "2"]
        let created = try jsonObject(dtb.run(["study", "create", "drug", "--twin", "sample-brainnetome246@1", "receptor:channel=nmda,factor=0.5",
                                        "stimulate:regions=gyrus/BG,waveform=pulses,frequency=125,width=1,amplitude=6", "--json"] + short))
        let study = try #require(created["study"] as? [String: Any])
        #expect(study["status"] as? String == "complete" && (created["jobs"] as? [Int]) == [])
        #expect((study["arms"] as? [[String: Any]])?.map { $0["label"] as? String } == ["untreated",
            "receptor:channel=nmda,factor=0.5 + stimulate:amplitude=6,frequency=125,regions=gyrus/BG,waveform=pulses,width=1"])
        let settings = try #require(study["settings"] as? [String: Any])
        #expect(settings["psd_frequencies"] as? [Double] == [125])
        let effects = try #require(study["effects"] as? [[String: Any]])
        #expect(Set(effects.compactMap { $0["outcome"] as? String }) == ["rate_hz", "psd_125hz", "mean_rate_hz"])
        #expect(nonSnakeKeys(study, dataKeys: ["parameters"]).isEmpty)
        // The published shape of stimulation: 125 Hz pulses raise the stimulated regions' rates and
        // their activity's power at 125 Hz (the basal ganglia, gyrus BG: 12 regions).
        let arm = try #require((study["arms"] as? [[String: Any]])?.last?["interventions"] as? [[String: Any]])
        let stimulated = try #require(((arm.last?["stimulate"] as? [String: Any])?["stimulation"] as? [String: Any])?["units"] as? [String])
        #expect(stimulated.count == 12)
        for outcome in ["rate_hz", "psd_125hz"] {
            let raised = effects.filter { $0["outcome"] as? String == outcome && stimulated.contains($0["unit"] as? String ?? "") }
            #expect(raised.count == 12 && raised.allSatisfy { ($0["difference"] as? Double ?? 0) > 0 }, "\(outcome)")
        }

        let plots = FileManager.default.temporaryDirectory.appendingPathComponent("dtb-study-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: plots) }
        let shown = try jsonObject(dtb.run(["study", "show", "drug", "--plots", plots.path, "--json"]))
        let files = try #require(shown["plots"] as? [String])
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["effects-arm-1.svg", "fc-difference-arm-1.svg"])
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.hasPrefix("<?xml") && text.contains("</svg>") && text.contains("drug"))
        }
        // Study runs keep their spikes in 1 ms bins: avalanches of a few regions.
        let analysis = try jsonObject(dtb.run(["analyze", "--study", "drug/1/2", "--avalanches", "--regions", "A8m_L,A8m_R,A9l_L", "--json"]))
        let avalanches = try #require(analysis["avalanches"] as? [String: Any])
        #expect(avalanches["bin_ms"] as? Double == 1 && (avalanches["count"] as? Int ?? 0) > 0)
        #expect(refusal(dtb.run(["analyze", "--study", "drug/7/2", "--avalanches"])).contains("has no run of arm 7 with seed 2"))
        let text = dtb.run(["study", "show", "drug"])
        #expect(text.status == 0 && text.stdout.contains("largest effects") && text.stdout.contains("arm 1 "))

        let queued = try jsonObject(dtb.run(["study", "create", "queued", "--twin", "sample-brainnetome246", "lesion:from=gyrus/MVOcC,to=gyrus/PhG",
                                       "--queue", "--json"] + short))
        #expect((queued["jobs"] as? [Int])?.count == 4 && (queued["study"] as? [String: Any])?["status"] as? String == "running")
        let worker = dtb.run(["worker", "--once", "--json"])
        #expect(worker.status == 0, "\(worker.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(dtb.run(["study", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(list.map { $0["study"] as? String } == ["queued", "drug"] && list.allSatisfy { $0["status"] as? String == "complete" })

        #expect(refusal(dtb.run(["study", "create", "bad", "--twin", "sample-brainnetome246", "rewire:p=2"] + short)).contains("give P from 0 to 1"))
        #expect(refusal(dtb.run(["study", "create", "bad", "--twin", "sample-brainnetome246", "rewire:p=0.5", "--sweep", "p="] + short))
            .contains("--sweep 'p=': the sweep has no values"))
        #expect(refusal(dtb.run(["study", "create", "bad", "--twin", "sample-brainnetome246", "poison:dose=1"] + short)).contains("unknown kind 'poison'"))
        #expect(refusal(dtb.run(["study", "create", "drug", "--twin", "sample-brainnetome246", "rewire:p=0.5"] + short)).contains("already exists with other settings"))
        #expect(refusal(dtb.run(["study", "show", "nothing"])).contains("study nothing does not exist"))
    }
}
