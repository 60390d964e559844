import Foundation
import Hummingbird
import Store

/// Responses in dtb's one JSON style (``Store/JSONStyle``: snake_case keys, sorted, ISO 8601 times).
enum JSONResponse {
    /// `value` as an `application/json` document with `status`.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        try make(bytes: JSONStyle.documentEncoder().encode(value), status: status, headers: headers)
    }

    /// Encoded JSON bytes as a response.
    static func make(bytes: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An immutable resource with a strong ETag (SHA-256 of its document): 304 without a body when
    /// the request's `If-None-Match` already names it.
    static func immutable(_ value: some Encodable, request: Request) throws -> Response {
        let bytes = try JSONStyle.documentEncoder().encode(value)
        let tag = "\"\(SHA256.hex(bytes).prefix(32))\""
        let headers: HTTPFields = [.eTag: tag, .cacheControl: "max-age=3600"]
        if let match = request.headers[.ifNoneMatch], Self.matches(match, tag) {
            return Response(status: .notModified, headers: headers)
        }
        return make(bytes: bytes, headers: headers)
    }

    /// True when an `If-None-Match` value (a list of tags, or `*`) names `tag`; weak tags compare by value.
    static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains {
            $0 == "*" || $0 == tag || $0 == "W/" + tag
        }
    }
}
