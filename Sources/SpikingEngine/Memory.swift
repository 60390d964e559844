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

/// Allocates `count` zeroed elements as untouched anonymous memory (advised as huge pages): a
/// page becomes resident only when first touched, so the parts of a whole-network state array
/// that one process of several never touches (the other processes' neurons) cost it nothing,
/// while a lone process touches and pays for all of it, as with zeroed ``allocateLarge(_:count:)``.
func allocateZeroed<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    let bytes = max(1, count) * MemoryLayout<T>.stride
    let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    precondition(raw != UnsafeMutableRawPointer(bitPattern: -1), "out of memory for \(bytes) bytes")
    _ = madvise(raw, bytes, MADV_HUGEPAGE)
    return raw!.bindMemory(to: T.self, capacity: max(1, count))
}

/// Frees memory from `allocateZeroed` (`count` as allocated).
func deallocateZeroed<T>(_ p: UnsafeMutablePointer<T>, count: Int) {
    munmap(p, max(1, count) * MemoryLayout<T>.stride)
}
