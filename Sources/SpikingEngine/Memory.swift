// Large arrays on transparent huge pages: delivery writes to random neurons, and with 4 KiB pages
// most of those writes would also miss the TLB.
import Foundation

/// Allocates `count` uninitialised elements, 2 MiB-aligned and advised as huge pages when large.
func allocateLarge<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    let bytes = max(1, count) * MemoryLayout<T>.stride
    let hugePage = 2 << 20
    guard bytes >= hugePage else { return .allocate(capacity: max(1, count)) }
    var raw: UnsafeMutableRawPointer?
    precondition(posix_memalign(&raw, hugePage, bytes) == 0, "out of memory for \(bytes) bytes")
    _ = madvise(raw, bytes, MADV_HUGEPAGE)
    return raw!.bindMemory(to: T.self, capacity: count)
}

/// Frees memory from `allocateLarge` (both paths end in free()).
func deallocateLarge<T>(_ p: UnsafeMutablePointer<T>) {
    free(p)
}
