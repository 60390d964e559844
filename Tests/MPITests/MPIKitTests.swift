import CommandTestSupport
import DistributedEngine
import DTBTestSupport
import Foundation
import MPIKit
import Store
import Testing

/// MPIKit and the partition plan: when MPI is started, and each collective's known answer under
/// `mpirun -np 2`.
@Suite struct MPIKitTests {
    @Test func mpiStartsOnlyUnderMPIRun() throws {
        #expect(!MPIWorld.isLaunchedByMPIRun([:]))
        #expect(MPIWorld.isLaunchedByMPIRun(["OMPI_COMM_WORLD_SIZE": "2"]))
        #expect(MPIWorld.isLaunchedByMPIRun(["PMIX_RANK": "0"]))
        #expect(try MPIWorld.start(environment: ["PATH": "/usr/bin"]) == nil)
    }

    @Test func planSharesConsecutivePartitions() {
        let plan = PartitionPlan(ranks: 3, threads: 2)
        #expect(plan.partitions == 6)
        #expect((0..<3).map(plan.partitions(of:)) == [0..<2, 2..<4, 4..<6])
        #expect(PartitionPlan(ranks: 0, threads: 0).partitions == 1)
    }

    @Test(.requires(.mpirun, .dtbExecutable)) func collectivesGiveKnownAnswersOnTwoRanks() throws {
        let dtb = try #require(Prerequisites.dtbExecutable)
        let outcome = try MPIRun.run(ranks: 2, [dtb.path, "mpi-check", "--json"], timeout: .seconds(120))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.ranks == 2)
        #expect(report.gathered_ranks == [0, 1])
        #expect(report.gathered_bytes == [0, 1, 1])
        #expect(report.broadcast == "from rank 0 of 2")
        #expect(report.sum == 3 && report.maximum == 1 && report.agreed)
    }

    @Test func theLaunchRankComesFromTheLauncher() {
        #expect(MPIWorld.launchRank([:]) == nil)
        #expect(MPIWorld.launchRank(["OMPI_COMM_WORLD_RANK": "3"]) == 3)
        #expect(MPIWorld.launchRank(["PMIX_RANK": "1"]) == 1)
    }

    /// Every rank parses the arguments; only rank 0 prints the usage error.
    @Test(.requires(.mpirun, .dtbExecutable)) func aUsageErrorIsPrintedOnceUnderMPIRun() throws {
        let dtb = try #require(Prerequisites.dtbExecutable)
        let outcome = try MPIRun.run(ranks: 2, [dtb.path, "twin", "run", "sample", "--seconds"], timeout: .seconds(120))
        #expect(outcome.status != 0)
        #expect(outcome.stderr.components(separatedBy: "Error: Missing value for '--seconds <seconds>'").count == 2, "\(outcome.stderr)")
    }

    @Test func mpiCheckWithoutMPIRunIsAOneLineError() throws {
        let dtb = try InProcessDTB(database: TestDatabase.make())
        let result = dtb.run(["mpi-check"])
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr == "dtb: mpi-check: not launched by mpirun (none of OMPI_COMM_WORLD_SIZE, PMIX_RANK is set)\n")
    }

    /// `dtb mpi-check --json` as printed (docs/json.md key style).
    struct Report: Decodable {
        var ranks: Int
        var gathered_ranks: [Int]
        var gathered_bytes: [Int]
        var broadcast: String
        var sum: Int
        var maximum: Double
        var agreed: Bool
    }
}

/// `dtb bench mpi`'s bad options: one line naming the option, before anything runs.
@Suite struct MPIBenchOptionTests {
    @Test func badOptionsAreOneLineErrors() throws {
        let dtb = try InProcessDTB(database: TestDatabase.make())
        for (arguments, message) in [(["--configurations", "2"], "dtb: --configurations 2: give RANKSxTHREADS, both at least 1 (e.g. 2x1)"),
                                     (["--configurations", "65x1"], "dtb: --configurations 65x1: give 1 to 64 ranks"),
                                     (["--seconds", "0"], "dtb: --seconds 0.0: give a timed biological time above 0 and at most 3600 s")] {
            let result = dtb.run(["bench", "mpi"] + arguments)
            #expect(result.status == 1 && result.stdout.isEmpty)
            #expect(result.stderr == message + "\n", "\(arguments)")
        }
    }
}
