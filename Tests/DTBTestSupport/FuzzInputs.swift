import Foundation

/// The inputs `scripts/fuzz.sh` keeps for a target: its seeds (`scripts/fuzz/corpus/<target>/`)
/// and every input that ever crashed it (`scripts/fuzz/crashes/<target>/`), replayed by the
/// regression tests so that a fixed crash stays fixed without the fuzzer.
public enum FuzzInputs {
    /// The files of `target` ("nifti", "companions"), sorted by name.
    public static func files(of target: String, file: String = #filePath) -> [URL] {
        let repository = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return ["corpus", "crashes"].flatMap { folder -> [URL] in
            let directory = repository.appendingPathComponent("scripts/fuzz/\(folder)/\(target)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
        }
    }
}
