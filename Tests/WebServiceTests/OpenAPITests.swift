import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import WebService

/// The served OpenAPI document against the router: every `/api/v1` route is described, and
/// nothing is described that the router lacks.
@Suite struct OpenAPITests {
    @Test func documentMatchesTheRoutes() async throws {
        let harness = try ServiceHarness(database: TestDatabase.make())
        let routed = Set(harness.service.router().routes.map { "\($0.method.rawValue) \($0.path.description)" }
            .filter { $0.contains(" /api/v1") })
        try await harness.test { client in
            let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get, headers: harness.headers(.read))
            let document = try object(response)
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = document["paths"] as? [String: [String: Any]] ?? [:]
            let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(described.subtracting(routed).isEmpty, "described but not routed: \(described.subtracting(routed).sorted())")
            #expect(routed.subtracting(described).isEmpty, "routed but not described: \(routed.subtracting(described).sorted())")
            #expect(routed.count >= 24)
            // Every path parameter is declared, and every response names a schema the document has.
            let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
            for (path, operations) in paths {
                for (_, operation) in operations {
                    let operation = operation as? [String: Any] ?? [:]
                    let declared = Set((operation["parameters"] as? [[String: Any]] ?? []).filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String })
                    #expect(declared == Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }), "\(path)")
                    let text = String(decoding: try JSONSerialization.data(withJSONObject: operation, options: [.withoutEscapingSlashes]), as: UTF8.self)
                    for reference in text.components(separatedBy: "#/components/schemas/").dropFirst() {
                        let name = String(reference.prefix { $0 != "\"" })
                        #expect(schemas[name] != nil, "\(path) names schema \(name)")
                    }
                }
            }
        }
    }
}
