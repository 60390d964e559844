import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Jobs
import Services
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

    @Test(.requires(.atlasMirror)) func studiesAreQueuedAndBadRequestsStoreNothing() async throws {
        let (database, _) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let count = { (table: String) throws -> Int? in try database.connection.query("SELECT count(*) FROM \(table)").scalar().int }
        let (studies, arms) = (try count("study"), try count("study_arm"))
        let valid = #"{"name": "silence-api", "twin": "\#(seededTwin)@2", "interventions": ["silence:regions=cLinG_L+cLinG_R"], "seeds": 2, "seconds": 2}"#
        try await harness.test { client in
            let post = { (body: String, role: APIRole) async throws -> TestResponse in
                try await client.execute(uri: "/api/v1/studies", method: .post, headers: harness.headers(role), body: ByteBuffer(string: body))
            }
            #expect(try await post(valid, .read).status == .forbidden)
            // Refused with one line naming what is wrong; nothing stored or queued.
            let refusals: [(String, String)] = [
                (#"{"name": "x", "twin": "\#(seededTwin)@2", "interventions": ["cure:all=yes"]}"#, "unknown kind 'cure'"),
                (#"{"name": "x", "twin": "\#(seededTwin)@2", "interventions": []}"#, "at least one intervention"),
                (#"{"name": "x", "twin": "\#(seededTwin)", "interventions": ["silence:regions=cLinG_L"]}"#, "name the version"),
                (#"{"name": "x", "twin": "\#(seededTwin)@9", "interventions": ["silence:regions=cLinG_L"]}"#, "has no version 9"),
                (#"{"name": "x", "twin": "nosuch@1", "interventions": ["silence:regions=cLinG_L"]}"#, "twin 'nosuch' does not exist"),
                (#"{"name": "x", "twin": "\#(seededTwin)@2", "interventions": ["silence:regions=nosuch"]}"#, "nosuch"),
                (#"{"name": "x", "twin": "\#(seededTwin)@2", "interventions": ["silence:regions=cLinG_L"], "seeds": 0}"#, "seeds 0"),
                (#"{"name": "x", "twin": "\#(seededTwin)@2", "interventions": ["silence:regions=cLinG_L"], "seconds": -1}"#, "seconds -1"),
                (#"{"name": "x", "twin": "\#(seededTwin)@2", "interventions": ["silence:regions=cLinG_L"], "sweep": "p=0,1"}"#, "sweep p"),
                (#"{"name": "../x", "twin": "\#(seededTwin)@2", "interventions": ["silence:regions=cLinG_L"]}"#, "study name"),
                (#"{"name": "x", "twin": "\#(seededTwin)@2", "interventions": ["stimulate:regions=cLinG_L,waveform=series,file=/etc/passwd,interval=1"]}"#,
                 "file="),
                (#"{"name": "\#(seededStudy)", "twin": "\#(seededTwin)@2", "interventions": ["silence:regions=cLinG_L"]}"#, "already exists"),
            ]
            for (body, words) in refusals {
                let response = try await post(body, .write)
                #expect(response.status == .unprocessableContent && response.headers[.contentType] == "application/problem+json", "\(body)")
                let detail = try object(response)["detail"] as? String ?? ""
                #expect(detail.contains(words) && !detail.contains("\n"), "\(body): \(detail)")
            }
            #expect(try await post(#"{"twin": "\#(seededTwin)@2"}"#, .write).status == .badRequest)

            let queued = try await post(valid, .write)
            #expect(queued.status == .accepted)
            // One job per run (2 arms × 2 seeds), so that several workers share the study.
            let jobs = try #require(try object(queued)["jobs"] as? [[String: Any]])
            let ids = jobs.compactMap { ($0["job"] as? [String: Any])?["id"] as? Int }
            #expect(queued.headers[.location] == "/api/v1/studies/silence-api" && ids.count == 4)
            #expect(jobs.allSatisfy { $0["created"] as? Bool == true && ($0["job"] as? [String: Any])?["kind"] as? String == "study" })
            #expect(jobs.map { (($0["job"] as? [String: Any])?["payload"] as? [String: Any]).map { "\($0["arm"] ?? "")/\($0["seed"] ?? "")" } }
                    == ["0/1", "0/2", "1/1", "1/2"])
            let again = try #require(try object(try await post(valid, .write))["jobs"] as? [[String: Any]])
            #expect(again.compactMap { ($0["job"] as? [String: Any])?["id"] as? Int } == ids && again.allSatisfy { $0["created"] as? Bool == false })
            // Stored, not run: the study lists as running with no runs.
            let listed = try object(try await client.execute(uri: "/api/v1/studies?status=running", method: .get, headers: harness.headers(.read)))
            #expect((listed["items"] as? [[String: Any]])?.map { "\($0["study"] ?? "")/\($0["runs"] ?? "")" } == ["silence-api/0"])
        }
        #expect(try count("study") == studies.map { $0 + 1 } && count("study_arm") == arms.map { $0 + 2 })
        #expect(try count("study_run") == 6 && count("job") == 4)
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
