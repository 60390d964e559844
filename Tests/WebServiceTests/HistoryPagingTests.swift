import Benchmarks
import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Services
import Testing
import Twins

/// A long history paged in the database: the seed grown to hundreds of versions (as `dtb bench
/// serve --versions` grows it), every page of every sort and filter against the whole history
/// sorted in memory, cursors included.
@Suite(.serialized) struct HistoryPagingTests {
    @Test(.requires(.atlasMirror)) func pagesOfALongHistoryAreTheWholeHistorySorted() async throws {
        let (database, _) = try await SeededDatabase.make()
        #expect(try VersionSeeder(database: database).grow(to: 230, progress: { _ in }) == 228)
        #expect(try VersionSeeder(database: database).grow(to: 100, progress: { _ in }) == 0)
        let whole = try TwinService(database: database).history(seededTwin)
        // Rebuilds of version 2, each the child of the one before: nothing changed but the version.
        #expect(whole.versions.map(\.version) == Array(1...230) && whole.versions[2].parent == 2 && whole.versions[229].parent == 229)
        #expect(whole.versions[2...].allSatisfy { $0.changes.isEmpty && $0.origin == "build" && $0.networkDigest == whole.versions[1].networkDigest })
        #expect(whole.versions[1].changes.contains { $0.what == "mean_in_degree" } && whole.versions[0].validations.count == 1)

        let harness = try ServiceHarness(database: database)
        let cases: [(String, [TwinHistoryEntry])] = [
            ("", whole.versions), ("sort=-version", whole.versions.reversed()),
            ("sort=created_at", whole.versions.enumerated().sorted { ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset) }.map(\.element)),
            ("sort=-created_at", whole.versions.enumerated().sorted {
                $0.element.createdAt != $1.element.createdAt ? $0.element.createdAt > $1.element.createdAt : $0.offset < $1.offset
            }.map(\.element)),
            ("origin=assimilation", []), ("status=ready&sort=-version", whole.versions.reversed()),
            ("since=\(whole.versions[2].createdAt)", whole.versions.filter { $0.createdAt >= whole.versions[2].createdAt }),
            ("until=2000-01-01", []),
        ]
        try await harness.test { client in
            for (query, expected) in cases {
                var versions: [Int] = [], cursor: String? = nil, pages = 0
                repeat {
                    let uri = "/api/v1/twins/\(seededTwin)/versions?" + (["limit=37", query] + (cursor.map { ["cursor=\($0)"] } ?? []))
                        .filter { !$0.isEmpty }.joined(separator: "&")
                    let page = try object(try await client.execute(uri: uri, method: .get, headers: harness.headers(.read)))
                    versions += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? Int }
                    cursor = page["next_cursor"] as? String
                    pages += 1
                } while cursor != nil && pages < 20
                #expect(versions == expected.map(\.version), "\(query)")
                #expect(pages == max(1, (expected.count + 36) / 37), "\(query)")
            }
            // An entry as the whole history has it (changes, validations), and the refusals of the in-memory lists.
            let first = try object(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions?limit=2", method: .get,
                                                            headers: harness.headers(.read)))
            let entries = first["items"] as? [[String: Any]] ?? []
            #expect((entries.last?["changes"] as? [[String: Any]])?.contains { $0["what"] as? String == "mean_in_degree" } == true)
            #expect((entries.first?["validations"] as? [Any])?.count == 1)
            let foreign = try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions?limit=2&sort=-version&cursor=\(first["next_cursor"] as? String ?? "")",
                                                   method: .get, headers: harness.headers(.read))
            #expect(foreign.status == .badRequest)
            for bad in ["sort=name", "limit=0", "since=yesterday"] {
                let response = try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions?\(bad)", method: .get, headers: harness.headers(.read))
                #expect(response.status == .badRequest, "\(bad)")
            }
            let missing = try await client.execute(uri: "/api/v1/twins/nosuch/versions", method: .get, headers: harness.headers(.read))
            #expect(missing.status == .notFound)
            // One version's changes, read alone; a version past 32 bits cannot exist.
            let changes = try object(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions/2/changes", method: .get,
                                                              headers: harness.headers(.read)))
            #expect((changes["items"] as? [[String: Any]])?.contains { $0["what"] as? String == "mean_in_degree" } == true)
            #expect(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions/4294967296/changes", method: .get,
                                             headers: harness.headers(.read)).status == .notFound)

            // The dashboard's timeline: 50 versions a page, newest first, with links to the pages beside it.
            for (page, first, last, newer, older) in [(1, 230, 181, false, true), (2, 180, 131, true, true), (5, 30, 1, true, false)] {
                let html = String(decoding: Data(try await client.execute(uri: "/twins/\(seededTwin)?page=\(page)", method: .get,
                                                                          headers: harness.headers(.read)).body.readableBytesView), as: UTF8.self)
                let table = html.components(separatedBy: #"<table id="versions">"#).last?.components(separatedBy: "</table>").first ?? ""
                let shown = table.components(separatedBy: "<tr><td>").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
                #expect(shown == Array(stride(from: first, through: last, by: -1)), "page \(page)")
                #expect(html.contains("newer versions") == newer && html.contains("older versions") == older, "page \(page)")
            }
            #expect(try await client.execute(uri: "/twins/\(seededTwin)?page=0", method: .get, headers: harness.headers(.read)).status == .badRequest)
        }
    }
}
