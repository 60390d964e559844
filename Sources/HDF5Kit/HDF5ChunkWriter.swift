@preconcurrency internal import CHDF5
import Dispatch

extension HDF5Dataset {
    /// Writes `data` from element `start` of a one-dimensional chunked dataset whose filters are
    /// shuffle then deflate, compressing its chunks on all cores and handing them to HDF5 already
    /// filtered (`H5Dwrite_chunk`): HDF5's own filter pipeline compresses on one thread and is most
    /// of the time of writing a large compressed column. The file reads as if HDF5 had filtered it.
    ///
    /// `start` must be a chunk boundary and `data` whole chunks, except that the last chunk of the
    /// dataset may be short (it is padded with the fill value 0, as HDF5 pads it). HDF5 converts
    /// `T` to the dataset's element type first.
    public func writeFilteredChunks<T: HDF5Scalar>(_ data: ArraySlice<T>, start: Int) throws {
        try file.withFile { _ in
            let operation = "write \(path)[\(start):\(start + data.count)] in compressed chunks"
            let layout = try chunkLayout(operation)
            guard shape.count == 1, start % layout.chunk == 0, start + data.count <= shape[0],
                  data.count % layout.chunk == 0 || start + data.count == shape[0] else {
                throw HDF5Error(path: file.path, operation: operation, stack: ["not whole chunks of a 1-D dataset \(shape), chunk \(layout.chunk)"])
            }
            guard !data.isEmpty else { return }
            let raw = try converted(data, to: layout.type, operation)
            let chunks = (data.count + layout.chunk - 1) / layout.chunk
            let compressed = Self.compress(raw, chunks: chunks, chunkBytes: layout.chunk * layout.elementSize,
                                           elementSize: layout.elementSize, level: layout.level)
            for (k, bytes) in compressed.enumerated() {
                var offset = [hsize_t(start + k * layout.chunk)]
                try bytes.withUnsafeBytes { buffer in
                    _ = try check(H5Dwrite_chunk(id, H5P_DEFAULT, 0, &offset, buffer.count, buffer.baseAddress), file.path, operation)
                }
            }
        }
    }

    /// Chunk length, stored element type and size, and deflate level; only shuffle + deflate qualify.
    private func chunkLayout(_ operation: String) throws -> (chunk: Int, type: Handle, elementSize: Int, level: Int32) {
        let plist = Handle(try check(H5Dget_create_plist(id), file.path, operation), close: H5Pclose)
        var dims = [hsize_t](repeating: 0, count: 1)
        let rank = H5Pget_chunk(plist.id, 1, &dims)
        var filters: [H5Z_filter_t] = [], level: Int32 = -1
        for index in 0..<max(0, H5Pget_nfilters(plist.id)) {
            var flags: UInt32 = 0, count = 1, values = [UInt32](repeating: 0, count: 1), config: UInt32 = 0
            var name = [CChar](repeating: 0, count: 32)
            let filter = H5Pget_filter2(plist.id, UInt32(index), &flags, &count, &values, 32, &name, &config)
            filters.append(filter)
            if filter == H5Z_FILTER_DEFLATE { level = Int32(values[0]) }
        }
        guard rank == 1, filters == [H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE] else {
            throw HDF5Error(path: file.path, operation: operation, stack: ["the dataset is not chunked with shuffle then deflate"])
        }
        let type = Handle(try check(H5Dget_type(id), file.path, operation), close: H5Tclose)
        let native = Handle(try check(H5Tget_native_type(type.id, H5T_DIR_ASCEND), file.path, operation), close: H5Tclose)
        return (Int(dims[0]), native, H5Tget_size(native.id), level)
    }

    /// `data` as the bytes of `type`, converted by HDF5.
    private func converted<T: HDF5Scalar>(_ data: ArraySlice<T>, to type: Handle, _ operation: String) throws -> [UInt8] {
        let size = H5Tget_size(type.id)
        var bytes = [UInt8](repeating: 0, count: data.count * max(size, MemoryLayout<T>.stride))
        bytes.withUnsafeMutableBytes { target in
            data.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        if H5Tequal(T.hdf5Kind.nativeType, type.id) <= 0 {
            try bytes.withUnsafeMutableBytes { buffer in
                _ = try check(H5Tconvert(T.hdf5Kind.nativeType, type.id, data.count, buffer.baseAddress, nil, H5P_DEFAULT),
                              file.path, operation)
            }
        }
        return Array(bytes.prefix(data.count * size))
    }

    /// Each chunk (zero-padded to full size) byte-shuffled and deflated as HDF5's filters do, in parallel.
    private static func compress(_ raw: [UInt8], chunks: Int, chunkBytes: Int, elementSize: Int, level: Int32) -> [[UInt8]] {
        nonisolated(unsafe) var out = [[UInt8]](repeating: [], count: chunks)
        out.withUnsafeMutableBufferPointer { results in
            nonisolated(unsafe) let results = results
            raw.withUnsafeBytes { source in
                nonisolated(unsafe) let source = source
                DispatchQueue.concurrentPerform(iterations: chunks) { k in
                    var chunk = [UInt8](repeating: 0, count: chunkBytes)
                    let from = k * chunkBytes, length = min(chunkBytes, source.count - from)
                    chunk.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[from..<(from + length)])) }
                    results[k] = deflate(shuffle(chunk, elementSize: elementSize), level: level)
                }
            }
        }
        return out
    }

    /// HDF5's shuffle filter: byte j of every element together, for j = 0 ..< element size.
    private static func shuffle(_ chunk: [UInt8], elementSize: Int) -> [UInt8] {
        let elements = chunk.count / elementSize
        guard elementSize > 1, elements > 1 else { return chunk }
        var out = [UInt8](repeating: 0, count: chunk.count)
        chunk.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                for j in 0..<elementSize {
                    let row = j * elements
                    for i in 0..<elements { output[row + i] = input[i * elementSize + j] }
                }
            }
        }
        return out
    }

    /// A zlib stream of `bytes`, as HDF5's deflate filter writes it (`compress2`).
    private static func deflate(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &length, source.baseAddress, uLong(bytes.count), level)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed (\(status)) with a buffer of compressBound size")
        return Array(out.prefix(Int(length)))
    }
}
