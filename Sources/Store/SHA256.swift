import Foundation
internal import CCrypto

/// SHA-256, the checksum of every file the database points to.
///
/// OpenSSL's libcrypto (already loaded by libpq) does the hashing, with the CPU's SHA extensions
/// where there are any: a 1 GB BOLD run hashes in about a second. Streaming, so any file is hashed
/// in constant memory.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("libcrypto cannot initialise SHA-256")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds more bytes.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update(raw: $0) }
    }

    private mutating func update(raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, raw.baseAddress, raw.count) == 1, "libcrypto SHA-256 update failed")
    }

    /// Finishes and returns the 64-character lowercase hex digest.
    public consuming func finalize() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1 && length == 32, "libcrypto SHA-256 final failed")
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Digest of an in-memory buffer.
    public static func hex(_ bytes: some ContiguousBytes) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Digest of a file, read in 4 MiB blocks.
    public static func hex(ofFile path: String) throws -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        var hasher = SHA256()
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
        defer { block.deallocate() }
        while true {
            let count = read(descriptor, block.baseAddress, block.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
            if count == 0 { break }
            hasher.update(raw: UnsafeRawBufferPointer(rebasing: block[0..<count]))
        }
        return hasher.finalize()
    }
}
