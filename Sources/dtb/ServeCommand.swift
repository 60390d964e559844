import ArgumentParser
import Dispatch
import Foundation
import Services
import WebService

/// `dtb serve [--host 127.0.0.1] [--port 8750] [--open] [--connections 8] [--no-cache]`
///
/// The HTTP API under `/api/v1` (OpenAPI 3.1 at `/api/v1/openapi.json`) and the dashboard at `/`,
/// until interrupted. Every request needs a token (`dtb token create`) unless `--open`.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API (/api/v1) and the web dashboard.",
        discussion: """
            Requests carry a token: Authorization: Bearer <token> from `dtb token create --role read|write|admin`. \
            With --open (loopback hosts only) requests without a token may read and queue work, for a local notebook. \
            Work that requests start is queued for `dtb worker`.
            """)
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "TCP port (1–65535).") var port = 8750
    @Flag(help: "Let requests without a token read and queue work (loopback hosts only).") var open = false
    @Option(help: "Database connections shared by the requests (1–64).") var connections = 8
    @Flag(inversion: .prefixedNo, help: "Keep read responses in memory until the data under them changes (NOTIFY data_changed).")
    var cache = true

    func run() throws {
        try Console.run {
            let home = Console.environment.home
            let configuration = WebServiceConfiguration(host: host, port: port, open: open, dataDirectory: home.root.appendingPathComponent("bids"),
                                                        cache: cache)
            try configuration.check()
            guard (1...64).contains(connections) else {
                throw ServiceError.invalidOption("--connections", value: "\(connections)", problem: "give 1…64 connections")
            }
            let environment = Console.environment
            let pool = try DatabasePool(size: connections) { try environment.openDatabase(progress: Console.progress) }
            Console.progress("serving http://\(host):\(port)/ (API at /api/v1, \(open ? "open on loopback" : "tokens required"))")
            try Self.wait(for: WebService(pool: pool, configuration: configuration))
        }
    }

    /// Runs the server until it stops (SIGINT or SIGTERM end it gracefully).
    private static func wait(for service: WebService) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await service.run() } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw error }
    }
}

/// The error a server task ended with, handed to the waiting thread.
private final class FailureBox: @unchecked Sendable {
    var error: (any Error)?
}
