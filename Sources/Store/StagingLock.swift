import Foundation

/// Each writer's claim on what it has in the file store's staging area.
///
/// A process that stages a file names it `<pid>-…` and holds an exclusive `flock` on
/// `files/.writers/<pid>.lock` until it exits (the kernel drops the lock of a killed process).
/// An entry whose owner's lock can be taken therefore belongs to a writer that is gone; an entry
/// without a pid (written by a dtb before 0.3.1) is stale once it is older than
/// ``unownedAge``. The first time a process stages it removes what dead writers left. The locks
/// live beside the staging area, not in it, so that an idle staging area is empty.
enum StagingLock {
    /// How old an entry without an owner must be before it counts as abandoned.
    static let unownedAge: TimeInterval = 6 * 3600

    /// Staging directories this process holds a lock for, with the lock's descriptor.
    nonisolated(unsafe) private static var held: [String: Int32] = [:]
    private static let guardian = NSLock()

    /// Where the writers of `staging` keep their locks.
    static func writers(of staging: URL) -> URL {
        staging.deletingLastPathComponent().appendingPathComponent(".writers", isDirectory: true)
    }

    /// Creates `staging` and takes this process's lock for it, once per process and directory;
    /// the first time, removes what dead writers left there.
    static func hold(in staging: URL) throws {
        try guardian.withLock {
            guard held[staging.path] == nil else { return }
            for directory in [staging, writers(of: staging)] {
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                } catch {
                    throw StoreError.file("cannot create \(directory.path): \(ServerTools.reason(error))")
                }
            }
            held[staging.path] = try lockOwnFile(writers(of: staging).appendingPathComponent("\(getpid()).lock").path)
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

    /// The entries of `staging` that no living writer owns; with `remove`, they are removed
    /// (and their owners' lock files) while the dead owner's lock is held.
    static func staleEntries(in staging: URL, remove: Bool, now: Date = Date()) -> [URL] {
        let manager = FileManager.default
        var stale: [URL] = []
        var owned: [Int32: [URL]] = [:]
        for name in ((try? manager.contentsOfDirectory(atPath: staging.path)) ?? []).sorted() {
            let entry = staging.appendingPathComponent(name)
            if let pid = owner(of: name) {
                owned[pid, default: []].append(entry)
                continue
            }
            let modified = (try? manager.attributesOfItem(atPath: entry.path)[.modificationDate]) as? Date
            if now.timeIntervalSince(modified ?? now) > unownedAge {
                stale.append(entry)
                if remove { try? manager.removeItem(at: entry) }
            }
        }
        let locks = writers(of: staging)
        for name in (try? manager.contentsOfDirectory(atPath: locks.path)) ?? [] {
            if let pid = owner(of: name), owned[pid] == nil { owned[pid] = [] }
        }
        for (pid, entries) in owned.sorted(by: { $0.key < $1.key }) where pid != getpid() {
            let lock = locks.appendingPathComponent("\(pid).lock")
            let descriptor = open(lock.path, O_RDWR | O_CLOEXEC)
            if descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) != 0 { close(descriptor); continue }   // alive
            stale += entries
            if remove {
                for entry in entries { try? manager.removeItem(at: entry) }
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
