/// The 64-bit FNV-1a hash: a fast, stable, non-cryptographic fingerprint.
///
/// Stable means the same in every process and on every machine (Swift's `hashValue` is seeded
/// per process), so it can name things another process must find again: advisory-lock keys,
/// cache keys, digests that tests compare.
public struct FNV1a64: Sendable, Equatable {
    /// The hash of everything added so far (the offset basis before anything is added).
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    /// FNV's 64-bit prime.
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// A hasher at the offset basis.
    public init() {}

    /// The hash of `bytes` (e.g. a string's `utf8`).
    public init(_ bytes: some Sequence<UInt8>) { add(bytes) }

    /// Adds one byte: the standard FNV-1a step.
    public mutating func add(_ byte: UInt8) { value = (value ^ UInt64(byte)) &* Self.prime }

    /// Adds bytes in order.
    public mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { add(byte) }
    }

    /// Adds a whole 64-bit word in one step: the word-wise variant for fingerprints of large
    /// integer arrays, where a byte loop would cost eight times as much (not interchangeable with
    /// adding the word's bytes).
    public mutating func add(word: UInt64) { value = (value ^ word) &* Self.prime }
}
