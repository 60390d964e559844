import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client on one keep-alive loopback connection: GET, read the status and a
/// `Content-Length` body. Enough for `dtb bench serve`, whose clients must cost the server, not
/// themselves, and need no TLS, redirects or chunked bodies (the API sends lengths).
final class LoopbackHTTPClient {
    private let descriptor: Int32
    /// Received bytes: those in `start..<end` are not read yet. Allocated once, so a request
    /// costs the client no allocation or zeroing of its own.
    private var buffer = [UInt8](repeating: 0, count: 65_536)
    private var start = 0, end = 0

    /// Connects to 127.0.0.1:`port`.
    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw BenchmarkError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// GETs `path`; the status code and the body's length.
    func get(_ path: String) throws -> (status: Int, bytes: Int) {
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw BenchmarkError("send: \(String(cString: strerror(errno)))") }
            sent += n
        }
        let head = try readHead()
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw BenchmarkError("a response without a status line")
        }
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
        }.first ?? 0
        try skip(length)
        return (status, length)
    }

    /// Reads up to the blank line after the headers and returns them, leaving the rest buffered.
    private func readHead() throws -> String {
        // Bytes after `start` already known not to begin the blank line (kept across reads, which may split it).
        var scanned = 0
        while true {
            var i = start + scanned
            while i + 4 <= end {
                if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    let head = String(decoding: buffer[start..<i], as: UTF8.self)
                    start = i + 4
                    return head
                }
                i += 1
            }
            scanned = i - start
            try receive()
        }
    }

    /// Consumes `count` body bytes, reading as needed (the body itself is not kept).
    private func skip(_ count: Int) throws {
        var left = count
        while true {
            let taken = min(left, end - start)
            start += taken
            left -= taken
            if left == 0 { return }
            try receive()
        }
    }

    /// Reads what the socket has into the buffer's free end, first moving the unread bytes to its start.
    private func receive() throws {
        if start > 0 {
            buffer.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: $0.baseAddress! + start, byteCount: end - start) }
            end -= start
            start = 0
        }
        if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + end, $0.count - end, 0) }
        guard n > 0 else { throw BenchmarkError(n == 0 ? "the server closed the connection" : "recv: \(String(cString: strerror(errno)))") }
        end += n
    }

    /// A TCP port free on loopback now (bound to port 0 and released).
    static func freePort() throws -> Int {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) == 0 && getsockname(probe, $0, &length) == 0 }
        }
        guard bound else { throw BenchmarkError("no free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
