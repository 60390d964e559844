// The library's globals (type and property-class ids) are written only by H5open, under our lock.
@preconcurrency internal import CHDF5
import Foundation

/// An HDF5 file: groups, typed n-dimensional datasets, string datasets and attributes.
///
/// Files are readable by h5py and the HDF5 tools. Paths inside the file are absolute
/// (`"/atlas/labels"`). The serial HDF5 library is not thread-safe; HDF5Kit serialises all its
/// calls on one process-wide lock, so files may be used from several threads, one call at a time.
///
/// `@unchecked Sendable`: its only mutable state, the file identifier, is read and written under
/// the library lock, as is every HDF5 call it makes.
public final class HDF5File: @unchecked Sendable {
    /// How an existing file is opened.
    public enum Mode: Sendable { case readOnly, readWrite }

    /// The file on disk.
    public let path: String
    /// Whether groups and datasets created through this handle record their creation and
    /// modification times (HDF5's default). Without them, the same content gives the same bytes.
    public let tracksTimes: Bool
    private var id: hid_t?

    private init(path: String, id: hid_t, tracksTimes: Bool) {
        self.path = path
        self.id = id
        self.tracksTimes = tracksTimes
    }

    deinit { close() }

    /// Creates `path`, replacing any file there.
    ///
    /// - Parameter trackTimes: false leaves object times out of the file (the root group and every
    ///   group and dataset created through this handle), so that writing the same content twice
    ///   gives byte-identical files.
    public static func create(path: String, trackTimes: Bool = true) throws -> HDF5File {
        try withHDF5 {
            let access = try fileAccess(path)
            let creation = Handle(try check(H5Pcreate(H5P_CLS_FILE_CREATE_ID_g), path, "create file properties"), close: H5Pclose)
            // The file creation properties are also the root group's object creation properties.
            try check(H5Pset_obj_track_times(creation.id, trackTimes), path, "set object time tracking")
            let id = try check(H5Fcreate(path, AccessFlags.truncate, creation.id, access.id), path, "create file")
            closeOnExec(id)
            return HDF5File(path: path, id: id, tracksTimes: trackTimes)
        }
    }

    /// Opens an existing file.
    public static func open(path: String, mode: Mode = .readOnly) throws -> HDF5File {
        try withHDF5 {
            guard FileManager.default.fileExists(atPath: path) else {
                throw HDF5Error(path: path, operation: "open file", stack: ["no such file"])
            }
            let access = try fileAccess(path)
            let flags = mode == .readOnly ? AccessFlags.readOnly : AccessFlags.readWrite
            let id = try check(H5Fopen(path, flags, access.id), path, "open file")
            closeOnExec(id)
            return HDF5File(path: path, id: id, tracksTimes: true)
        }
    }

    /// HDF5 opens files without close-on-exec, so a process spawned while one is open (the
    /// embedded PostgreSQL server, say) inherits the descriptor and, with it, HDF5's lock on the
    /// file: opening the file again then fails until that process exits. Marks it close-on-exec
    /// (where the driver has a POSIX descriptor).
    private static func closeOnExec(_ file: hid_t) {
        var handle: UnsafeMutableRawPointer?
        guard H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) >= 0, let descriptor = handle?.load(as: Int32.self) else {
            H5Eclear2(defaultErrorStack)
            return
        }
        _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
    }

    /// File access properties: closing the file closes every object in it, so ``close()`` really
    /// releases the file and datasets of a closed file fail cleanly instead of keeping it open.
    private static func fileAccess(_ path: String) throws -> Handle {
        let access = Handle(try check(H5Pcreate(H5P_CLS_FILE_ACCESS_ID_g), path, "create file access properties"), close: H5Pclose)
        try check(H5Pset_fclose_degree(access.id, H5F_CLOSE_STRONG), path, "set file close degree")
        return access
    }

    /// Creates the group at `path` and any missing groups above it.
    public func createGroup(_ groupPath: String) throws {
        try withFile { file in
            try createParents(of: groupPath, in: file)
            try createOneGroup(groupPath, in: file)
        }
    }

    /// Creates the missing groups above `objectPath` here rather than through HDF5's intermediate
    /// group creation, which would give them the default properties (with times).
    func createParents(of objectPath: String, in file: hid_t) throws {
        var prefix = ""
        for component in objectPath.split(separator: "/").dropLast() {
            prefix += "/" + component
            let found = try check(H5Lexists(file, prefix, H5P_DEFAULT), path, "look up \(prefix)")
            if found == 0 { try createOneGroup(prefix, in: file) }
        }
    }

    private func createOneGroup(_ groupPath: String, in file: hid_t) throws {
        let creation = try objectCreation(H5P_CLS_GROUP_CREATE_ID_g, "create group \(groupPath)")
        let group = try check(H5Gcreate2(file, groupPath, H5P_DEFAULT, creation.id, H5P_DEFAULT), path, "create group \(groupPath)")
        H5Gclose(group)
    }

    /// Creation properties of class `propertyClass` (group or dataset) with this file's time tracking.
    func objectCreation(_ propertyClass: hid_t, _ operation: String) throws -> Handle {
        let creation = Handle(try check(H5Pcreate(propertyClass), path, operation), close: H5Pclose)
        try check(H5Pset_obj_track_times(creation.id, tracksTimes), path, operation)
        return creation
    }

    /// Creates a dataset of `shape` (missing groups above it too).
    ///
    /// - Parameters:
    ///   - chunks: chunk shape; needed for compression, so with `gzipLevel` and no chunks one is chosen
    ///     (whole rows of the last dimensions, about 1 MiB).
    ///   - gzipLevel: deflate level 1–9 (with byte shuffling, which helps numbers compress).
    public func createDataset<T: HDF5Scalar>(
        _ datasetPath: String, of type: T.Type, shape: [Int], chunks: [Int]? = nil, gzipLevel: Int? = nil
    ) throws -> HDF5Dataset {
        try withFile { file in
            try validate(shape: shape, chunks: chunks, gzipLevel: gzipLevel, for: datasetPath)
            let space = Handle(try check(H5Screate_simple(Int32(shape.count), shape.hsize, nil), path, "create dataspace"), close: H5Sclose)
            let creation = try datasetCreation(shape: shape, elementSize: MemoryLayout<T>.size, chunks: chunks, gzipLevel: gzipLevel)
            try createParents(of: datasetPath, in: file)
            let id = try check(
                H5Dcreate2(file, datasetPath, T.hdf5Kind.nativeType, space.id, H5P_DEFAULT, creation.id, H5P_DEFAULT),
                path, "create dataset \(datasetPath)")
            return HDF5Dataset(file: self, path: datasetPath, id: id, shape: shape)
        }
    }

    /// Creates a dataset and writes `data` (row-major, last index fastest) into it.
    public func write<T: HDF5Scalar>(
        _ datasetPath: String, _ data: [T], shape: [Int], chunks: [Int]? = nil, gzipLevel: Int? = nil
    ) throws {
        try createDataset(datasetPath, of: T.self, shape: shape, chunks: chunks, gzipLevel: gzipLevel).write(data)
    }

    /// Opens an existing dataset.
    public func dataset(_ datasetPath: String) throws -> HDF5Dataset {
        try withFile { file in
            let id = try check(H5Dopen2(file, datasetPath, H5P_DEFAULT), path, "open dataset \(datasetPath)")
            do {
                return HDF5Dataset(file: self, path: datasetPath, id: id, shape: try extent(of: id, datasetPath))
            } catch {
                H5Dclose(id)
                throw error
            }
        }
    }

    /// Whether a group or dataset exists at `objectPath`.
    public func exists(_ objectPath: String) -> Bool {
        (try? withFile { file in
            // H5Lexists fails, rather than answering false, when a parent is missing: walk down.
            var prefix = ""
            for component in objectPath.split(separator: "/") {
                prefix += "/" + component
                guard H5Lexists(file, prefix, H5P_DEFAULT) > 0 else { return false }
            }
            return true
        }) ?? false
    }

    /// Writes everything buffered to disk.
    public func flush() throws {
        _ = try withFile { file in
            try check(H5Fflush(file, H5F_SCOPE_GLOBAL), path, "flush")
        }
    }

    /// Closes the file and every dataset opened from it. Later calls on either throw.
    public func close() {
        withHDF5 {
            if let id { H5Fclose(id) }
            id = nil
        }
    }

    /// Whether the file is open.
    public var isOpen: Bool { withHDF5 { id != nil } }

    /// Runs `body` with the library lock and the open file's identifier.
    func withFile<Result>(_ body: (hid_t) throws -> Result) throws -> Result {
        try withHDF5 {
            guard let id else { throw HDF5Error(path: path, operation: "use the file", stack: ["it is closed"]) }
            return try body(id)
        }
    }

    private func validate(shape: [Int], chunks: [Int]?, gzipLevel: Int?, for datasetPath: String) throws {
        let fail = { (reason: String) in HDF5Error(path: self.path, operation: "create dataset \(datasetPath)", stack: [reason]) }
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }) else { throw fail("shape \(shape) must have sizes ≥ 0") }
        if let chunks {
            guard chunks.count == shape.count, chunks.allSatisfy({ $0 > 0 }) else {
                throw fail("chunks \(chunks) must be \(shape.count) sizes > 0")
            }
        }
        if let gzipLevel, !(1...9).contains(gzipLevel) { throw fail("gzip level \(gzipLevel) is not 1–9") }
    }

    private func datasetCreation(shape: [Int], elementSize: Int, chunks: [Int]?, gzipLevel: Int?) throws -> Handle {
        let creation = try objectCreation(H5P_CLS_DATASET_CREATE_ID_g, "create dataset properties")
        guard let chunkShape = chunks ?? gzipLevel.map({ _ in defaultChunks(shape: shape, elementSize: elementSize) }) else {
            return creation
        }
        try check(H5Pset_chunk(creation.id, Int32(chunkShape.count), chunkShape.hsize), path, "set chunks \(chunkShape)")
        if let gzipLevel {
            try check(H5Pset_shuffle(creation.id), path, "set shuffle filter")
            try check(H5Pset_deflate(creation.id, UInt32(gzipLevel)), path, "set gzip level \(gzipLevel)")
        }
        return creation
    }
}

/// About 1 MiB of whole trailing rows: compresses well and reads row ranges cheaply.
private func defaultChunks(shape: [Int], elementSize: Int) -> [Int] {
    var chunks = shape.map { max($0, 1) }
    var bytes = chunks.reduce(elementSize, *)
    var axis = 0
    while bytes > 1 << 20 && axis < chunks.count {
        let shrunk = max(1, chunks[axis] * (1 << 20) / bytes)
        bytes = bytes / chunks[axis] * shrunk
        chunks[axis] = shrunk
        axis += 1
    }
    return chunks
}

/// The current dimensions of a dataset.
func extent(of dataset: hid_t, _ path: String) throws -> [Int] {
    let space = Handle(try check(H5Dget_space(dataset), path, "get dataspace"), close: H5Sclose)
    let rank = Int(try check(H5Sget_simple_extent_ndims(space.id), path, "get rank"))
    var dims = [hsize_t](repeating: 0, count: rank)
    try check(H5Sget_simple_extent_dims(space.id, &dims, nil), path, "get dimensions")
    return dims.map { Int($0) }
}

/// The `H5F_ACC_*` flags: their macros call `H5open` inline, so Swift cannot import them.
enum AccessFlags {
    static let readOnly: UInt32 = 0x0000
    static let readWrite: UInt32 = 0x0001
    static let truncate: UInt32 = 0x0002
}

/// `H5P_DEFAULT`, a cast macro Swift does not import.
let H5P_DEFAULT: hid_t = 0
