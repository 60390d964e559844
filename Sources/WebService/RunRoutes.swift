import Hummingbird
import Services

extension WebService {
    /// `/runs/ID`: a twin run's BOLD (frames × units) and unit rates, sliced by `units` (names,
    /// comma-separated) and `from`/`to` (seconds); immutable, so with an ETag.
    func addRunRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("runs/{run}") { request, context in
            let p = QueryParameters(request: request)
            let slice = RunSliceRequest(run: try context.parameters.require("run", as: Int.self), units: p.list("units"),
                                        from: try p.seconds("from"), to: try p.seconds("to"))
            return try JSONResponse.immutable(try await query { try RunSliceReader(database: $0).slice(slice) }, request: request)
        }
    }
}
