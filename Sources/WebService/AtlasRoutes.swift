import AtlasCatalog
import Hummingbird
import Services

extension WebService {
    /// `/atlases`: stored atlases, one atlas's hemispheres, grids and lobe → gyrus hierarchy, and
    /// its regions (with networks and extents), filtered by lobe, gyrus, hemisphere and kind.
    func addAtlasRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("atlases") { request, _ in
            let atlases = try await query { database in try AtlasService(database: database, environment: ServiceEnvironment([:])).list() }
            return try JSONResponse.make(Listing(request: request).page(atlases, sort: SortOrder(keys: [
                "name": { $0.name < $1.name }, "regions": { $0.regions < $1.regions },
            ], standard: "name")))
        }
        api.get("atlases/{atlas}") { _, context in
            let name = try context.parameters.require("atlas")
            return try JSONResponse.make(try await query { database in
                try AtlasService(database: database, environment: ServiceEnvironment([:])).summary(of: name)
            })
        }
        api.get("atlases/{atlas}/regions") { request, context in
            let name = try context.parameters.require("atlas")
            let parameters = QueryParameters(request: request)
            let filter = RegionFilter(lobe: parameters.string("lobe"), gyrus: parameters.string("gyrus"),
                                      hemisphere: try parameters.choice("hemisphere", ["left", "right", "bilateral"]),
                                      kind: try parameters.choice("kind", ["cortical", "subcortical"]))
            let network = parameters.string("network")
            let regions = try await query { database in
                try AtlasService(database: database, environment: ServiceEnvironment([:])).regions(of: name, matching: filter)
            }.filter { row in network.map { wanted in row.region.networks.values.contains(wanted) } ?? true }
            return try JSONResponse.make(Listing(request: request).page(regions, sort: SortOrder(keys: [
                "label": { $0.region.label < $1.region.label }, "name": { $0.region.name < $1.region.name },
                "volume_mm3": { $0.volumeMM3 < $1.volumeMM3 },
            ], standard: "label")))
        }
    }
}
