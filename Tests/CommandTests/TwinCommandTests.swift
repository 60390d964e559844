import CommandTestSupport
import DTBTestSupport
import Foundation
import Store
import Testing

/// `dtb twin …` end to end in process: JSON documents, versions, history, a run, errors.
@Suite(.serialized) struct TwinCommandTests {
    func json(_ result: InProcessDTB.Result) throws -> Any {
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Starts from Brainnetome-246 and the sample subject already stored (how they get there through
    /// `dtb` is what CommandTests and the ingest suites check).
    @Test(.requires(.atlasMirror)) func buildListShowHistoryAndRun() async throws {
        let dtb = try await InProcessDTB(database: PreparedDatabases.sampleSubject().database)

        let build = ["twin", "build", "sample", "--atlas", "brainnetome246", "--neurons", "5000", "--degree", "20", "--seed", "4", "--json"]
        let first = try json(dtb.run(build)) as? [String: Any]
        #expect(first?["twin"] as? String == "sample-brainnetome246")
        #expect(first?["version"] as? Int == 1 && first?["action"] as? String == "created")
        #expect((first?["files"] as? [[String: Any]])?.map { $0["role"] as? String } == ["nodes", "edges", "node_types", "edge_types"])
        #expect((first?["files"] as? [[String: Any]])?.allSatisfy { ($0["size_bytes"] as? Int ?? 0) > 0 } == true)
        let again = try json(dtb.run(build)) as? [String: Any]
        #expect(again?["action"] as? String == "unchanged" && again?["network_digest"] as? String == first?["network_digest"] as? String)
        var second = build
        second[8] = "10"
        #expect(try (json(dtb.run(second)) as? [String: Any])?["version"] as? Int == 2)

        let list = try json(dtb.run(["twin", "list", "sample", "--json"])) as? [[String: Any]]
        #expect(list?.map { $0["latest_version"] as? Int } == [2])
        let show = try json(dtb.run(["twin", "show", "sample-brainnetome246@1", "--json"])) as? [String: Any]
        let version = show?["version"] as? [String: Any]
        #expect(version?["neurons"] as? Int == 5000)
        #expect((version?["parameters"] as? [String: Any])?["mean_in_degree"] as? Double == 20)
        #expect((show?["units"] as? [Any])?.count == 246)
        #expect((show?["lobes"] as? [[String: Any]])?.map { $0["lobe"] as? String }.contains("Frontal Lobe") == true)
        let history = try json(dtb.run(["twin", "history", "sample-brainnetome246", "--json"])) as? [String: Any]
        let versions = history?["versions"] as? [[String: Any]]
        #expect(versions?.count == 2)
        let changes = versions?.last?["changes"] as? [[String: Any]]
        #expect(changes?.contains { $0["what"] as? String == "mean_in_degree" && $0["from"] as? String == "20" && $0["to"] as? String == "10" } == true)
        let text = dtb.run(["twin", "history", "sample-brainnetome246"])
        #expect(text.stdout.contains("parameter mean_in_degree: 20 → 10"))

        let run = try json(dtb.run(["twin", "run", "sample-brainnetome246@2", "--seconds", "1", "--tr", "0.5", "--json"])) as? [String: Any]
        #expect((run?["spikes"] as? Int ?? 0) > 0)
        #expect(run?["repetition_time"] as? Double == 0.5)
        let shown = try json(dtb.run(["twin", "show", "sample-brainnetome246", "--json"])) as? [String: Any]
        #expect(((shown?["version"] as? [String: Any])?["runs"] as? [Any])?.count == 1)
    }

    @Test func unknownTwinAndSubjectAreOneLineErrors() throws {
        let dtb = try InProcessDTB(database: TestDatabase.make())
        let show = dtb.run(["twin", "show", "nosuch@2"])
        #expect(show.status == 1 && show.stdout.isEmpty)
        #expect(show.stderr == "dtb: twin 'nosuch' does not exist (none built; run `dtb twin build SUBJECT --atlas NAME`)\n")
        let build = dtb.run(["twin", "build", "nobody", "--atlas", "brainnetome246", "--neurons", "5000", "--seed", "1"])
        #expect(build.status == 1)
        #expect(build.stderr == "dtb: subject 'nobody' does not exist (none ingested; run `dtb ingest BIDS_ROOT`)\n")
    }
}
