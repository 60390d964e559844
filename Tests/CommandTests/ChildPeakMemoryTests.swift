import Benchmarks
import Foundation
import Testing

/// The benchmarks' timed children report their own peak memory, not their parent's: a child
/// started by posix_spawn shares the parent's memory until its exec, and the kernel's
/// `RUSAGE_CHILDREN` then counts the parent's peak as the child's.
@Suite struct ChildPeakMemoryTests {
    /// Makes this process's peak resident set at least `megabytes` (touched, not only reserved).
    static func grow(by megabytes: Int) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: megabytes << 20, alignment: 4096)
        buffer.initializeMemory(as: UInt8.self, repeating: 1)
        return buffer
    }

    @Test func aSmallChildOfALargeParentReadsSmall() throws {
        let ballast = Self.grow(by: 400)
        defer { ballast.deallocate() }
        let result = try ChildProcess(URL(fileURLWithPath: "/bin/sleep"), ["0.3"]).run()
        let peak = try #require(result.peakResidentMegabytes)
        #expect(peak < 50, "sleep's own peak read as \(peak) MB beside a 400 MB parent")
    }

    @Test func aChildThatGrowsReadsItsGrowth() throws {
        // bash holds the 60 MB string it substitutes, then waits long enough to be read.
        let script = "x=$(head -c 60000000 /dev/zero | tr '\\0' a); sleep 0.3; echo ${#x}"
        let result = try ChildProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script]).run()
        #expect(String(decoding: result.output, as: UTF8.self) == "60000000\n")
        let peak = try #require(result.peakResidentMegabytes)
        #expect(peak >= 57, "bash holding 60 MB read as \(peak) MB")
    }
}
