// The library's globals (type and property-class ids) are written only by H5open, under our lock.
@preconcurrency internal import CHDF5
import Foundation

/// Every HDF5Kit call holds this lock, so the library is never entered from two threads at once
/// whatever its build (Debian's `hdf5-serial` is thread-safe, other builds are not, and the
/// thread-safe build serialises calls itself anyway); it is recursive because public calls build
/// on one another.
private let libraryLock = NSRecursiveLock()

/// Opens the library once (its `H5T_NATIVE_*_g` globals are only valid after `H5open`).
private let libraryReady: Void = { H5open() }()

/// Runs `body` holding the library lock, with the library open and its printing of error stacks to
/// stderr off on this thread (we read the stack into ``HDF5Error`` instead). A thread-safe HDF5
/// keeps that setting per thread, so it is set on every call, not once.
func withHDF5<Result>(_ body: () throws -> Result) rethrows -> Result {
    libraryLock.lock()
    defer { libraryLock.unlock() }
    _ = libraryReady
    H5Eset_auto2(defaultErrorStack, nil, nil)
    return try body()
}

/// Returns `result` when it is a valid identifier or success (≥ 0), else throws with HDF5's error stack.
@discardableResult
func check<Value: BinaryInteger>(_ result: Value, _ path: String, _ operation: @autoclosure () -> String) throws -> Value {
    guard result < 0 else { return result }
    throw HDF5Error(path: path, operation: operation(), stack: takeErrorStack())
}

/// The current error stack's descriptions, outermost first; clears the stack.
private func takeErrorStack() -> [String] {
    var messages: [String] = []
    withUnsafeMutablePointer(to: &messages) { list in
        _ = H5Ewalk2(defaultErrorStack, H5E_WALK_DOWNWARD, { _, error, client in
            guard let error, let description = error.pointee.desc, let client else { return 0 }
            let messages = client.assumingMemoryBound(to: [String].self)
            let message = String(cString: description)
            if !message.isEmpty && messages.pointee.last != message { messages.pointee.append(message) }
            return 0
        }, list)
    }
    H5Eclear2(defaultErrorStack)
    return messages
}

/// An HDF5 identifier closed with its matching close call when the last reference goes.
final class Handle {
    let id: hid_t
    private let close: (hid_t) -> herr_t

    init(_ id: hid_t, close: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.close = close
    }

    deinit { _ = close(id) }
}

/// `H5E_DEFAULT`, imported as a plain integer.
let defaultErrorStack = hid_t(H5E_DEFAULT)

extension Array where Element == Int {
    /// The shape as HDF5 dimension sizes.
    var hsize: [hsize_t] { map { hsize_t($0) } }
}
