import CommandTestSupport
import DTBTestSupport
import Foundation
import NIfTI
import Store
import Testing

/// `dtb atlas …` in process: one-line errors, JSON documents, and a bad import that stores nothing.
@Suite(.serialized) struct CommandTests {
    @Test func unknownAtlasIsOneLineAndNonZero() throws {
        let dtb = try InProcessDTB(database: TestDatabase.make())
        let result = dtb.run(["atlas", "show", "nosuch"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "dtb: atlas 'nosuch' does not exist (none imported; run `dtb atlas import brainnetome246`)\n")
    }

    @Test(.requires(.atlasMirror))
    func importShowAndRegionsAsJSON() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let imported = dtb.run(["atlas", "import", "brainnetome246", "--json"])
        #expect(imported.status == 0)
        let outcome = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
        #expect(outcome?["action"] as? String == "imported")
        #expect(imported.stderr.contains("importing atlas brainnetome246"))

        let show = dtb.run(["atlas", "show", "brainnetome246", "--json"])
        let summary = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        #expect(summary?["regions"] as? Int == 246)
        #expect(summary?["template_space"] as? String == "MNI152NLin6Asym")
        #expect(summary?["hemispheres"] as? [String: Int] == ["left": 123, "right": 123])
        #expect(summary?["levels"] as? [String: Int] == ["lobe": 7, "gyrus": 24])

        let regions = dtb.run(["atlas", "regions", "brainnetome246", "--gyrus", "SFG", "--hemisphere", "left", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(regions.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 7)
        #expect(rows?.allSatisfy { ($0["volume_mm3"] as? Double ?? 0) > 0 } == true)

        let again = dtb.run(["atlas", "import", "brainnetome246"])
        #expect(again.stdout == "brainnetome246: unchanged (246 regions)\n")
    }

    @Test func badImportExitsNonZeroAndStoresNothing() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let directory = database.home.root
        let volume = directory.appendingPathComponent("broken.nii.gz")
        try Data([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]).write(to: volume)
        let table = directory.appendingPathComponent("t.tsv")
        try "index\tname\n1\ta\n".write(to: table, atomically: true, encoding: .utf8)
        let before = try tableCounts(database.connection)
        let result = dtb.run(["atlas", "import", "toy", "--volume", volume.path, "--table", table.path])
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("dtb: ") }
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("dtb: \(volume.path): ") == true)
        #expect(try tableCounts(database.connection) == before)
    }

    @Test func usageErrorsAndHelpGoWhereTheExecutablePutsThem() throws {
        let dtb = try InProcessDTB(database: TestDatabase.make())
        let usage = dtb.run(["atlas", "import", "toy", "--volume", "v.nii"])
        #expect(usage.status == 64)
        #expect(usage.stdout.isEmpty)
        #expect(usage.stderr.hasPrefix("Error: --volume and --table go together\n"))
        let help = dtb.run(["twin", "run", "--help"])
        #expect(help.status == 0 && help.stderr.isEmpty)
        #expect(help.stdout.contains("--tr <tr>"))
    }
}
