import Hummingbird
import Services
import Twins

/// One validation in a twin's history: the version validated and the figures, `{"version",
/// "origin", …the fields of a `validations` entry of `dtb twin history --json`}`.
struct ValidationHistoryItem: Encodable, Sendable {
    var version: Int
    var origin: String
    var summary: TwinValidationSummary

    enum CodingKeys: String, CodingKey { case version, origin }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(origin, forKey: .origin)
    }
}

extension WebService {
    /// `/twins`: twins with their latest versions, a twin's versions (what changed, each fit,
    /// every validation), one version in full (immutable: ETag), its changes and runs, and the
    /// twin's validations over time.
    func addTwinRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("twins") { request, _ in
            let p = QueryParameters(request: request)
            let subject = p.string("subject"), atlas = p.string("atlas"), level = try p.choice("level", ["region", "voxel"])
            let status = p.string("status"), since = try p.time("since"), until = try p.time("until")
            let twins = try await query { try TwinService(database: $0).list(subject: subject) }.filter {
                (atlas == nil || $0.atlas == atlas) && (level == nil || $0.level.rawValue == level) && (status == nil || $0.latestStatus == status)
                    && TimeWindow.contains($0.createdAt, since: since, until: until)
            }
            return try JSONResponse.make(Listing(request: request).page(twins, sort: SortOrder(keys: [
                "name": { $0.twin < $1.twin }, "created_at": { $0.createdAt < $1.createdAt }, "versions": { $0.versions < $1.versions },
            ], standard: "name")))
        }
        api.get("twins/{twin}") { _, context in
            let name = try context.parameters.require("twin")
            guard let twin = try await query({ try TwinService(database: $0).list(subject: nil) }).first(where: { $0.twin == name }) else {
                throw Problem(.notFound, "twin '\(name)' does not exist")
            }
            return try JSONResponse.make(twin)
        }
        api.get("twins/{twin}/versions") { request, context in
            // Paged in the database: a twin may have thousands of versions, and a page reads only its own.
            let p = QueryParameters(request: request), listing = Listing(request: request)
            let sort = try listing.sortKey(["version", "created_at"], standard: "version")
            let (start, limit) = try listing.window()
            let selection = TwinHistoryQuery(origin: p.string("origin"), status: p.string("status"), since: try p.time("since"),
                                             until: try p.time("until"), order: sort.key == "version" ? .version : .createdAt,
                                             descending: sort.descending, offset: start, limit: limit + 1)
            let name = try context.parameters.require("twin")
            let versions = try await query { try TwinService(database: $0).history(name, selection) }.versions
            return try JSONResponse.make(listing.page(versions, from: start, limit: limit))
        }
        api.get("twins/{twin}/versions/{version}") { request, context in
            let reference = try versionReference(context)
            return try JSONResponse.immutable(try await query { try TwinService(database: $0).show(reference) }, request: request)
        }
        api.get("twins/{twin}/versions/{version}/changes") { request, context in
            let number = try versionNumber(context)
            guard let entry = try await history(context, TwinHistoryQuery(version: number)).versions.first else {
                throw Problem(.notFound, "twin \(try context.parameters.require("twin")) has no version \(number)")
            }
            return try JSONResponse.make(Listing(request: request).page(entry.changes, sort: SortOrder(keys: ["what": { $0.what < $1.what }],
                                                                                                       standard: "what")))
        }
        api.get("twins/{twin}/versions/{version}/runs") { request, context in
            let reference = try versionReference(context)
            let runs = try await query { try TwinService(database: $0).show(reference) }.version.runs
            return try JSONResponse.make(Listing(request: request).page(runs, sort: SortOrder(keys: [
                "run": { $0.run < $1.run }, "created_at": { $0.createdAt < $1.createdAt },
            ], standard: "run")))
        }
        api.get("twins/{twin}/validations") { request, context in
            let p = QueryParameters(request: request)
            let measure = try p.int("measure"), replay = try p.choice("replay", ["built", "fitted", "mean"])
            let inSample = try p.bool("in_sample")
            let items = try await history(context, TwinHistoryQuery(validatedOnly: true)).versions.flatMap { entry in
                entry.validations.map { ValidationHistoryItem(version: entry.version, origin: entry.origin, summary: $0) }
            }.filter {
                (measure == nil || $0.summary.measure == measure) && (replay == nil || $0.summary.replay == replay)
                    && (inSample == nil || $0.summary.inSample == inSample)
            }
            return try JSONResponse.make(Listing(request: request).page(items, sort: SortOrder(keys: [
                "validation": { $0.summary.validation < $1.summary.validation }, "version": { $0.version < $1.version },
                "created_at": { $0.summary.createdAt < $1.summary.createdAt },
            ], standard: "validation")))
        }
    }

    /// The versions `selection` picks of the twin the path names.
    func history(_ context: APIRequestContext, _ selection: TwinHistoryQuery) async throws -> TwinHistory {
        let name = try context.parameters.require("twin")
        return try await query { try TwinService(database: $0).history(name, selection) }
    }

    /// `TWIN@VERSION` of the path.
    private func versionReference(_ context: APIRequestContext) throws -> TwinReference {
        TwinReference(twin: try context.parameters.require("twin"), version: try versionNumber(context))
    }

    /// The version number of the path: 400 below 1, 404 past the schema's 32 bits (no such version can exist).
    private func versionNumber(_ context: APIRequestContext) throws -> Int {
        let version = try context.parameters.require("version", as: Int.self)
        guard version >= 1 else { throw Problem(.badRequest, "version \(version): versions count from 1") }
        guard version <= Int(Int32.max) else { throw Problem(.notFound, "twin \(try context.parameters.require("twin")) has no version \(version)") }
        return version
    }
}
