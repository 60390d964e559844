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

    /// With `DTB_STALL_AFTER_CHECKPOINT=<frame>:<seconds>`, an assimilation that has just written
    /// the checkpoint of that frame says so on stderr and sleeps (a test kills it there).
    public static func stallAfterCheckpoint(frame: Int) {
        guard let text = ProcessInfo.processInfo.environment["DTB_STALL_AFTER_CHECKPOINT"] else { return }
        let parts = text.split(separator: ":")
        guard parts.count == 2, Int(parts[0]) == frame, let seconds = Double(parts[1]) else { return }
        FileHandle.standardError.write(Data("dtb: stalling after the checkpoint of frame \(frame)\n".utf8))
        Thread.sleep(forTimeInterval: seconds)
    }

    /// With `DTB_STALL_AFTER_STUDY_RUN=<runs>:<seconds>`, a study that has just stored that many
    /// runs says so on stderr and sleeps (a test kills it there).
    public static func stallAfterStudyRun(_ runs: Int) {
        guard let text = ProcessInfo.processInfo.environment["DTB_STALL_AFTER_STUDY_RUN"] else { return }
        let parts = text.split(separator: ":")
        guard parts.count == 2, Int(parts[0]) == runs, let seconds = Double(parts[1]) else { return }
        FileHandle.standardError.write(Data("dtb: stalling after study run \(runs)\n".utf8))
        Thread.sleep(forTimeInterval: seconds)
    }

    /// With `DTB_STALL_AFTER_RUN_CHECKPOINT=<seconds>:<sleep>`, a twin run that has just written a
    /// checkpoint at or past that many biological seconds says so on stderr and sleeps (a test
    /// kills it there).
    public static func stallAfterRunCheckpoint(simulated: Double) {
        guard let text = ProcessInfo.processInfo.environment["DTB_STALL_AFTER_RUN_CHECKPOINT"] else { return }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let at = Double(parts[0]), simulated >= at, let seconds = Double(parts[1]) else { return }
        FileHandle.standardError.write(Data("dtb: stalling after the run checkpoint at \(simulated) s\n".utf8))
        Thread.sleep(forTimeInterval: seconds)
    }
}
