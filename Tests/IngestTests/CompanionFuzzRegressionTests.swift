import DTBTestSupport
import Foundation
import Ingest
import Store
import Testing

/// The companion fuzzer's seeds and crash inputs (``FuzzInputs``), each put in a real session
/// as the BOLD sidecar, the events table and the `.bval`: the ingest must store the session or
/// refuse it with an ``IngestError`` (one line, database unchanged), never trap or pass a raw
/// server error on.
@Suite struct CompanionFuzzRegressionTests {
    enum Placement: String, CaseIterable, Sendable { case sidecar, events, bval }

    struct Input: Sendable, CustomTestStringConvertible {
        var file: URL
        var placement: Placement
        var testDescription: String { "\(file.lastPathComponent) as \(placement.rawValue)" }
    }

    static let inputs = FuzzInputs.files(of: "companions").flatMap { file in Placement.allCases.map { Input(file: file, placement: $0) } }

    @Test func theSeedsAreThere() { #expect(Self.inputs.count >= 15) }

    @Test(arguments: inputs) func storesOrRefuses(_ input: Input) async throws {
        let (database, root, bids) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        let target: URL
        switch input.placement {
        case .sidecar: target = root.appendingPathComponent("task-rest_bold.json")
        case .events: target = bids.url("sub-01/func/sub-01_task-rest_events.tsv")
        case .bval: target = bids.url("sub-01/dwi/sub-01_dwi.bval")
        }
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: input.file, to: target)
        let before = try StoreSnapshot(database)
        do {
            _ = try SubjectIngester(database: database).ingest(root: root)
        } catch let error as IngestError {
            #expect(!error.description.contains("\n"))
            #expect(try StoreSnapshot(database) == before)
        }
    }
}
