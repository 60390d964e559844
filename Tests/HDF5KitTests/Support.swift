import Foundation
import HDF5Kit
import Testing

/// A temporary directory that disappears with the test.
final class ScratchDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("hdf5-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// The error `body` throws, as an `HDF5Error` (failing the test when it throws nothing or something else).
func hdf5Error(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> HDF5Error? {
    do {
        try body()
        Issue.record("expected an HDF5Error, got none", sourceLocation: sourceLocation)
    } catch let error as HDF5Error {
        return error
    } catch {
        Issue.record("expected an HDF5Error, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The error `body` throws when run on a new thread (nil when it throws none).
func thrownOnThread(_ body: @escaping @Sendable () throws -> Void) -> (any Error)? {
    final class Outcome: @unchecked Sendable { var error: (any Error)? }
    let outcome = Outcome(), done = DispatchSemaphore(value: 0)
    let thread = Thread {
        do { try body() } catch { outcome.error = error }
        done.signal()
    }
    thread.start()
    done.wait()
    return outcome.error
}
