import CommandTestSupport
import DTBTestSupport
import Foundation
import Services
import Testing

/// `dtb token …` and `dtb serve`'s option checks, in process.
@Suite struct TokenCommandTests {
    @Test func createListRevoke() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let created = dtb.run(["token", "create", "--role", "write", "--name", "notebook", "--expires", "12h", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        let secret = try #require(token?["token"] as? String)
        #expect(secret.hasPrefix("dtb_") && secret.count == 68 && token?["role"] as? String == "write" && token?["state"] as? String == "live")
        #expect(token?["expires_at"] is String && token?["revoked_at"] == nil)
        #expect(try TokenService(database: database).role(of: secret) == .write)

        let plain = dtb.run(["token", "create", "--role", "read", "--expires", "never"])
        #expect(plain.status == 0 && plain.stdout.hasPrefix("dtb_") && plain.stderr.contains("expires never"))
        let list = dtb.run(["token", "list", "--json"])
        let tokens = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(tokens?.map { $0["name"] as? String } == ["notebook", "api"] && tokens?.allSatisfy { $0["token"] == nil } == true)
        #expect(!list.stdout.contains(secret))

        let id = try #require(token?["id"] as? Int)
        #expect(dtb.run(["token", "revoke", "\(id)"]).status == 0)
        #expect(throws: APITokenRefusal.revoked) { try TokenService(database: database).role(of: secret) }
        let unknown = dtb.run(["token", "revoke", "999"])
        #expect(unknown.status == 1 && unknown.stderr == "dtb: token 999 does not exist (`dtb token list` lists them)\n")
    }

    @Test func badOptionsAreOneLineErrorsAndChangeNothing() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let expires = dtb.run(["token", "create", "--role", "read", "--expires", "0d"])
        #expect(expires.status == 1 && expires.stderr.hasPrefix("dtb: --expires 0d: ") && expires.stderr.filter { $0 == "\n" }.count == 1)
        #expect(dtb.run(["token", "create", "--role", "root"]).status == 64)
        let open = dtb.run(["serve", "--open", "--host", "0.0.0.0"])
        #expect(open.status == 1 && open.stderr.hasPrefix("dtb: --open with --host 0.0.0.0: ") && open.stderr.filter { $0 == "\n" }.count == 1)
        #expect(dtb.run(["serve", "--port", "0"]).stderr.hasPrefix("dtb: --port 0: "))
        #expect(dtb.run(["serve", "--connections", "0"]).stderr.hasPrefix("dtb: --connections 0: "))
        #expect(dtb.run(["bench", "serve", "--versions", "0"]).stderr.hasPrefix("dtb: --versions 0: "))
        let empty = dtb.run(["bench", "serve", "--versions", "10", "--seconds", "1"])
        #expect(empty.status == 1 && empty.stderr == "dtb: the database has no twin to grow (run `dtb demo` first)\n", "\(empty.stderr)")
        #expect(try database.connection.query("SELECT count(*) FROM twin_version").scalar().int == 0)
        #expect(try database.connection.query("SELECT count(*) FROM api_token").scalar().int == 0)
    }
}
