/// One run of a study, an arm's seed: the unit of work that separate processes (workers on one
/// or several machines) take from one study.
public struct StudyPart: Sendable, Codable, Hashable {
    /// The arm (0: untreated).
    public var arm: Int
    /// One of the study's seeds.
    public var seed: Int

    public init(arm: Int, seed: Int) { self.arm = arm; self.seed = seed }

    /// Refuses a part the study does not have.
    func check(in study: StudyRecord) throws {
        guard study.arms.contains(where: { $0.arm == arm }), study.settings.seeds.contains(seed) else {
            throw StudyError.notFound("study \(study.name) has no run of arm \(arm) with seed \(seed)")
        }
    }
}

extension StudyReport {
    /// Every run the study consists of, arm by arm, seed by seed.
    public var parts: [StudyPart] {
        arms.flatMap { arm in settings.seeds.map { StudyPart(arm: arm.arm, seed: $0) } }
    }
}
