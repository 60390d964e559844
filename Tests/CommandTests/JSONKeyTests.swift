import CommandTestSupport
import DTBTestSupport
import Foundation
import NIfTI
import Postgres
import Store
import Testing

/// Keys of a JSON document that are not snake_case, as dotted paths; the keys of objects named in
/// `dataKeys` (participant columns, region names) are data and may be spelled any way.
func nonSnakeKeys(_ json: Any, dataKeys: Set<String> = ["participant", "hemispheres", "kinds", "levels", "networks", "file_mb"],
                  path: String = "") -> [String] {
    switch json {
    case let object as [String: Any]:
        let own = path.split(separator: ".").last.map(String.init) ?? ""
        return object.flatMap { key, value -> [String] in
            let here = path.isEmpty ? key : "\(path).\(key)"
            let bad = !dataKeys.contains(own) && key.range(of: "^[a-z][a-z0-9]*(_[a-z0-9]+)*$", options: .regularExpression) == nil
            return (bad ? [here] : []) + nonSnakeKeys(value, dataKeys: dataKeys, path: here)
        }
    case let array as [Any]:
        return array.flatMap { nonSnakeKeys($0, dataKeys: dataKeys, path: path) }
    default:
        return []
    }
}

/// One JSON style for every `--json` output (docs/json.md): snake_case keys, data keys as they are.
@Suite(.serialized) struct JSONKeyTests {
    /// A toy atlas (three regions on a 4×4×4 grid) and a dataset whose only derivative is a
    /// connectome on it, with a participant column spelled in capitals.
    func toyDataset(_ database: Database, _ dtb: InProcessDTB) throws -> URL {
        let root = database.home.root.appendingPathComponent("toy-bids", isDirectory: true)
        let volume = database.home.root.appendingPathComponent("toy.nii.gz"), table = database.home.root.appendingPathComponent("toy.tsv")
        let labels = (0..<64).map { Int32($0 % 4) }
        try NIfTIImage(header: NIfTIHeader(dimensions: [4, 4, 4], datatype: .int32, affine: [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]]),
                       int32: labels).write(to: volume.path)
        try write("index\tname\n1\tA_L\n2\tB_R\n3\tC_L\n", table)
        #expect(dtb.run(["atlas", "import", "toy", "--volume", volume.path, "--table", table.path]).status == 0)
        try write(#"{"Name": "toy", "BIDSVersion": "1.9.0"}"#, root.appendingPathComponent("dataset_description.json"))
        try write("participant_id\tHandednessScore\nsub-01\t7\n", root.appendingPathComponent("participants.tsv"))
        let qsirecon = root.appendingPathComponent("derivatives/qsirecon")
        try write(#"{"Name": "q", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "qsirecon", "Version": "1"}]}"#,
                  qsirecon.appendingPathComponent("dataset_description.json"))
        try write("A_L\tB_R\tC_L\n0\t1\t2\n1\t0\t3\n2\t3\t0\n",
                  qsirecon.appendingPathComponent("sub-01/dwi/sub-01_atlas-toy_desc-density_connectome.tsv"))
        return root
    }

    func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func document(_ result: InProcessDTB.Result) throws -> Any {
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    @Test func everyDocumentHasSnakeCaseKeysAndDataKeysAsGiven() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let root = try toyDataset(database, dtb)
        let commands = [["db", "status"], ["atlas", "list"], ["atlas", "show", "toy"], ["atlas", "regions", "toy"],
                        ["ingest", root.path], ["subject", "list"], ["subject", "show", "01"], ["twin", "list"]]
        for command in commands {
            let json = try document(dtb.run(command + ["--json"]))
            #expect(nonSnakeKeys(json).isEmpty, "dtb \(command.joined(separator: " ")) --json: \(nonSnakeKeys(json))")
        }
        let detail = try document(dtb.run(["subject", "show", "01", "--json"])) as? [String: Any]
        #expect(detail?["participant"] as? [String: String] == ["HandednessScore": "7"])
        let measure = (detail?["measures"] as? [[String: Any]])?.first
        #expect(measure?["scan_path"] as? String == "derivatives/qsirecon/sub-01/dwi/sub-01_atlas-toy_desc-density_connectome.tsv")
        #expect(measure?["kind"] as? String == "tract_density")
    }

    @Test func ingestNotifiesWithTheTypedPayload() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let root = try toyDataset(database, dtb)
        let listener = try TestDatabase.connect(to: database)
        try listener.listen(SubjectDataNotification.channel)
        #expect(dtb.run(["ingest", root.path]).status == 0)
        let note = try #require(try listener.waitForNotification(timeout: 5))
        #expect(note.payload == #"{"modalities":["dwi"],"session":"","subject":"01"}"#)
        #expect(try note.decode(SubjectDataNotification.self) == SubjectDataNotification(subject: "01", session: "", modalities: ["dwi"]))
        #expect(try note.decode(TwinVersionNotification.self) == nil)
    }

    @Test func documentsKeepDictionaryKeysAndConvertPropertyNames() throws {
        struct Sample: Encodable { var peakRssMB = 1.0; var scanVersion = 2; var columns = ["HandednessScore": 3, "sub-01": 4] }
        let text = try JSONStyle.document(Sample())
        #expect(text.contains(#""peak_rss_mb""#) && text.contains(#""scan_version""#))
        #expect(text.contains(#""HandednessScore""#) && text.contains(#""sub-01""#))
        #expect(!text.contains("\\/"))
    }
}
