/// A set of integers for drawing without repetition: insert answers whether a key is new, and
/// ``reset()`` empties the set in constant time, so one set serves millions of short draws
/// (a neuron's presynaptic partners) without reallocating.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full; a slot
/// belongs to the current draw when its stamp equals the generation, so a reset only bumps the
/// generation (the stamps are cleared only when the 32-bit generation wraps).
public struct DistinctSet: Sendable {
    private var keys = [Int](repeating: 0, count: 1024)
    private var stamps = [UInt32](repeating: 0, count: 1024)
    private var generation: UInt32 = 1
    private var count = 0

    /// An empty set.
    public init() {}

    /// Empties the set.
    public mutating func reset() {
        generation &+= 1
        count = 0
        if generation == 0 { stamps = stamps.map { _ in 0 }; generation = 1 }
    }

    /// Inserts `key`; false when it was already there.
    public mutating func insert(_ key: Int) -> Bool {
        if 2 * (count + 1) > keys.count { grow() }
        let mask = keys.count - 1
        // Fibonacci hashing: the multiply spreads consecutive neuron indices over the table.
        var h = Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: key) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while stamps[h] == generation {
            if keys[h] == key { return false }
            h = (h + 1) & mask
        }
        stamps[h] = generation
        keys[h] = key
        count += 1
        return true
    }

    /// Doubles the table and re-inserts the current keys.
    private mutating func grow() {
        let old = zip(keys, stamps).filter { $0.1 == generation }.map(\.0)
        keys = [Int](repeating: 0, count: keys.count * 2)
        stamps = [UInt32](repeating: 0, count: keys.count)
        generation = 1
        count = 0
        for k in old { _ = insert(k) }
    }
}
