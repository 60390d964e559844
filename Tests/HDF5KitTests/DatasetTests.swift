import DTBTestSupport
import Foundation
import HDF5Kit
import Testing

private func checkRoundTrip<T: HDF5Scalar & Equatable>(_ values: [T], in file: HDF5File) throws {
    let path = "/typed/\(T.self)"
    try file.write(path, values, shape: [2, values.count / 2])
    let dataset = try file.dataset(path)
    #expect(dataset.shape == [2, values.count / 2])
    #expect(try dataset.read(T.self) == values)
}

private func integers<T: FixedWidthInteger>(_ type: T.Type) -> [T] { [0, 1, 2, 42, T.min, T.max] }

@Suite("HDF5 datasets")
struct DatasetTests {
    @Test func everyScalarTypeRoundTrips() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("typed.h5"))
        try checkRoundTrip(integers(Int8.self), in: file)
        try checkRoundTrip(integers(UInt8.self), in: file)
        try checkRoundTrip(integers(Int16.self), in: file)
        try checkRoundTrip(integers(UInt16.self), in: file)
        try checkRoundTrip(integers(Int32.self), in: file)
        try checkRoundTrip(integers(UInt32.self), in: file)
        try checkRoundTrip(integers(Int64.self), in: file)
        try checkRoundTrip(integers(UInt64.self), in: file)
        try checkRoundTrip([0, 1.5, -2.25, .greatestFiniteMagnitude, .leastNormalMagnitude, .infinity] as [Float], in: file)
        try checkRoundTrip([0, 1.5, -2.25, .greatestFiniteMagnitude, .leastNormalMagnitude, .pi] as [Double], in: file)
    }

    @Test func readingConvertsTypes() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("convert.h5"))
        try file.write("/labels", [0, 7, 246] as [Int16], shape: [3])
        #expect(try file.dataset("/labels").read(Float.self) == [0, 7, 246])
    }

    @Test func chunkedGzipDatasetCompresses() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("gzip.h5")
        let values = (0..<100_000).map { Float($0 % 100) }
        let file = try HDF5File.create(path: path)
        try file.write("/ramp", values, shape: [1000, 100], chunks: [100, 100], gzipLevel: 4)
        file.close()

        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < values.count * 4 / 10)
        #expect(try HDF5File.open(path: path).dataset("/ramp").read(Float.self) == values)
    }

    @Test func gzipWithoutChunksChoosesThem() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("auto.h5"))
        let values = (0..<(600 * 1000)).map { Double($0 % 7) }
        try file.write("/big", values, shape: [600, 1000], gzipLevel: 6)
        #expect(try file.dataset("/big").read(Double.self) == values)
    }

    @Test func hyperslabRowsStreamInAndBlocksReadOut() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("rows.h5"))
        let dataset = try file.createDataset("/spikes", of: Int32.self, shape: [10, 5], chunks: [4, 5], gzipLevel: 1)
        for row in 0..<10 {
            try dataset.write((0..<5).map { Int32(row * 10 + $0) }, start: [row, 0], count: [1, 5])
        }
        let all = try dataset.read(Int32.self)
        #expect(all == (0..<10).flatMap { row in (0..<5).map { Int32(row * 10 + $0) } })
        #expect(try dataset.read(Int32.self, start: [2, 1], count: [3, 2]) == [21, 22, 31, 32, 41, 42])
    }

    @Test func hyperslabOutsideTheShapeIsRefused() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("bounds.h5")
        let dataset = try HDF5File.create(path: path).createDataset("/d", of: Float.self, shape: [4, 4])
        let error = hdf5Error { _ = try dataset.read(Float.self, start: [3, 0], count: [2, 4]) }
        #expect(error?.description == "\(path): cannot read /d[3:5, 0:4]: block outside the dataset's shape [4, 4]")
    }

    /// A block of no rows (a process whose share of a file is empty) reads nothing, at the end of
    /// the shape too; outside the shape it is refused like any block.
    @Test func emptyHyperslabReadsNothing() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("empty.h5")
        let file = try HDF5File.create(path: path)
        try file.write("/d", (0..<12).map(Double.init), shape: [6, 2])
        let dataset = try file.dataset("/d")
        #expect(try dataset.read(Double.self, start: [2, 0], count: [0, 2]).isEmpty)
        #expect(try dataset.read(Double.self, start: [6, 0], count: [0, 2]).isEmpty)
        #expect(try dataset.read(Double.self, start: [4, 0], count: [2, 2]) == [8, 9, 10, 11])
        let error = hdf5Error { _ = try dataset.read(Double.self, start: [7, 0], count: [0, 2]) }
        #expect(error?.description == "\(path): cannot read /d[7:7, 0:2]: block outside the dataset's shape [6, 2]")
    }

    @Test func wrongElementCountIsRefused() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("count.h5")
        let file = try HDF5File.create(path: path)
        let error = hdf5Error { try file.write("/d", [1, 2, 3] as [Double], shape: [2, 2]) }
        #expect(error?.description == "\(path): cannot write /d: 3 elements given, 4 needed")
    }

    @Test func missingDatasetNamesFileAndPath() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("missing.h5")
        let file = try HDF5File.create(path: path)
        let error = hdf5Error { _ = try file.dataset("/no/such/dataset") }
        #expect(error?.path == path)
        #expect(error?.operation == "open dataset /no/such/dataset")
        #expect(error?.stack.isEmpty == false)
        #expect(error?.description.hasPrefix("\(path): cannot open dataset /no/such/dataset: ") == true)
    }

    @Test func groupsAndExistence() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("groups.h5"))
        try file.createGroup("/atlas/brainnetome246/regions")
        try file.write("/atlas/brainnetome246/labels", [1, 2] as [UInt8], shape: [2])
        #expect(file.exists("/atlas"))
        #expect(file.exists("/atlas/brainnetome246/regions"))
        #expect(file.exists("/atlas/brainnetome246/labels"))
        #expect(file.exists("/"))
        #expect(!file.exists("/atlas/other"))
        #expect(!file.exists("/nothing/below/here"))
    }

    @Test func reopenReadOnly() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("reopen.h5")
        let file = try HDF5File.create(path: path)
        try file.write("/v", [1.5, 2.5] as [Double], shape: [2])
        try file.flush()
        file.close()

        let reopened = try HDF5File.open(path: path)
        #expect(try reopened.dataset("/v").read(Double.self) == [1.5, 2.5])
        #expect(hdf5Error { try reopened.write("/w", [1] as [Double], shape: [1]) }?.path == path)
        #expect(hdf5Error { try reopened.dataset("/v").write([3, 4] as [Double]) } != nil)
        // HDF5 refuses to open a file read-write while this process has it open read-only.
        reopened.close()

        let writable = try HDF5File.open(path: path, mode: .readWrite)
        try writable.dataset("/v").write([3, 4] as [Double])
        #expect(try writable.dataset("/v").read(Double.self) == [3, 4])
    }

    @Test func missingAndNonHDF5Files() throws {
        let scratch = try ScratchDirectory()
        let missing = scratch.path("absent.h5")
        #expect(hdf5Error { _ = try HDF5File.open(path: missing) }?.description == "\(missing): cannot open file: no such file")

        let garbage = scratch.path("garbage.h5")
        try Data("not hdf5 at all".utf8).write(to: URL(fileURLWithPath: garbage))
        let error = hdf5Error { _ = try HDF5File.open(path: garbage) }
        #expect(error?.path == garbage && error?.stack.isEmpty == false)
    }

    /// HDF5 built thread-safe keeps its "print error stacks" switch per thread: an error on a thread
    /// other than the one that first opened the library must still stay off stderr.
    @Test func errorStacksStayOffStderrOnEveryThread() throws {
        let scratch = try ScratchDirectory()
        let garbage = scratch.path("garbage.h5")
        try Data("not hdf5 at all".utf8).write(to: URL(fileURLWithPath: garbage))
        _ = try HDF5File.create(path: scratch.path("first.h5"))  // the library opened on this thread
        let captured = scratch.path("stderr.txt")
        let output = open(captured, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let saved = dup(STDERR_FILENO)
        dup2(output, STDERR_FILENO)
        let thrown = thrownOnThread { _ = try HDF5File.open(path: garbage) }
        dup2(saved, STDERR_FILENO)
        close(saved)
        close(output)
        #expect(thrown is HDF5Error)
        #expect(!(try String(contentsOfFile: captured, encoding: .utf8)).contains("HDF5-DIAG"))
    }

    @Test func closedFileRefusesWork() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("closed.h5")
        let file = try HDF5File.create(path: path)
        let dataset = try file.createDataset("/d", of: Float.self, shape: [2])
        file.close()
        #expect(!file.isOpen)
        #expect(hdf5Error { _ = try file.dataset("/d") }?.description == "\(path): cannot use the file: it is closed")
        #expect(hdf5Error { try dataset.write([1, 2] as [Float]) } != nil)
    }

    @Test func concurrentUseIsSerialised() throws {
        let scratch = try ScratchDirectory()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                let file = try HDF5File.create(path: scratch.path("thread-\(index).h5"))
                let values = (0..<10_000).map { Double($0 + index) }
                try file.write("/values", values, shape: [100, 100], chunks: [10, 100], gzipLevel: 1)
                #expect(try file.dataset("/values").read(Double.self) == values)
            } catch {
                Issue.record("thread \(index): \(error)")
            }
        }
    }
}

@Suite("HDF5 reproducible files")
struct ReproducibleFileTests {
    /// Writes groups, a chunked compressed dataset filled in slices (narrow memory type, wide file
    /// type), strings and attributes; returns the file's bytes.
    private func writeSample(_ path: String, trackTimes: Bool) throws -> Data {
        let file = try HDF5File.create(path: path, trackTimes: trackTimes)
        try file.createGroup("/a/b")
        let values = (0..<1000).map { UInt32($0 * 7) }
        let dataset = try file.createDataset("/a/c/wide", of: UInt64.self, shape: [1000], chunks: [256], gzipLevel: 4)
        for start in stride(from: 0, to: 1000, by: 300) {
            let end = min(start + 300, 1000)
            try dataset.write(values[start..<end], start: [start], count: [end - start])
        }
        try file.writeStrings("/a/names", ["x", "yy"])
        try file.setAttribute("magic", UInt32(0x0A7A))
        try file.setAttribute("version", [UInt32(0), 1])
        #expect(try dataset.read(UInt32.self) == values)
        #expect(try dataset.elementKind == .uint64)
        #expect(try file.dataset("/a/names").elementKind == nil)
        #expect(try file.attributeKind("magic") == .uint32)
        #expect(try file.intArrayAttribute("version") == [0, 1])
        file.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Without object times the same content gives the same bytes, a second later too.
    @Test func sameContentSameBytesWithoutTimes() throws {
        let scratch = try ScratchDirectory()
        let first = try writeSample(scratch.path("one.h5"), trackTimes: false)
        Thread.sleep(forTimeInterval: 1.1)
        let second = try writeSample(scratch.path("two.h5"), trackTimes: false)
        #expect(first == second)
        let timed = try writeSample(scratch.path("timed.h5"), trackTimes: true)
        Thread.sleep(forTimeInterval: 1.1)
        let timedAgain = try writeSample(scratch.path("timed-again.h5"), trackTimes: true)
        #expect(timed != timedAgain, "HDF5 records times by default")
    }
}

@Suite("HDF5 files and other processes")
struct OtherProcessTests {
    @Test(.requires(.h5dump))
    func h5dumpReadsOurFiles() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("dump.h5")
        let file = try HDF5File.create(path: path)
        try file.write("/grid", [1, 2, 3, 4, 5, 6] as [Int32], shape: [2, 3], chunks: [1, 3], gzipLevel: 5)
        try file.writeStrings("/names", ["left", "right"])
        try file.setAttribute("atlas", "brainnetome246")
        file.close()

        let dump = try ChildProcess.run(executable: #require(Prerequisites.h5dump), arguments: [path])
        #expect(dump.status == 0, "\(dump.stderr)")
        let text = dump.stdout
        #expect(text.contains("(0,0): 1, 2, 3,"))
        #expect(text.contains("\"left\", \"right\""))
        #expect(text.contains("\"brainnetome246\""))
    }

    /// A process spawned while a file is open must not inherit it (and HDF5's lock with it): every
    /// descriptor of an open file is close-on-exec. Checked on the descriptors themselves, not with
    /// a child process, which would also inherit whatever other tests are opening at that moment.
    @Test func openFilesAreCloseOnExec() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("locked.h5")
        let created = try HDF5File.create(path: path)
        try created.write("/x", [1, 2, 3] as [Int32], shape: [3])
        #expect(try descriptorFlags(of: path).allSatisfy { $0 & FD_CLOEXEC != 0 })
        #expect(try !descriptorFlags(of: path).isEmpty)
        created.close()
        let opened = try HDF5File.open(path: path)
        #expect(try descriptorFlags(of: path).allSatisfy { $0 & FD_CLOEXEC != 0 })
        #expect(try opened.dataset("/x").read(Int32.self) == [1, 2, 3])
    }

    /// `fcntl(F_GETFD)` of each of this process's descriptors open on `path`.
    private func descriptorFlags(of path: String) throws -> [Int32] {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { name in
            guard let fd = Int32(name),
                  (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")) == target else { return nil }
            return fcntl(fd, F_GETFD)
        }
    }
}
