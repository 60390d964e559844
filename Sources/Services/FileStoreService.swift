import Store

/// The file store's consistency with the database: `dtb fsck`.
public struct FileStoreService {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Dangling rows, damaged and orphan files, stale staging; with `repair`, the removable ones removed.
    public func check(repair: Bool) throws -> FileStoreReport {
        try FileStoreCheck(store: database.files, connection: database.connection).run(repair: repair)
    }
}
