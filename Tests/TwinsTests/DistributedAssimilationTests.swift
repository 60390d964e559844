import DTBTestSupport
import Foundation
import Store
import Testing
import Twins

/// `mpirun -np R dtb twin assimilate`: the members shared over ranks give the fit one process
/// gives, file for file (the fitted h(t) and the posterior ensemble).
@Suite(.requires(.atlasMirror))
struct DistributedAssimilationTests {
    func files(_ database: Database) throws -> [String: String] {
        let info = try TwinQueries(database: database).version(TwinReference(twin: "sample-brainnetome246", version: 2))
        return Dictionary(uniqueKeysWithValues: info.files.filter { ["hyperparameters", "posterior"].contains($0.role) }.map { ($0.role, $0.sha256) })
    }

    @Test(.requires(.mpirun, .dtbExecutable)) func ranksGiveTheFitOfOneProcess() async throws {
        let (alone, twin, measure) = try await AssimilationStorageTests.prepared()
        _ = try TwinAssimilator(database: alone.database).assimilate(alone.quickFit(twin, measure: measure))
        let expected = try files(alone.database)
        #expect(expected.count == 2)
        for ranks in [2, 3] {
            let (shared, _, sharedMeasure) = try await AssimilationStorageTests.prepared()
            let dtb = try #require(Prerequisites.dtbExecutable).path
            let arguments = [dtb, "twin", "assimilate", twin.description, "--run", String(sharedMeasure), "--members", "4", "--observation", "raw",
                             "--warmup", "2", "--checkpoint-every", "2", "--threads", "1", "--json"]
            let outcome = try MPIRun.run(ranks: ranks, arguments, environment: try DTBCommand.environment(for: shared.database))
            #expect(outcome.status == 0, "\(ranks) ranks: \(outcome.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
            #expect(document?["action"] as? String == "created" && document?["version"] as? Int == 2)
            #expect(try files(shared.database) == expected, "\(ranks) ranks")
        }
    }
}
