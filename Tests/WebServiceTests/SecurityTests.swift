import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Services
import Store
import Testing
import WebService

/// Tokens and roles, body limits and problem documents of the API.
@Suite(.serialized) struct SecurityTests {
    @Test func tokensAreStoredHashedAndRolesAreEnforced() async throws {
        let database = try TestDatabase.make()
        let harness = try ServiceHarness(database: database)
        let stored = try database.connection.query("SELECT secret_sha256 FROM api_token ORDER BY id").map { $0[0].string! }
        #expect(stored.count == 3 && !stored.contains { harness.tokens.values.contains($0) })
        #expect(Set(stored) == Set(harness.tokens.values.map { SHA256.hex(Data($0.utf8)) }))

        let service = TokenService(database: database)
        let revoked = try service.create(name: "gone", role: .write, lifetime: nil)
        _ = try service.revoke(id: revoked.info.id)
        let expired = try service.create(name: "old", role: .write, lifetime: nil)
        try database.connection.query("UPDATE api_token SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1",
                                      [expired.info.id])
        #expect(try service.list().map(\.state) == [.live, .live, .live, .revoked, .expired])

        let body = ByteBuffer(string: #"{"measure": 1}"#)
        try await harness.test { client in
            let anonymous = try await client.execute(uri: "/api/v1/jobs", method: .get)
            #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] == #"Bearer realm="dtb""#)
            #expect(anonymous.headers[.contentType] == "application/problem+json")
            let wrong = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.authorization: "Bearer dtb_nosuch"])
            #expect(wrong.status == .unauthorized)
            for (secret, detail) in [(revoked.token, "the bearer token was revoked"),
                                     (expired.token, "the bearer token has expired (`dtb token create` makes a new one)")] {
                let response = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.authorization: "Bearer \(secret)"])
                let answer = try object(response)["detail"] as? String
                #expect(response.status == .unauthorized && answer == detail)
            }
            let listed = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: harness.headers(.read))
            #expect(listed.status == .ok)
            let cookie = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.cookie: "a=b; dtb_token=\(harness.tokens[.read]!)"])
            #expect(cookie.status == .ok)
            // A read token may not queue work: refused before the body or the twin is looked at.
            let write = try await client.execute(uri: "/api/v1/twins/nosuch/validations", method: .post, headers: harness.headers(.read), body: body)
            #expect(write.status == .forbidden)
            let allowed = try await client.execute(uri: "/api/v1/twins/nosuch/validations", method: .post, headers: harness.headers(.write), body: body)
            #expect(allowed.status == .notFound)
        }
        #expect(try database.connection.query("SELECT count(*) FROM job").scalar().int == 0)
    }

    @Test func openServersNeedNoTokenButRefuseWrongOnes() async throws {
        let harness = try ServiceHarness(database: TestDatabase.make(), open: true)
        try await harness.test { client in
            let anonymous = try await client.execute(uri: "/api/v1/jobs", method: .get)
            let wrong = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.authorization: "Bearer dtb_nosuch"])
            #expect(anonymous.status == .ok && wrong.status == .unauthorized)
        }
        #expect(throws: ServiceError.self) {
            try WebServiceConfiguration(host: "0.0.0.0", open: true, dataDirectory: URL(fileURLWithPath: "/tmp")).check()
        }
        try WebServiceConfiguration(host: "127.0.0.1", open: true, dataDirectory: URL(fileURLWithPath: "/tmp")).check()
    }

    @Test func oversizedAndMalformedBodiesAreRefused() async throws {
        let database = try TestDatabase.make()
        let harness = try ServiceHarness(database: database)
        try await harness.test { client in
            let big = ByteBuffer(string: #"{"measure": 1, "pad": ""# + String(repeating: "x", count: 70_000) + #""}"#)
            let oversized = try await client.execute(uri: "/api/v1/plans", method: .post, headers: harness.headers(.write), body: big)
            #expect(oversized.status == .contentTooLarge && oversized.headers[.contentType] == "application/problem+json")
            for bad in ["[1, 2", #"{"measure": "one"}"#, "{}"] {
                let response = try await client.execute(uri: "/api/v1/twins/x/validations", method: .post, headers: harness.headers(.write),
                                                        body: ByteBuffer(string: bad))
                #expect(response.status == .badRequest, "\(bad)")
                let detail = try object(response)["detail"] as? String ?? ""
                #expect(detail.hasPrefix("request body: ") && !detail.contains("\n"), "\(detail)")
            }
            let wrongMethod = try await client.execute(uri: "/api/v1/jobs/3", method: .delete, headers: harness.headers(.admin))
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.allow] == "GET")
            let unknownRoute = try await client.execute(uri: "/api/v1/nosuch", method: .get, headers: harness.headers(.read))
            #expect(unknownRoute.status == .notFound && unknownRoute.headers[.contentType] == "application/problem+json")
        }
        #expect(try database.connection.query("SELECT count(*) FROM job").scalar().int == 0)
    }

    @Test func tokenLifetimes() throws {
        #expect(try TokenLifetime.seconds(parsing: "30d") == 30 * 86_400)
        #expect(try TokenLifetime.seconds(parsing: "90m") == 5_400)
        #expect(try TokenLifetime.seconds(parsing: "never") == nil)
        for bad in ["", "d", "0d", "-1h", "nanh", "infd", "3651d", "12", "1w"] {
            #expect(throws: ServiceError.self, "\(bad)") { try TokenLifetime.seconds(parsing: bad) }
        }
    }
}
