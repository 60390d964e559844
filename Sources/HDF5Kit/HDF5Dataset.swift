// The library's globals (type and property-class ids) are written only by H5open, under our lock.
@preconcurrency internal import CHDF5

/// A numeric dataset of an ``HDF5File``: whole or hyperslab reads and writes, row-major
/// (last index fastest), as h5py and NumPy lay arrays out.
///
/// `@unchecked Sendable`: it holds only constants, and every HDF5 call it makes holds the library lock.
public final class HDF5Dataset: @unchecked Sendable {
    /// The file the dataset is in.
    public let file: HDF5File
    /// The dataset's path in the file.
    public let path: String
    /// Size per dimension.
    public let shape: [Int]
    let id: hid_t

    init(file: HDF5File, path: String, id: hid_t, shape: [Int]) {
        self.file = file
        self.path = path
        self.id = id
        self.shape = shape
    }

    deinit {
        // A closed file has closed its datasets already (strong close degree).
        _ = try? file.withFile { _ in H5Dclose(id) }
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Writes the whole dataset from `data` (`count` elements).
    public func write<T: HDF5Scalar>(_ data: [T]) throws {
        try file.withFile { _ in
            try requireCount(data.count, count, "write \(path)")
            guard count > 0 else { return }
            _ = try data.withUnsafeBytes { buffer in
                try check(H5Dwrite(id, T.hdf5Kind.nativeType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.baseAddress),
                          file.path, "write \(path)")
            }
        }
    }

    /// Writes the block of size `count` starting at `start` (e.g. rows as they stream in).
    public func write<T: HDF5Scalar>(_ data: [T], start: [Int], count: [Int]) throws {
        try write(data[...], start: start, count: count)
    }

    /// Writes the block of size `count` starting at `start` from part of a larger array, without
    /// copying it: a large array goes out in slices, each converted by HDF5 to the dataset's type.
    public func write<T: HDF5Scalar>(_ data: ArraySlice<T>, start: [Int], count: [Int]) throws {
        try file.withFile { _ in
            let operation = "write \(path)[\(describe(start, count))]"
            try requireCount(data.count, count.reduce(1, *), operation)
            guard !data.isEmpty else { return }
            let (memory, selection) = try hyperslab(start: start, count: count, operation)
            _ = try data.withUnsafeBytes { buffer in
                try check(H5Dwrite(id, T.hdf5Kind.nativeType, memory.id, selection.id, H5P_DEFAULT, buffer.baseAddress),
                          file.path, operation)
            }
        }
    }

    /// The stored element type; nil when it is not one of ``HDF5ScalarKind`` (e.g. strings).
    public var elementKind: HDF5ScalarKind? {
        get throws {
            try file.withFile { _ in
                let type = Handle(try check(H5Dget_type(id), file.path, "get type of \(path)"), close: H5Tclose)
                return scalarKind(of: type.id)
            }
        }
    }

    /// Reads the whole dataset, converted by HDF5 to `T`.
    public func read<T: HDF5Scalar>(_ type: T.Type) throws -> [T] {
        try file.withFile { _ in
            try readElements(count: count, "read \(path)") { buffer in
                H5Dread(id, T.hdf5Kind.nativeType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer)
            }
        }
    }

    /// Reads the block of size `count` starting at `start`, converted by HDF5 to `T` (a hyperslab
    /// read: only the block is read, which is how a process reads its share of a large file).
    /// A block of no elements reads nothing and gives no elements, wherever it lies in the shape.
    public func read<T: HDF5Scalar>(_ type: T.Type, start: [Int], count: [Int]) throws -> [T] {
        try file.withFile { _ in
            let operation = "read \(path)[\(describe(start, count))]"
            // HDF5 refuses to select an empty hyperslab; there is nothing to read anyway.
            guard count.reduce(1, *) > 0 else {
                try checkBlock(start: start, count: count, operation)
                return []
            }
            let (memory, selection) = try hyperslab(start: start, count: count, operation)
            return try readElements(count: count.reduce(1, *), operation) { buffer in
                H5Dread(id, T.hdf5Kind.nativeType, memory.id, selection.id, H5P_DEFAULT, buffer)
            }
        }
    }

    private func readElements<T>(count: Int, _ operation: String, _ read: (UnsafeMutableRawPointer?) -> herr_t) throws -> [T] {
        guard count > 0 else { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try check(read(UnsafeMutableRawPointer(buffer.baseAddress)), file.path, operation)
            initialized = count
        }
    }

    /// The memory space of `count` elements and the file space with the block selected.
    private func hyperslab(start: [Int], count: [Int], _ operation: String) throws -> (memory: Handle, selection: Handle) {
        try checkBlock(start: start, count: count, operation)
        let selection = Handle(try check(H5Dget_space(id), file.path, operation), close: H5Sclose)
        try check(H5Sselect_hyperslab(selection.id, H5S_SELECT_SET, start.hsize, nil, count.hsize, nil), file.path, operation)
        let memory = Handle(try check(H5Screate_simple(Int32(count.count), count.hsize, nil), file.path, operation), close: H5Sclose)
        return (memory, selection)
    }

    /// The block lies inside the dataset's shape.
    private func checkBlock(start: [Int], count: [Int], _ operation: String) throws {
        let fits = start.count == shape.count && count.count == shape.count
            && zip(zip(start, count), shape).allSatisfy { block, size in block.0 >= 0 && block.1 >= 0 && block.0 + block.1 <= size }
        guard fits else {
            throw HDF5Error(path: file.path, operation: operation, stack: ["block outside the dataset's shape \(shape)"])
        }
    }

    private func requireCount(_ given: Int, _ needed: Int, _ operation: String) throws {
        guard given == needed else {
            throw HDF5Error(path: file.path, operation: operation, stack: ["\(given) elements given, \(needed) needed"])
        }
    }
}

/// `start` and `count` as `a:b, c:d` slices, for messages.
private func describe(_ start: [Int], _ count: [Int]) -> String {
    zip(start, count).map { "\($0):\($0 + $1)" }.joined(separator: ", ")
}

/// `H5S_ALL`, a cast macro Swift does not import.
let H5S_ALL: hid_t = 0
