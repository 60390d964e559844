import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Jobs
import Testing

/// Writes that start work: they queue jobs (202 with the job's URL) and never run them; job
/// progress as JSON and as server-sent events.
@Suite(.serialized) struct WorkRouteTests {
    @Test(.requires(.atlasMirror)) func validationsAndFitsAreQueuedNotRun() async throws {
        let (database, seed) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let validations = try database.connection.query("SELECT count(*) FROM validation").scalar().int
        let structural = try #require(try database.connection.query("SELECT id FROM measure WHERE kind = 'gm_volume' LIMIT 1").scalar().int)
        try await harness.test { client in
            let body = ByteBuffer(string: #"{"measure": \#(seed.boldMeasure), "version": 2}"#)
            let queued = try await client.execute(uri: "/api/v1/twins/\(seededTwin)/validations", method: .post, headers: harness.headers(.write), body: body)
            #expect(queued.status == .accepted)
            let answer = try object(queued)
            let job = try #require(answer["job"] as? [String: Any])
            let id = try #require(job["id"] as? Int)
            #expect(queued.headers[.location] == "/api/v1/jobs/\(id)" && answer["url"] as? String == "/api/v1/jobs/\(id)")
            #expect(job["kind"] as? String == "validate" && job["status"] as? String == "queued" && answer["created"] as? Bool == true)
            #expect((job["payload"] as? [String: Any])?["version"] as? Int == 2)
            // The same request again finds the same job.
            let again = try object(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/validations", method: .post,
                                                            headers: harness.headers(.admin), body: body))
            #expect((again["job"] as? [String: Any])?["id"] as? Int == id && again["created"] as? Bool == false)
            // A fit of the latest ready version (2).
            let fit = try object(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/assimilations", method: .post, headers: harness.headers(.write),
                                                          body: ByteBuffer(string: #"{"measure": \#(seed.boldMeasure)}"#)))
            #expect(((fit["job"] as? [String: Any])?["payload"] as? [String: Any])?["version"] as? Int == 2)

            let read = try object(try await client.execute(uri: "/api/v1/jobs/\(id)", method: .get, headers: harness.headers(.read)))
            #expect(read["status"] as? String == "queued")
            let listed = try object(try await client.execute(uri: "/api/v1/jobs?kind=assimilate", method: .get, headers: harness.headers(.read)))
            #expect((listed["items"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["assimilate"])

            // Not a BOLD measure, no such version, no such job: refused, nothing queued.
            for (text, status) in [(#"{"measure": \#(structural)}"#, HTTPResponse.Status.badRequest), (#"{"measure": \#(seed.boldMeasure), "version": 7}"#, .notFound),
                                   (#"{"measure": 999999}"#, .notFound)] {
                let response = try await client.execute(uri: "/api/v1/twins/\(seededTwin)/validations", method: .post, headers: harness.headers(.write),
                                                        body: ByteBuffer(string: text))
                #expect(response.status == status, "\(text)")
            }
            let noJob = try await client.execute(uri: "/api/v1/jobs/999999", method: .get, headers: harness.headers(.read))
            #expect(noJob.status == .notFound)
        }
        #expect(try database.connection.query("SELECT count(*) FROM job").scalar().int == 2)
        #expect(try database.connection.query("SELECT count(*) FROM validation").scalar().int == validations)
    }

    @Test func ingestPathsStayInsideTheDataDirectory() async throws {
        let database = try TestDatabase.make()
        let harness = try ServiceHarness(database: database)
        let data = database.home.root.appendingPathComponent("bids")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("dataset"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("outside").path, withDestinationPath: "/tmp")
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("inside").path, withDestinationPath: "dataset")
        try Data("x".utf8).write(to: data.appendingPathComponent("file.txt"))
        try await harness.test { client in
            for path in ["..", "../..", "/etc", "outside", "outside/..", "dataset/../../", "nosuch", "file.txt", "", "dataset\\u0000"] {
                let response = try await client.execute(uri: "/api/v1/ingestions", method: .post, headers: harness.headers(.write),
                                                        body: ByteBuffer(string: #"{"path": "\#(path)"}"#))
                #expect(response.status == .badRequest, "\(path)")
                let detail = try object(response)["detail"] as? String
                #expect(detail?.hasPrefix("path ") == true, "\(path): \(detail ?? "")")
            }
            for path in ["dataset", "inside", "./dataset/"] {
                let response = try await client.execute(uri: "/api/v1/ingestions", method: .post, headers: harness.headers(.write),
                                                        body: ByteBuffer(string: #"{"path": "\#(path)"}"#))
                #expect(response.status == .accepted, "\(path)")
                let payload = (try object(response)["job"] as? [String: Any])?["payload"] as? [String: Any]
                #expect(payload?["path"] as? String == data.appendingPathComponent("dataset").resolvingSymlinksInPath().path, "\(path)")
            }
        }
        #expect(try database.connection.query("SELECT count(*) FROM job WHERE kind = 'ingest'").scalar().int == 3)
    }

    @Test func jobEventsEndWhenTheJobIsDone() async throws {
        let database = try TestDatabase.make()
        let queue = JobQueue(database: database)
        let job = try queue.enqueue(JobRequest(kind: .build, key: "test:1", payload: ["n": 1])).job
        let claimed = try #require(try queue.claim(worker: "test", leaseSeconds: 60))
        try queue.complete(job: claimed.id, worker: "test", result: JSONValue(encoding: ["version": 3]))
        let harness = try ServiceHarness(database: database)
        try await harness.test { client in
            let events = try await client.execute(uri: "/api/v1/jobs/\(job.id)/events", method: .get, headers: harness.headers(.read))
            #expect(events.status == .ok && events.headers[.contentType] == "text/event-stream")
            let text = String(decoding: Data(events.body.readableBytesView), as: UTF8.self)
            #expect(text.hasPrefix("event: job\ndata: {"), "\(text)")
            #expect(text.contains(#""status":"done""#) && text.hasSuffix("\n\n") && text.contains("event: end\n"))
        }
    }
}
