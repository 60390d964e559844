import Foundation
import Hummingbird

/// Whole responses of the read routes, kept until the data under them changes.
///
/// The cache trusts nothing but ``ChangeWatcher``: it starts disabled, is enabled only while the
/// watcher's connection is listening on `data_changed`, and every notice empties it. A response
/// computed across a change must not be stored, so each miss takes a ``Ticket`` (the generation
/// it began in) before reading the database, and `finish` refuses a ticket of an older
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
        /// Answers from memory.
        public var hits = 0
        /// Requests that found no answer in memory (or the cache disabled).
        public var misses = 0
        /// Misses that computed a keepable answer: one per key and generation when concurrent misses share it.
        public var computed = 0
        /// Answers kept.
        public var stored = 0
        /// Times the cache was emptied.
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
    /// The computations in progress, by key (at most one per key: a newer generation's replaces an older one's).
    private var flights: [String: Flight] = [:]
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

    /// What a request does about `key`: answer from memory; compute the answer (a ticket for
    /// keeping it, nil while the cache is disabled); or take the answer a request that was
    /// already computing it gave (nil: it could not be kept, compute your own).
    enum Lookup {
        case hit(Entry)
        case compute(Ticket?)
        case waited(Entry?)
    }

    /// The stored answer for `key`, or what to do without one, counting a hit or a miss. Misses of
    /// one key in one generation share one computation, so a cold or just-emptied cache sends one
    /// request per path to the database rather than one per client.
    func lookup(_ key: String) async -> Lookup {
        let first = lock.withLock { () -> Lookup? in
            guard enabled else { counters.misses += 1; return .compute(nil) }
            if let entry = entries[key] { counters.hits += 1; return .hit(entry) }
            counters.misses += 1
            return nil
        }
        if let first { return first }
        var decided: Lookup?
        let waited = await withCheckedContinuation { (continuation: CheckedContinuation<Entry?, Never>) in
            var orphans: [CheckedContinuation<Entry?, Never>] = []
            decided = lock.withLock { () -> Lookup? in
                if let entry = entries[key] { return .hit(entry) }
                guard enabled else { return .compute(nil) }
                if flights[key]?.generation == generation {
                    flights[key]?.waiters.append(continuation)
                    return nil
                }
                // An older generation's computation could not be kept anyway: its waiters compute their own.
                orphans = flights[key]?.waiters ?? []
                flights[key] = Flight(generation: generation)
                counters.computed += 1
                return .compute(Ticket(generation: generation))
            }
            for orphan in orphans { orphan.resume(returning: nil) }
            if decided != nil { continuation.resume(returning: nil) }
        }
        return decided ?? .waited(waited)
    }

    /// Ends the computation a `.compute` lookup began: keeps `entry` (nil: the route failed or did
    /// not answer 200) unless the data changed since `ticket`, and hands it to the requests that
    /// waited — nil when the data changed meanwhile, so that each computes its own.
    func finish(_ key: String, _ entry: Entry?, ticket: Ticket) {
        let (waiters, kept) = lock.withLock { () -> ([CheckedContinuation<Entry?, Never>], Entry?) in
            var waiters: [CheckedContinuation<Entry?, Never>] = []
            if let flight = flights[key], flight.generation == ticket.generation {
                waiters = flight.waiters
                flights[key] = nil
            }
            guard enabled, ticket.generation == generation, let entry else { return (waiters, nil) }
            if entry.body.readableBytes <= largestEntry, entries[key] == nil {
                entries[key] = entry
                order.append(key)
                bytes += entry.body.readableBytes
                counters.stored += 1
                evict()
            }
            return (waiters, entry)
        }
        for waiter in waiters { waiter.resume(returning: kept) }
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
        // Computations of the old generation finish unkept, and their waiters then compute their own.
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

/// One computation of a key's answer, and the requests waiting for it.
private struct Flight {
    let generation: UInt64
    var waiters: [CheckedContinuation<ResponseCache.Entry?, Never>] = []
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
