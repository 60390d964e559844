import Analyses
import Foundation
import HDF5Kit
import Store

/// The effects of a study's treated arms against arm 0, paired by seed: per unit for the outcomes
/// in the run files (`/outcome/*`), for the whole twin for the mean rate and the FC similarity.
struct StudyEffects {
    let study: StudyRecord
    let runs: [StudyRunRecord]
    let files: FileStore

    func compute() throws -> [StudyEffect] {
        let seeds = study.settings.seeds
        var outcomes: [Int: [Int: [String: [Double]]]] = [:]   // arm → seed → outcome → per unit
        for run in runs { outcomes[run.arm, default: [:]][run.seed] = try read(run) }
        guard let units = try? unitNames(runs.first) else { return [] }
        let names = outcomes[0]?[seeds[0]]?.keys.sorted() ?? []
        var effects: [StudyEffect] = []
        for arm in study.arms where arm.arm > 0 {
            for name in names {
                var family: [StudyEffect] = []
                for (u, unit) in units.enumerated() {
                    let control = seeds.map { outcomes[0]![$0]![name]![u] }, treated = seeds.map { outcomes[arm.arm]![$0]![name]![u] }
                    // An undefined value (a constant BOLD series has no r) leaves the unit out of the family.
                    guard (control + treated).allSatisfy(\.isFinite) else { continue }
                    family.append(effect(arm.arm, name, unit, PairedComparison(control: control, treated: treated)))
                }
                let q = falseDiscoveryRate(family.map(\.p))
                effects += zip(family, q).map { var e = $0; e.q = $1; return e }
                if name == "bold_r" { effects += meanBoldR(arm: arm.arm, seeds: seeds, outcomes) }
            }
            effects += wholeTwin(arm: arm.arm, seeds: seeds)
        }
        return effects
    }

    /// The mean over units of each run's BOLD r (the validation's BOLD r), paired by seed.
    private func meanBoldR(arm: Int, seeds: [Int], _ outcomes: [Int: [Int: [String: [Double]]]]) -> [StudyEffect] {
        func mean(_ a: Int, _ seed: Int) -> Double {
            let r = outcomes[a]![seed]!["bold_r"]!.filter(\.isFinite)
            return r.isEmpty ? .nan : r.reduce(0, +) / Double(r.count)
        }
        let control = seeds.map { mean(0, $0) }, treated = seeds.map { mean(arm, $0) }
        guard (control + treated).allSatisfy(\.isFinite) else { return [] }
        var e = effect(arm, "mean_bold_r", "all", PairedComparison(control: control, treated: treated))
        e.q = e.p
        return [e]
    }

    /// The mean rate and (when every run has one) the FC similarity.
    private func wholeTwin(arm: Int, seeds: [Int]) -> [StudyEffect] {
        let byKey = Dictionary(uniqueKeysWithValues: runs.map { ("\($0.arm)/\($0.seed)", $0) })
        func values(_ a: Int, _ value: (StudyRunRecord) -> Double?) -> [Double]? {
            let v = seeds.compactMap { byKey["\(a)/\($0)"].flatMap(value) }
            return v.count == seeds.count ? v : nil
        }
        var out: [StudyEffect] = []
        for (name, value) in [("mean_rate_hz", { (r: StudyRunRecord) in Optional(r.meanRateHz) }), ("fc_similarity", { $0.fcSimilarity })] {
            if let control = values(0, value), let treated = values(arm, value) {
                var e = effect(arm, name, "all", PairedComparison(control: control, treated: treated))
                e.q = e.p
                out.append(e)
            }
        }
        return out
    }

    private func effect(_ arm: Int, _ outcome: String, _ unit: String, _ c: PairedComparison) -> StudyEffect {
        StudyEffect(arm: arm, outcome: outcome, unit: unit, controlMean: c.controlMean, treatedMean: c.treatedMean,
                    difference: c.difference, lower: c.lower, upper: c.upper, effectSize: c.effectSize, p: c.p, q: nil)
    }

    private func read(_ run: StudyRunRecord) throws -> [String: [Double]] {
        let file = try run.open(in: files)
        defer { file.close() }
        var outcomes: [String: [Double]] = [:]
        let names = ["rate_hz", "bold_r"] + study.settings.psdFrequencies.map(StudyOutcomes.name)
        for name in names where file.exists("/outcome/\(name)") {
            outcomes[name] = try file.dataset("/outcome/\(name)").read(Double.self)
        }
        return outcomes
    }

    private func unitNames(_ run: StudyRunRecord?) throws -> [String] {
        guard let run else { return [] }
        let file = try run.open(in: files)
        defer { file.close() }
        return try file.readStrings("/units")
    }
}
