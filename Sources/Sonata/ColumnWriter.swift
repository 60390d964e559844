import HDF5Kit

/// Writes per-node and per-edge datasets a slice at a time, chunked and compressed, so that a
/// 100M-synapse twin goes out without any array of its size beyond those it already holds.
struct ColumnWriter {
    let file: HDF5File
    let gzipLevel: Int?

    /// Elements per chunk (1–2 MiB for 4- and 8-byte types).
    static let chunk = 1 << 18
    /// Rows per write: whole chunks, so each chunk is compressed once.
    static let slice = 16 * chunk

    /// Creates the dataset `path` of `rows` × `columns` (1-D for one column) elements stored as
    /// `stored`, and writes it from `values(rows)`, which gives the row-major elements of those rows
    /// (any HDF5 number type: HDF5 converts it). Rows are asked for in ascending order.
    @discardableResult
    func write<Stored: HDF5Scalar, Element: HDF5Scalar>(
        _ path: String, as stored: Stored.Type, rows: Int, columns: Int = 1, _ values: (Range<Int>) -> ArraySlice<Element>
    ) throws -> HDF5Dataset {
        let dataset = try create(path, as: stored, rows: rows, columns: columns)
        for start in stride(from: 0, to: rows, by: Self.slice / columns) {
            let range = start..<min(start + Self.slice / columns, rows)
            if columns == 1 && gzipLevel != nil {
                // Whole chunks, compressed on every core (HDF5's own filters use one).
                try dataset.writeFilteredChunks(values(range), start: start)
            } else {
                let shape = columns == 1 ? [range.count] : [range.count, columns]
                try dataset.write(values(range), start: columns == 1 ? [start] : [start, 0], count: shape)
            }
        }
        return dataset
    }

    private func create<Stored: HDF5Scalar>(_ path: String, as stored: Stored.Type, rows: Int, columns: Int) throws -> HDF5Dataset {
        let shape = columns == 1 ? [rows] : [rows, columns]
        // HDF5 cannot chunk a fixed-size empty dataset, and uncompressed data needs no chunks.
        guard rows > 0, let gzipLevel else { return try file.createDataset(path, of: stored, shape: shape) }
        let chunkRows = min(rows, Self.chunk / columns)
        return try file.createDataset(path, of: stored, shape: shape, chunks: columns == 1 ? [chunkRows] : [chunkRows, columns],
                                      gzipLevel: gzipLevel)
    }
}

/// The population of each neuron for neurons asked in ascending order: the twin's populations
/// cover 0..<N contiguously, so one forward walk serves a whole column.
struct PopulationWalk {
    let starts: [Int]
    private var current = 0

    init(firstNeurons: [Int]) { starts = firstNeurons }

    mutating func index(of neuron: Int) -> Int {
        while current + 1 < starts.count && starts[current + 1] <= neuron { current += 1 }
        return current
    }
}
