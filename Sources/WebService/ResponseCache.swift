import Foundation
import Hummingbird

/// Whole responses of the read routes, kept until the data under them changes.
///
/// The cache trusts nothing but ``ChangeWatcher``: it starts disabled, is enabled only while the
/// watcher's connection is listening on `data_changed`, and every notice empties it. A response
/// computed across a change must not be stored, so each miss takes a ``Ticket`` (the generation
/// it began in) before reading the database, and `store` refuses a ticket of an older
/// generation: whatever a request read, the cache never keeps it past a change it may have missed.
public final class ResponseCache: @unchecked Sendable {
    /// A cached answer: status 200 with its headers and body.
    struct Entry: Sendable {
        var headers: HTTPFields
        var body: ByteBuffer
    }

    /// The generation a miss began in; nil while the cache is disabled.
    struct Ticket { fileprivate let generation: UInt64 }

    /// Counters since the server started.
    public struct Statistics: Sendable, Equatable, Codable {
        public var hits = 0
        public var misses = 0
        public var stored = 0
        public var invalidations = 0
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    /// Keys in the order they were stored, for evicting the oldest first.
    private var order: [String] = []
    private var bytes = 0
    private var generation: UInt64 = 0
    private var enabled = false
    private var counters = Statistics()
    /// Most bytes of bodies held.
    let capacity: Int
    /// Bodies larger than this are served but not kept.
    let largestEntry: Int

    /// A cache of at most `capacity` body bytes.
    public init(capacity: Int = 128 << 20, largestEntry: Int = 8 << 20) {
        self.capacity = capacity; self.largestEntry = largestEntry
    }

    /// The counters so far.
    public var statistics: Statistics { lock.withLock { counters } }

    /// True while responses are kept.
    public var isEnabled: Bool { lock.withLock { enabled } }

    /// The stored answer for `key`, counting a hit or a miss.
    func entry(for key: String) -> Entry? {
        lock.withLock {
            let entry = enabled ? entries[key] : nil
            if entry == nil { counters.misses += 1 } else { counters.hits += 1 }
            return entry
        }
    }

    /// Taken before a miss reads the database.
    func ticket() -> Ticket? {
        lock.withLock { enabled ? Ticket(generation: generation) : nil }
    }

    /// Keeps `entry` unless the data changed since `ticket` was taken.
    func store(_ entry: Entry, for key: String, ticket: Ticket) {
        guard entry.body.readableBytes <= largestEntry else { return }
        lock.withLock {
            guard enabled, ticket.generation == generation, entries[key] == nil else { return }
            entries[key] = entry
            order.append(key)
            bytes += entry.body.readableBytes
            counters.stored += 1
            evict()
        }
    }

    /// Drops every entry: the data changed.
    func invalidate() {
        lock.withLock { clear() }
    }

    /// Starts keeping responses (the watcher listens from now on), with nothing from before.
    func enable() {
        lock.withLock { clear(); enabled = true }
    }

    /// Stops keeping responses (the watcher cannot hear changes) and drops those kept.
    func disable() {
        lock.withLock { clear(); enabled = false }
    }

    private func clear() {
        generation &+= 1
        counters.invalidations += 1
        entries.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        bytes = 0
    }

    /// Oldest entries out until the bodies fit.
    private func evict() {
        var dropped = 0
        while bytes > capacity, dropped < order.count {
            if let gone = entries.removeValue(forKey: order[dropped]) { bytes -= gone.body.readableBytes }
            dropped += 1
        }
        if dropped > 0 { order.removeFirst(dropped) }
    }
}

extension ResponseCache.Entry {
    /// The answer to `request`: 304 without a body when its `If-None-Match` names the entry's ETag.
    func response(to request: Request) -> Response {
        if let tag = headers[.eTag], let match = request.headers[.ifNoneMatch], JSONResponse.matches(match, tag) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
