import Foundation
import Hummingbird
import ServiceLifecycle
import Services
import Store

/// How `dtb serve` runs: where it listens and whom it lets in.
public struct WebServiceConfiguration: Sendable {
    /// The address to listen on (`--host`).
    public var host: String
    /// The TCP port (`--port`).
    public var port: Int
    /// `--open`: requests without a token may read and queue work. Only on a loopback host.
    public var open: Bool
    /// The folder under which ingest requests may name BIDS datasets (symlinks resolved).
    public var dataDirectory: URL
    /// Keep whole read responses until the data under them changes (`--no-cache` turns it off).
    public var cache: Bool

    public init(host: String = "127.0.0.1", port: Int = 8750, open: Bool = false, dataDirectory: URL, cache: Bool = true) {
        self.host = host; self.port = port; self.open = open; self.dataDirectory = dataDirectory; self.cache = cache
    }

    /// Refuses settings the server must not start with, naming the option.
    public func check() throws {
        guard (1...65_535).contains(port) else { throw ServiceError.invalidOption("--port", value: "\(port)", problem: "give a port in 1…65535") }
        if open && !Self.isLoopback(host) {
            throw ServiceError.invalidOption("--open", value: "with --host \(host)",
                                             problem: "a server without tokens listens on loopback only (127.0.0.1, ::1 or localhost)")
        }
    }

    /// True for the addresses only this machine reaches.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// The HTTP API (`/api/v1`) and the dashboard over one database: routes, authentication, problem
/// documents, cached read responses. Handlers call the Services workflows on a pooled connection.
public struct WebService: Sendable {
    /// The connections the handlers share.
    public let pool: DatabasePool
    /// Address, `--open`, data directory.
    public let configuration: WebServiceConfiguration
    /// Read responses kept until the data changes; enabled only while ``application()``'s
    /// change watcher listens, so a router used on its own (in tests) reads the database each time.
    public let cache = ResponseCache()
    /// Live tokens already checked, kept under the same watcher.
    public let tokens = TokenCache()

    public init(pool: DatabasePool, configuration: WebServiceConfiguration) {
        self.pool = pool; self.configuration = configuration
    }

    /// Every route, behind the problem, token and cache middleware.
    public func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MethodMiddleware())
        router.add(middleware: TokenAuthentication(pool: pool, open: configuration.open, tokens: tokens))
        router.add(middleware: ResponseCacheMiddleware(cache: cache))
        let api = router.group("api/v1")
        addAtlasRoutes(to: api)
        addSubjectRoutes(to: api)
        addTwinRoutes(to: api)
        addRunRoutes(to: api)
        addJobRoutes(to: api)
        addWorkRoutes(to: api)
        addStudyRoutes(to: api)
        api.get("openapi.json") { _, _ in JSONResponse.make(bytes: try OpenAPIDocument.json()) }
        addDashboard(to: router)
        return router
    }

    /// The server application on the configured address, with the change watcher that keeps
    /// the response and token caches (unless `--no-cache`).
    public func application() -> some ApplicationProtocol {
        let watchers: [any Service] = configuration.cache ? [ChangeWatcher(responses: cache, tokens: tokens, connectionInfo: pool.connectionInfo)] : []
        return Application(router: router(), configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                                  serverName: "dtb"), services: watchers)
    }

    /// Serves until SIGINT or SIGTERM, which end the server gracefully.
    public func run() async throws {
        try await application().runService()
    }

    /// Runs `body` on a pooled connection (Services calls are synchronous libpq work).
    func query<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.withDatabase(body)
    }
}
