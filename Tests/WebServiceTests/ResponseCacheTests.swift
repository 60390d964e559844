import Benchmarks
import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Services
import Store
import Testing
import WebService

/// The response cache of a running application (its change watcher listening on the seeded
/// database's server): a repeated read is served from memory, a committed write elsewhere empties
/// it before the next read, and a watcher that loses its connection stops the cache until it
/// listens again — so no read ever returns what the database no longer holds.
@Suite(.serialized) struct ResponseCacheTests {
    static let history = "/api/v1/twins/\(seededTwin)/versions?limit=50"

    @Test(.requires(.atlasMirror)) func aReadIsKeptUntilAWriteElsewhereCommits() async throws {
        let (database, seed) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let cache = harness.service.cache
        try await harness.service.application().test(.router) { client in
            try await Self.waitUntil("the watcher listens") { cache.isEnabled }
            let first = try await Self.versions(client, harness)
            #expect(try await Self.versions(client, harness) == first && first == [1, 2])
            #expect(cache.statistics.hits == 1 && cache.statistics.stored == 1)

            // A run is immutable: a cached answer keeps its ETag, and a request naming it gets 304.
            let run = "/api/v1/runs/\(seed.run)?from=0&to=1"
            let answer = try await client.execute(uri: run, method: .get, headers: harness.headers(.read))
            let tag: String = try #require(answer.headers[.eTag])
            var conditional = harness.headers(.read)
            conditional[.ifNoneMatch] = tag
            #expect(try await client.execute(uri: run, method: .get, headers: conditional).status == .notModified)
            #expect(cache.statistics.hits == 2)

            // A write through another connection: its notice empties the cache before the next read sees the old page.
            let invalidations = cache.statistics.invalidations
            #expect(try VersionSeeder(database: harness.database).grow(to: 3, progress: { _ in }) == 1)
            try await Self.waitUntil("the change is heard") { cache.statistics.invalidations > invalidations }
            #expect(try await Self.versions(client, harness) == [1, 2, 3])

            // Concurrent misses of one path (the cache just emptied by a write) share one computation.
            let emptied = cache.statistics.invalidations
            #expect(try VersionSeeder(database: harness.database).grow(to: 4, progress: { _ in }) == 1)
            try await Self.waitUntil("the second change is heard") { cache.statistics.invalidations > emptied }
            let computed = cache.statistics.computed
            let pages = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<20 { group.addTask { try await Self.versions(client, harness) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(pages.count == 20 && pages.allSatisfy { $0 == [1, 2, 3, 4] })
            #expect(cache.statistics.computed == computed + 1)

            // Jobs change without a notice: never cached.
            let before = cache.statistics
            for path in ["/api/v1/jobs", "/api/v1/jobs", "/jobs", "/jobs"] {
                #expect(try await client.execute(uri: path, method: .get, headers: harness.headers(.read)).status == .ok)
            }
            #expect(cache.statistics == before)
        }
    }

    @Test(.requires(.atlasMirror)) func aWatcherThatCannotHearStopsTheCacheUntilItListensAgain() async throws {
        let (database, _) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let cache = harness.service.cache
        try await harness.service.application().test(.router) { client in
            try await Self.waitUntil("the watcher listens") { cache.isEnabled }
            #expect(try await Self.versions(client, harness) == [1, 2])
            let listener = try Self.listener(harness.database)
            let invalidations = cache.statistics.invalidations
            // The watcher's backend ended by the server: changes committed now would go unheard.
            _ = try harness.database.connection.query("SELECT pg_terminate_backend($1::int)", [listener])
            #expect(try VersionSeeder(database: harness.database).grow(to: 3, progress: { _ in }) == 1)
            // It stops the cache (one invalidation), reconnects and enables it afresh (another).
            try await Self.waitUntil("the watcher listens again") {
                cache.isEnabled && cache.statistics.invalidations >= invalidations + 2
            }
            #expect(try Self.listener(harness.database) != listener)
            #expect(try await Self.versions(client, harness) == [1, 2, 3])
        }
    }

    @Test(.requires(.atlasMirror)) func aCheckedTokenIsKeptUntilItIsRevokedOrExpires() async throws {
        let (database, _) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let tokens = harness.service.tokens
        try await harness.service.application().test(.router) { client in
            try await Self.waitUntil("the watcher listens") { harness.service.cache.isEnabled }
            let read = harness.headers(.read)
            for _ in 0..<2 { #expect(try await client.execute(uri: "/api/v1/atlases", method: .get, headers: read).status == .ok) }
            #expect(tokens.count == 1)
            // Revoked through another connection: refused from the next request on, not when the grant would have aged out.
            let id = try #require(try TokenService(database: harness.database).list().first { $0.role == .read && $0.name == "test" }?.id)
            _ = try TokenService(database: harness.database).revoke(id: id)
            try await Self.waitUntil("the revocation is heard") { tokens.count == 0 }
            #expect(try await client.execute(uri: "/api/v1/atlases", method: .get, headers: read).status == .unauthorized)
            // A kept grant is not used past its token's expiry. The token is made only now, so a
            // loaded machine cannot age it out before its first use; the server's clock set its
            // expiry no later than `lifetime` after the creation returned.
            // The write token's kept grant shows when the creation's notice has been heard.
            #expect(try await client.execute(uri: "/api/v1/atlases", method: .get, headers: harness.headers(.write)).status == .ok)
            #expect(tokens.count == 1)
            let lifetime = 8.0
            let brief = try TokenService(database: harness.database).create(name: "brief", role: .read, lifetime: lifetime)
            let created = ContinuousClock.now
            let briefly: HTTPFields = [.authorization: "Bearer \(brief.token)"]
            try await Self.waitUntil("the new token's notice is heard") { tokens.count == 0 }
            #expect(try await client.execute(uri: "/api/v1/atlases", method: .get, headers: briefly).status == .ok && tokens.count == 1)
            try await Task.sleep(until: created + .seconds(lifetime + 0.3))
            #expect(try await client.execute(uri: "/api/v1/atlases", method: .get, headers: briefly).status == .unauthorized)
        }
    }

    /// The version numbers of the history's first page.
    static func versions(_ client: some TestClientProtocol, _ harness: ServiceHarness) async throws -> [Int] {
        let page = try object(try await client.execute(uri: history, method: .get, headers: harness.headers(.read)))
        return (page["items"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? Int }
    }

    /// The backend of the connection listening on `data_changed` (its last statement was the LISTEN).
    static func listener(_ database: Database) throws -> Int {
        try #require(try database.connection.query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN \"data_changed\"'").first?[0].int)
    }

    /// Polls `condition` for up to ten seconds.
    static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
        #expect(condition(), "\(what) within 10 s")
    }
}
