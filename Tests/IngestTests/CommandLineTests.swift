import DTBTestSupport
import Foundation
import Ingest
import Store
import Testing

@Suite struct CommandLineTests {
    @Test(.requires(.dtbExecutable))
    func ingestAndSubjectCommands() async throws {
        let database = try await toyDatabase()
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let bids = try BIDSBuilder(root: root)
        try bids.addSession("01", "a")
        let dtb = try DTBCommand(database: database)

        let ingest = try dtb.run(["ingest", root.path, "--json"])
        #expect(ingest.status == 0)
        let report = try JSONStyle.decoder().decode(IngestReport.self, from: Data(ingest.stdout.utf8))
        #expect(report.sessions.map(\.measuresAdded) == [4])

        let show = try dtb.run(["subject", "show", "sub-01", "--json"])
        #expect(show.status == 0)
        let detail = try JSONStyle.decoder().decode(SubjectDetail.self, from: Data(show.stdout.utf8))
        #expect(detail.label == "01" && detail.sessions == ["a"] && detail.scans.count == 8)
        let gm = try #require(detail.measures.first { $0.kind == .grayMatterVolume })
        #expect(gm.values?.map(\.value) == Toy.reference(Toy.map(Toy.gm)).sums.map { $0 * 8 })

        let list = try dtb.run(["subject", "list", "--json"])
        #expect(list.status == 0)
        #expect(try JSONStyle.decoder().decode([SubjectSummary].self, from: Data(list.stdout.utf8)).map(\.label) == ["01"])

        // A bad file: exit 1, one line `dtb: <file>: <problem>`, nothing stored.
        let before = try tableCounts(database.connection)
        try writeText("0 1000\n", to: bids.url("sub-01/ses-a/dwi/sub-01_ses-a_dwi.bval"))
        let bad = try dtb.run(["ingest", root.path])
        #expect(bad.status == 1)
        let lines = bad.stderr.split(separator: "\n").filter { $0.hasPrefix("dtb: ") }
        #expect(lines == ["dtb: \(bids.url("sub-01/ses-a/dwi/sub-01_ses-a_dwi.bval").path): has 2 b-values but the DWI image has 3 volumes"])
        #expect(try tableCounts(database.connection) == before)

        let missing = try dtb.run(["subject", "show", "nobody"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("dtb: subject 'nobody' does not exist (known: 01)"))
    }
}
