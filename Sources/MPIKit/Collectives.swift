// The collectives dtb uses, over MPI_COMM_WORLD: barrier, broadcast, all-gather (equal and
// variable counts) and all-reduce. Every rank calls each one in the same order.
import CMPI

/// A reduction of all-reduce.
public enum MPIReduction: Sendable {
    case sum, max, min

    var op: MPI_Op {
        switch self {
        case .sum: dtb_mpi_sum()
        case .max: dtb_mpi_max()
        case .min: dtb_mpi_min()
        }
    }
}

extension MPIWorld {
    /// Waits until every rank got here.
    public func barrier() throws {
        try MPIError.check(MPI_Barrier(communicator), "MPI_Barrier")
    }

    /// Rank `root`'s bytes on every rank (the others' `bytes` are ignored): the length first, then
    /// the payload, so the receivers need not know it.
    public func broadcast(_ bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        var count = Int64(rank == root ? bytes.count : 0)
        try MPIError.check(MPI_Bcast(&count, 1, dtb_mpi_int64(), Int32(root), communicator), "MPI_Bcast")
        guard count > 0 else { return [] }
        var payload = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count))
        try payload.withUnsafeMutableBytes { buffer in
            try MPIError.check(MPI_Bcast(buffer.baseAddress, Int32(count), dtb_mpi_byte(), Int32(root), communicator), "MPI_Bcast")
        }
        return payload
    }

    /// Every rank's `values` (the same count on each), concatenated in rank order.
    public func allGather(_ values: [Int64]) throws -> [Int64] {
        var gathered = [Int64](repeating: 0, count: values.count * size)
        try values.withUnsafeBytes { send in
            try gathered.withUnsafeMutableBytes { receive in
                try MPIError.check(MPI_Allgather(send.baseAddress, Int32(values.count), dtb_mpi_int64(),
                                                 receive.baseAddress, Int32(values.count), dtb_mpi_int64(), communicator),
                                   "MPI_Allgather")
            }
        }
        return gathered
    }

    /// Every rank's bytes, concatenated in rank order into `receive`, given each rank's byte count
    /// (`counts`, in rank order; `receive` holds at least their sum). One MPI_Allgatherv.
    public func allGather(_ send: UnsafeRawBufferPointer, counts: [Int], into receive: UnsafeMutableRawPointer) throws {
        precondition(counts.count == size, "one count per rank")
        var offset = 0
        var displacements: [Int32] = []
        for count in counts {
            displacements.append(Int32(offset))
            offset += count
        }
        guard offset <= Int(Int32.max) else {
            throw MPIError(call: "MPI_Allgatherv", message: "\(offset) bytes exceed one all-gather's 2³¹ − 1")
        }
        let counts32 = counts.map { Int32($0) }
        try MPIError.check(MPI_Allgatherv(send.baseAddress, Int32(send.count), dtb_mpi_byte(), receive, counts32, displacements,
                                          dtb_mpi_byte(), communicator), "MPI_Allgatherv")
    }

    /// Every rank's bytes (any count on each), in rank order: the counts all-gathered first.
    public func allGather(bytes: [UInt8]) throws -> [[UInt8]] {
        let counts = try allGather([Int64(bytes.count)]).map { Int($0) }
        var all = [UInt8](repeating: 0, count: max(1, counts.reduce(0, +)))
        try bytes.withUnsafeBytes { send in
            try all.withUnsafeMutableBytes { try allGather(send, counts: counts, into: $0.baseAddress!) }
        }
        var offset = 0
        return counts.map { count in
            defer { offset += count }
            return Array(all[offset..<(offset + count)])
        }
    }

    /// `values` reduced element-wise over all ranks, on every rank.
    public func allReduce(_ values: [Double], _ reduction: MPIReduction) throws -> [Double] {
        var result = [Double](repeating: 0, count: values.count)
        try MPIError.check(MPI_Allreduce(values, &result, Int32(values.count), dtb_mpi_double(), reduction.op, communicator),
                           "MPI_Allreduce")
        return result
    }

    /// `values` reduced element-wise over all ranks, on every rank.
    public func allReduce(_ values: [Int64], _ reduction: MPIReduction) throws -> [Int64] {
        var result = [Int64](repeating: 0, count: values.count)
        try MPIError.check(MPI_Allreduce(values, &result, Int32(values.count), dtb_mpi_int64(), reduction.op, communicator),
                           "MPI_Allreduce")
        return result
    }
}
