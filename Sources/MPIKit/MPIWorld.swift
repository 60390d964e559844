// The MPI world of a process launched by mpirun: initialisation once per process, rank and size,
// and finalisation. A process not launched by mpirun never initialises MPI, so every command runs
// as before without it.
import CMPI
import Foundation

/// The processes of one `mpirun` launch (MPI_COMM_WORLD). At most one per process: MPI can be
/// initialised only once, so ``start(environment:)`` hands out the same world every time.
public final class MPIWorld: @unchecked Sendable {
    /// This process's rank, 0 ..< ``size``.
    public let rank: Int
    /// The number of processes in the launch.
    public let size: Int
    let communicator: MPI_Comm

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: MPIWorld?
    nonisolated(unsafe) private static var finalized = false

    /// The environment variables Open MPI's launcher sets in every process it starts.
    public static let launchVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK"]

    /// Whether `environment` is that of a process started by `mpirun` (Open MPI sets the world
    /// size and the PMIx rank), which is the only case in which dtb initialises MPI.
    public static func isLaunchedByMPIRun(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        launchVariables.contains { environment[$0] != nil }
    }

    /// This process's rank as the launcher announced it (before MPI is initialised), or nil when
    /// not launched by mpirun.
    public static func launchRank(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        (environment["OMPI_COMM_WORLD_RANK"] ?? environment["PMIX_RANK"]).flatMap { Int($0) }
    }

    /// The world, initialising MPI on first use when launched by `mpirun`; nil otherwise (a plain
    /// process, which never touches MPI). Throws when initialisation fails or MPI was finalised.
    public static func start(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MPIWorld? {
        guard isLaunchedByMPIRun(environment) else { return nil }
        lock.lock(); defer { lock.unlock() }
        if let started { return started }
        guard !finalized else { throw MPIError(call: "MPI_Init_thread", message: "MPI was already finalised in this process") }
        let world = try MPIWorld()
        started = world
        return world
    }

    /// Finalises MPI if this process initialised it (once, at the end of the process).
    public static func finish() {
        lock.lock(); defer { lock.unlock() }
        guard started != nil, !finalized else { return }
        MPI_Finalize()
        finalized = true
    }

    private init() throws {
        // Funneled: the engine's worker threads never call MPI; only the thread that started it does.
        var provided: Int32 = 0
        try MPIError.check(MPI_Init_thread(nil, nil, dtb_mpi_thread_funneled(), &provided), "MPI_Init_thread")
        communicator = dtb_mpi_comm_world()
        // Errors come back as codes (and then as Swift errors) instead of aborting inside MPI.
        try MPIError.check(MPI_Comm_set_errhandler(communicator, dtb_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try MPIError.check(MPI_Comm_rank(communicator, &rank), "MPI_Comm_rank")
        try MPIError.check(MPI_Comm_size(communicator, &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
    }

    /// Whether this process is rank 0, the one that alone talks to the database and writes.
    public var isRoot: Bool { rank == 0 }

    /// Ends every process of the launch with `code` (a rank that cannot go on must not leave the
    /// others waiting in a collective).
    public func abort(code: Int32) -> Never {
        MPI_Abort(communicator, code)
        exit(code)
    }
}

/// An MPI call failed: the call and MPI's own description of the error code.
public struct MPIError: Error, CustomStringConvertible {
    /// The MPI function that failed.
    public let call: String
    /// What MPI said about it.
    public let message: String

    public var description: String { "MPI: \(call) failed: \(message)" }

    /// Throws for any code but MPI_SUCCESS, with MPI's text for the code.
    static func check(_ code: Int32, _ call: String) throws {
        guard code != dtb_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw MPIError(call: call, message: String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
