import Foundation

/// Each writer's claim on what it has in the file store's staging area.
///
/// A process that stages a file names it `<pid>-…` and holds an exclusive `flock` on
/// `.staging/<pid>.lock` until it exits (the kernel drops the lock of a killed process). An
/// entry whose owner's lock can be taken therefore belongs to a writer that is gone; an entry
/// without a pid (written by a dtb before 0.3.1) is stale once it is older than
/// ``unownedAge``. The first time a process stages it removes what dead writers left.
enum StagingLock {
    /// How old an entry without an owner must be before it counts as abandoned.
    static let unownedAge: TimeInterval = 6 * 3600

    /// Staging directories this process holds a lock in, with the lock's descriptor.
    nonisolated(unsafe) private static var held: [String: Int32] = [:]
    private static let guardian = NSLock()

    /// Creates `staging` and takes this process's lock in it, once per process and directory;
    /// the first time, removes what dead writers left there.
    static func hold(in staging: URL) throws {
        try guardian.withLock {
            guard held[staging.path] == nil else { return }
            do {
                try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            } catch {
                throw StoreError.file("cannot create the staging area \(staging.path): \(ServerTools.reason(error))")
            }
            held[staging.path] = try lockOwnFile(staging.appendingPathComponent("\(getpid()).lock").path)
            _ = staleEntries(in: staging, remove: true)
        }
    }

    /// Opens and locks `path`, again if a cleaner unlinked the file between the two steps (it
    /// removes a dead writer's lock file holding its lock; a new process may have our pid).
    private static func lockOwnFile(_ path: String) throws -> Int32 {
        while true {
            let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw StoreError.file("cannot create \(path): \(String(cString: strerror(errno)))") }
            guard flock(descriptor, LOCK_EX) == 0 else {
                close(descriptor)
                throw StoreError.file("cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            var opened = stat(), linked = stat()
            if fstat(descriptor, &opened) == 0, stat(path, &linked) == 0, opened.st_ino == linked.st_ino { return descriptor }
            close(descriptor)
        }
    }

    /// The entries of `staging` that no living writer owns (their owners' lock files aside);
    /// with `remove`, they are removed, lock files included, while the dead owner's lock is held.
    static func staleEntries(in staging: URL, remove: Bool, now: Date = Date()) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
        var stale: [URL] = []
        var owned: [Int32: [URL]] = [:]
        for name in names.sorted() {
            let entry = staging.appendingPathComponent(name)
            if let pid = owner(of: name) {
                if pid != getpid() { owned[pid, default: []].append(entry) }
                continue
            }
            let modified = (try? FileManager.default.attributesOfItem(atPath: entry.path)[.modificationDate]) as? Date
            if now.timeIntervalSince(modified ?? now) > unownedAge {
                stale.append(entry)
                if remove { try? FileManager.default.removeItem(at: entry) }
            }
        }
        for (pid, entries) in owned.sorted(by: { $0.key < $1.key }) {
            let lock = staging.appendingPathComponent("\(pid).lock")
            let descriptor = open(lock.path, O_RDWR | O_CLOEXEC)
            if descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) != 0 { close(descriptor); continue }   // alive
            // A dead writer's lock file alone is bookkeeping, not a problem: every writer leaves one.
            stale += entries.filter { $0 != lock }
            if remove {
                for entry in entries where entry != lock { try? FileManager.default.removeItem(at: entry) }
                if descriptor >= 0 { unlink(lock.path) }
            }
            if descriptor >= 0 { close(descriptor) }
        }
        return stale
    }

    /// The pid at the start of `<pid>-…` or `<pid>.lock`.
    static func owner(of name: String) -> Int32? {
        let digits = name.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let next = name.dropFirst(digits.count).first, next == "-" || next == "." else { return nil }
        return Int32(digits)
    }
}
