import HDF5Kit
import TwinBuilder

/// Why a twin circuit cannot be written or read: the file and the problem, on one line.
public struct SonataError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    public var path: String
    /// What is wrong with it, e.g. `"missing dataset /edges/twin_to_twin/0/weight"`.
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        // One line, whatever HDF5 or a decoder put in their messages.
        self.problem = problem.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// `"<path>: <problem>"`.
    public var description: String { "\(path): \(problem)" }
}

/// Runs `body` on the file at `path`, turning what it throws into a ``SonataError`` for that file.
func reporting<Result>(_ path: String, _ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch let error as SonataError {
        throw error
    } catch let error as HDF5Error {
        // HDF5Error names its own file, which is `path` or a file `body` opened for it.
        let detail = error.stack.isEmpty ? "" : ": " + error.stack.joined(separator: ": ")
        throw SonataError(path: error.path, problem: "cannot \(error.operation)\(detail)")
    } catch let error as TwinBuildError {
        throw SonataError(path: path, problem: error.description)
    } catch {
        throw SonataError(path: path, problem: "\(error)")
    }
}
