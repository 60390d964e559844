import Foundation
import Hummingbird
import Store

/// One page of a list: `{"items": [...], "next_cursor"?}`; `next_cursor` is left out on the last page.
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var nextCursor: String?
}

/// How a list resource sorts: by which keys, each a comparison.
struct SortOrder<Item> {
    /// The keys a client may name in `sort` (`sort=created_at`, or `sort=-created_at` for descending).
    var keys: [String: (Item, Item) -> Bool]
    /// The order without `sort`: stable and unique, so pages never overlap.
    var standard: String
}

/// Cursor pagination over a filtered, sorted list: `limit` (1…500, default 50), `cursor` (the
/// `next_cursor` of the page before) and `sort`.
///
/// The cursor is opaque to clients: base64url of the position after the page and a digest of the
/// query's filters and sort, so a cursor used with another query is refused (400) instead of
/// skipping or repeating items. The lists are append-only (versions, validations, jobs, subjects)
/// and sort ties fall back to the list's standard order, so a position stays valid.
struct Listing {
    static let defaultLimit = 50, maximumLimit = 500
    let request: Request

    /// The page of `items` (already filtered) the request asks for.
    func page<Item: Encodable & Sendable>(_ items: [Item], sort order: SortOrder<Item>) throws -> Page<Item> {
        let query = QueryParameters(request: request)
        let limit = try query.int("limit", in: 1...Self.maximumLimit) ?? Self.defaultLimit
        let sorted = try sort(items, order)
        let signature = self.signature()
        let start = try query.string("cursor").map { try Self.position(of: $0, signature: signature) } ?? 0
        guard start <= sorted.count else { throw Problem(.badRequest, "cursor: points past the end of this list") }
        let end = min(sorted.count, start + limit)
        return Page(items: Array(sorted[start..<end]), nextCursor: end < sorted.count ? Self.cursor(end, signature: signature) : nil)
    }

    /// The start and size of the page asked for, for a list the database pages (its cursors are those `page` gives).
    func window() throws -> (start: Int, limit: Int) {
        let query = QueryParameters(request: request)
        let limit = try query.int("limit", in: 1...Self.maximumLimit) ?? Self.defaultLimit
        let start = try query.string("cursor").map { try Self.position(of: $0, signature: signature()) } ?? 0
        return (start, limit)
    }

    /// The page of a list the database cut at `start`, asked for one more item than `limit` so
    /// that its presence says another page follows.
    func page<Item: Encodable & Sendable>(_ items: [Item], from start: Int, limit: Int) -> Page<Item> {
        Page(items: Array(items.prefix(limit)), nextCursor: items.count > limit ? Self.cursor(start + limit, signature: signature()) : nil)
    }

    /// The `sort` key asked for (one of `keys`, else `standard`) and whether it is descending.
    func sortKey(_ keys: [String], standard: String) throws -> (key: String, descending: Bool) {
        let text = QueryParameters(request: request).string("sort") ?? standard
        let descending = text.hasPrefix("-")
        let key = descending ? String(text.dropFirst()) : text
        guard keys.contains(key) else {
            throw Problem(.badRequest, "sort \(text): give one of \(keys.sorted().joined(separator: ", ")), with - for descending")
        }
        return (key, descending)
    }

    private func sort<Item>(_ items: [Item], _ order: SortOrder<Item>) throws -> [Item] {
        let (key, descending) = try sortKey(Array(order.keys.keys), standard: order.standard)
        let less = order.keys[key]!
        // Stable: equal keys keep the list's own (standard) order.
        return items.enumerated().sorted { a, b in
            if less(a.element, b.element) { return !descending }
            if less(b.element, a.element) { return descending }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// The path and every query parameter but `cursor` and `limit`, hashed.
    private func signature() -> String {
        let parameters = request.uri.queryParameters.filter { $0.key != "cursor" && $0.key != "limit" }
            .map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "&")
        return String(SHA256.hex(Data("\(request.uri.path)?\(parameters)".utf8)).prefix(16))
    }

    static func cursor(_ position: Int, signature: String) -> String {
        Data("\(position):\(signature)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func position(of cursor: String, signature: String) throws -> Int {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let parts = Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }?.split(separator: ":") ?? []
        guard parts.count == 2, let position = Int(parts[0]), position >= 0 else {
            throw Problem(.badRequest, "cursor \(cursor): not a cursor this server gave")
        }
        guard parts[1] == signature else {
            throw Problem(.badRequest, "cursor: belongs to another query (its filters or sort differ)")
        }
        return position
    }
}
