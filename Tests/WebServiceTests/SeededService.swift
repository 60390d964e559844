import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingest
import Postgres
import SampleSubjects
import Services
import Store
import Studies
import TwinBuilder
import Twins
import WebService

/// The twin of the seeded database.
let seededTwin = "sample-brainnetome246"

/// What the seeded database holds, by id.
struct Seed: Sendable {
    /// The 12-frame rest run ingested as a BOLD measure.
    var boldMeasure: Int
    /// The 2-second twin run of version 1 (TR 0.5 s: 4 frames).
    var run: Int
}

/// The completed study of the seeded database: AMPA conductance of version 1 swept over two
/// factors, against the untreated arm, 2 seeds × 2 s each (the cheapest study with every figure).
let seededStudy = "ampa-sweep"


/// A database with Brainnetome-246, the sample subject (anatomy and a 12-frame rest run), its
/// twin (version 1: 4,000 neurons, K = 10; version 2: K = 8) validated against the rest run, and
/// a 2-second run of version 1, and the completed study ``seededStudy`` of version 1: prepared
/// once per test process, cloned per test.
enum SeededDatabase {
    static func make() async throws -> (Database, Seed) {
        let (database, seed) = try await TestDatabase.make(preparedWith: "webservice seed") { database in
            let subject = try IngestedSubject.ingest(into: database)
            let registry = TwinRegistry(database: database)
            for degree in [10.0, 8.0] {
                _ = try registry.build(TwinBuildRequest(subject: subject.label, atlas: "brainnetome246",
                                                        parameters: BuildParameters(neurons: 4_000, meanInDegree: degree, seed: 1)))
            }
            let truth = SampleRuns(network: try TwinRunner(database: database).network(TwinReference(twin: seededTwin, version: 1)))
            try truth.write(SampleRuns.Run(session: "01", task: "rest", frames: 12, seed: 3), subject: subject.label, atlas: "brainnetome246",
                            into: subject.root, threads: 2)
            _ = try SubjectIngester(database: database).ingest(root: subject.root)
            guard let measure = try database.connection.query("SELECT id FROM measure WHERE kind = 'bold_timeseries' ORDER BY id LIMIT 1")
                .first?[0].int else { throw SeedError.noBOLD }
            _ = try TwinValidator(database: database).validate(TwinValidationRequest(version: TwinReference(twin: seededTwin, version: 1),
                                                                                     measure: measure, threads: 2))
            let run = try TwinRunner(database: database).run(TwinRunRequest(version: TwinReference(twin: seededTwin, version: 1), seconds: 2,
                                                                             repetitionTime: 0.5, threads: 2))
            _ = try StudyRunner(database: database).create(StudyRequest(
                name: seededStudy, version: TwinReference(twin: seededTwin, version: 1),
                interventions: [try InterventionSpec(parsing: "receptor:channel=ampa,factor=0.5")], sweep: Sweep(key: "factor", values: [0.5, 1.5]),
                seeds: 2, seconds: 2, warmup: 0.5, repetitionTime: 0.5, threads: 2))
            return Seed(boldMeasure: measure, run: run.run)
        }
        return (database, seed)
    }
}

/// The web service over a test database, with one token of each role and a client for the router.
/// (Unchecked: the test's own `database` connection is used only by the test, never by the clients' tasks.)
struct ServiceHarness: @unchecked Sendable {
    let database: Database
    let service: WebService
    /// Secrets by role.
    let tokens: [APIRole: String]

    init(database: Database, open: Bool = false) throws {
        self.database = database
        let url = try TestDatabase.connectionString(for: database)
        let home = database.home, origin = database.origin
        let pool = try DatabasePool(size: 2) { try Database(connection: PostgresConnection(url), home: home, origin: origin) }
        service = WebService(pool: pool, configuration: WebServiceConfiguration(open: open,
                                                                              dataDirectory: database.home.root.appendingPathComponent("bids")))
        let tokens = TokenService(database: database)
        self.tokens = try Dictionary(uniqueKeysWithValues: APIRole.allCases.map { ($0, try tokens.create(name: "test", role: $0, lifetime: nil).token) })
    }

    /// Runs `body` with a client of the service's router (no sockets).
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: service.router()).test(.router, body)
    }

    /// The `Authorization` header of a token of `role`.
    func headers(_ role: APIRole?) -> HTTPFields {
        guard let role, let secret = tokens[role] else { return [:] }
        return [.authorization: "Bearer \(secret)"]
    }
}

/// A response body as JSON.
func json(_ response: TestResponse) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
}

/// A response body as an object.
func object(_ response: TestResponse) throws -> [String: Any] {
    try json(response) as? [String: Any] ?? [:]
}

/// The seed's preparation went wrong.
enum SeedError: Error { case noBOLD }
