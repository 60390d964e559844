import Foundation

/// Where crash-safety tests kill a writer: with `DTB_STALL_BEFORE_COMMIT=<seconds>` in the
/// environment, a writer that reaches ``stallBeforeCommit()`` (rows written, files in place,
/// nothing committed) says so on stderr and sleeps, so that a test can `kill -9` it there.
public enum CrashPoint {
    public static func stallBeforeCommit() {
        guard let text = ProcessInfo.processInfo.environment["DTB_STALL_BEFORE_COMMIT"], let seconds = Double(text) else { return }
        FileHandle.standardError.write(Data("dtb: stalling before commit\n".utf8))
        Thread.sleep(forTimeInterval: seconds)
    }
}
