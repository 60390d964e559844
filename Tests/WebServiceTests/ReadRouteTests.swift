import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Services
import Store
import Testing

/// Every read route of `/api/v1` against the seeded database: known answers, pagination edges,
/// filters, sorting, ETags, problem documents.
@Suite(.serialized) struct ReadRouteTests {
    @Test(.requires(.atlasMirror)) func atlasesSubjectsAndMeasures() async throws {
        let (database, seed) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let read = harness.headers(.read)
        try await harness.test { client in
            let atlases = try object(try await client.execute(uri: "/api/v1/atlases", method: .get, headers: read))
            #expect((atlases["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["brainnetome246"])
            #expect(atlases["next_cursor"] == nil)
            let atlas = try object(try await client.execute(uri: "/api/v1/atlases/brainnetome246", method: .get, headers: read))
            #expect(atlas["regions"] as? Int == 246 && (atlas["hierarchy"] as? [Any])?.isEmpty == false)
            let left = try object(try await client.execute(uri: "/api/v1/atlases/brainnetome246/regions?hemisphere=left&limit=500", method: .get,
                                                           headers: read))
            #expect((left["items"] as? [[String: Any]])?.count == 123)
            let unknown = try await client.execute(uri: "/api/v1/atlases/nosuch", method: .get, headers: read)
            #expect(unknown.status == .notFound && unknown.headers[.contentType] == "application/problem+json")
            #expect(try object(unknown)["detail"] as? String == "atlas 'nosuch' does not exist (known: brainnetome246)")

            let subjects = try object(try await client.execute(uri: "/api/v1/subjects", method: .get, headers: read))
            #expect((subjects["items"] as? [[String: Any]])?.map { $0["label"] as? String } == ["sample"])
            let sessions = try object(try await client.execute(uri: "/api/v1/subjects/sample/sessions", method: .get, headers: read))
            #expect((sessions["items"] as? [[String: Any]])?.map { $0["session"] as? String } == ["01"])
            let func_ = try object(try await client.execute(uri: "/api/v1/subjects/sample/scans?modality=func", method: .get, headers: read))
            #expect((func_["items"] as? [[String: Any]])?.allSatisfy { $0["modality"] as? String == "func" } == true)
            #expect((func_["items"] as? [Any])?.isEmpty == false)
            let bold = try object(try await client.execute(uri: "/api/v1/subjects/sample/measures?kind=bold_timeseries", method: .get, headers: read))
            #expect((bold["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [seed.boldMeasure])
            let measure = try object(try await client.execute(uri: "/api/v1/measures/\(seed.boldMeasure)", method: .get, headers: read))
            #expect((measure["values"] as? [Any])?.count == 246 && measure["frames"] as? Int == 12)
        }
    }

    @Test(.requires(.atlasMirror)) func paginationEdgesAndSorting() async throws {
        let (database, _) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let read = harness.headers(.read)
        try await harness.test { client in
            // 246 regions in pages of 100: 100, 100, 46, then no cursor; the pages do not overlap.
            var labels: [Int] = [], cursor: String? = nil, pages = 0
            repeat {
                let uri = "/api/v1/atlases/brainnetome246/regions?limit=100&sort=-label" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try object(try await client.execute(uri: uri, method: .get, headers: read))
                labels += (page["items"] as? [[String: Any]] ?? []).compactMap { ($0["region"] as? [String: Any])?["label"] as? Int }
                cursor = page["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3 && labels == Array((1...246).reversed()))
            // A page of exactly the rest ends without a cursor.
            let exact = try object(try await client.execute(uri: "/api/v1/atlases/brainnetome246/regions?limit=246", method: .get, headers: read))
            #expect((exact["items"] as? [Any])?.count == 246 && exact["next_cursor"] == nil)
            for bad in ["limit=0", "limit=501", "limit=x", "sort=nosuch", "cursor=bm9wZQ", "hemisphere=up"] {
                let response = try await client.execute(uri: "/api/v1/atlases/brainnetome246/regions?\(bad)", method: .get, headers: read)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            // A cursor of one query is refused by another.
            let first = try object(try await client.execute(uri: "/api/v1/atlases/brainnetome246/regions?limit=10", method: .get, headers: read))
            let foreign = try await client.execute(uri: "/api/v1/atlases/brainnetome246/regions?limit=10&kind=cortical&cursor=\(first["next_cursor"] as? String ?? "")",
                                                   method: .get, headers: read)
            #expect(foreign.status == .badRequest)
        }
    }

    @Test(.requires(.atlasMirror)) func twinsVersionsValidationsAndRuns() async throws {
        let (database, seed) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let read = harness.headers(.read)
        try await harness.test { client in
            let twins = try object(try await client.execute(uri: "/api/v1/twins?subject=sample&atlas=brainnetome246", method: .get, headers: read))
            #expect((twins["items"] as? [[String: Any]])?.map { $0["latest_version"] as? Int } == [2])
            let none = try object(try await client.execute(uri: "/api/v1/twins?level=voxel", method: .get, headers: read))
            #expect((none["items"] as? [Any])?.isEmpty == true)
            let future = try object(try await client.execute(uri: "/api/v1/twins?since=2999-01-01", method: .get, headers: read))
            #expect((future["items"] as? [Any])?.isEmpty == true)

            let versions = try object(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions?sort=-version&limit=1", method: .get, headers: read))
            #expect((versions["items"] as? [[String: Any]])?.map { $0["version"] as? Int } == [2] && versions["next_cursor"] is String)
            let changes = try object(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions/2/changes", method: .get, headers: read))
            #expect((changes["items"] as? [[String: Any]])?.contains { $0["what"] as? String == "mean_in_degree" } == true)

            let version = try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions/1", method: .get, headers: read)
            let tag = try #require(version.headers[.eTag])
            #expect(((try object(version)["version"] as? [String: Any])?["neurons"] as? Int) == 4_000)
            var conditional = read
            conditional[.ifNoneMatch] = tag
            let cached = try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions/1", method: .get, headers: conditional)
            #expect(cached.status == .notModified && cached.body.readableBytes == 0)
            let missing = try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions/9", method: .get, headers: read)
            #expect(missing.status == .notFound)

            let validations = try object(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/validations?measure=\(seed.boldMeasure)",
                                                                  method: .get, headers: read))
            let items = validations["items"] as? [[String: Any]]
            #expect(items?.count == 1 && items?.first?["version"] as? Int == 1 && items?.first?["bold_r"] is Double)

            let runs = try object(try await client.execute(uri: "/api/v1/twins/\(seededTwin)/versions/1/runs", method: .get, headers: read))
            #expect((runs["items"] as? [[String: Any]])?.map { $0["run"] as? Int } == [seed.run])
            let whole = try object(try await client.execute(uri: "/api/v1/runs/\(seed.run)", method: .get, headers: read))
            #expect(whole["frames"] as? Int == 4 && (whole["units"] as? [Any])?.count == 246 && (whole["bold"] as? [[Double]])?.count == 4)
            let units = (whole["units"] as? [String] ?? []).prefix(2)
            let slice = try await client.execute(uri: "/api/v1/runs/\(seed.run)?units=\(units.joined(separator: ","))&from=0.6&to=1.5",
                                                 method: .get, headers: read)
            let sliced = try object(slice)
            #expect(sliced["times"] as? [Double] == [1.0, 1.5])
            #expect((sliced["bold"] as? [[Double]])?.map(\.count) == [2, 2] && (sliced["unit_rate_hz"] as? [Double])?.count == 2)
            #expect(((sliced["bold"] as? [[Double]])?.first?.first) == (whole["bold"] as? [[Double]])?[1][0])
            #expect(slice.headers[.eTag] != nil)
            let badUnit = try await client.execute(uri: "/api/v1/runs/\(seed.run)?units=nosuch", method: .get, headers: read)
            let detail = try object(badUnit)["detail"] as? String
            #expect(badUnit.status == .badRequest && detail?.contains("nosuch") == true)
            let backwards = try await client.execute(uri: "/api/v1/runs/\(seed.run)?from=2&to=1", method: .get, headers: read)
            #expect(backwards.status == .badRequest)
        }
    }

    @Test(.requires(.atlasMirror)) func studiesListedFilteredAndShownAsTheCommandShowsThem() async throws {
        let (database, _) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database)
        let read = harness.headers(.read)
        let id = try #require(try database.connection.query("SELECT id FROM study WHERE name = $1", [seededStudy]).scalar().int)
        // The document `dtb study show --json` prints, encoded by the command's own encoder.
        let expected = try JSONStyle.documentEncoder().encode(StudyService(database: database).report(nameOrID: seededStudy))
        try await harness.test { client in
            let names = { (query: String) async throws -> [String] in
                let page = try object(try await client.execute(uri: "/api/v1/studies\(query)", method: .get, headers: read))
                return (page["items"] as? [[String: Any]] ?? []).compactMap { $0["study"] as? String }
            }
            for (query, listed): (String, [String]) in [("", [seededStudy]), ("?twin=\(seededTwin)", [seededStudy]), ("?twin=\(seededTwin)@1", [seededStudy]),
                                    ("?twin=\(seededTwin)@2", []), ("?twin=nosuch", []), ("?status=running", []),
                                    ("?status=complete&sort=-created_at", [seededStudy])] {
                #expect(try await names(query) == listed, "\(query)")
            }
            for bad in ["status=done", "sort=nosuch", "limit=0"] {
                let response = try await client.execute(uri: "/api/v1/studies?\(bad)", method: .get, headers: read)
                #expect(response.status == .badRequest, "\(bad)")
            }

            for key in [seededStudy, "\(id)"] {
                let shown = try json(try await client.execute(uri: "/api/v1/studies/\(key)", method: .get, headers: read))
                let same = (shown as? NSDictionary) == (try JSONSerialization.jsonObject(with: expected) as? NSDictionary)
                #expect(same, "\(key)")
            }
            let report = try object(try await client.execute(uri: "/api/v1/studies/\(seededStudy)", method: .get, headers: read))
            // Untreated, then one arm per swept factor; 3 arms × 2 seeds; effects largest |d_z| first.
            #expect((report["arms"] as? [[String: Any]])?.map { $0["sweep_value"] as? Double } == [nil, 0.5, 1.5])
            #expect((report["runs"] as? [Any])?.count == 6 && (report["settings"] as? [String: Any])?["seeds"] as? [Int] == [1, 2])
            // Ties of |d_z| order by |difference|; JSONSerialization may read a number back an ulp off, hence the tolerance.
            let sizes = (report["effects"] as? [[String: Any]] ?? []).compactMap { $0["effect_size"] as? Double }.map(abs)
            #expect(!sizes.isEmpty && zip(sizes, sizes.dropFirst()).allSatisfy { $0 >= $1 - 1e-12 * $0 })
            for missing in ["nosuch", "999999"] {
                let response = try await client.execute(uri: "/api/v1/studies/\(missing)", method: .get, headers: read)
                #expect(response.status == .notFound && response.headers[.contentType] == "application/problem+json", "\(missing)")
                #expect(try object(response)["detail"] as? String == "study \(missing) does not exist (`dtb study list`)")
            }
        }
    }
}
