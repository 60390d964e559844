import Foundation
import Interventions
import Postgres
import Store
import TwinBuilder
import Twins

/// Checks a study request against its twin version and turns it into settings and arms, before
/// anything is stored: every value that could fail a run fails here, with one line.
struct StudyPlanner {
    let database: Database

    struct Plan {
        var versionID: Int
        var settings: StudySettings
        var arms: [(label: String, interventions: [Intervention], sweep: Double?)]
    }

    func plan(_ request: StudyRequest) throws -> Plan {
        try checkBasics(request)
        let inputs = StudyInputs(database: database)
        let (versionID, info) = try inputs.version(request.version)
        guard info.status == "ready" else {
            throw StudyError.invalid("\(info.twin)@\(info.version) is \(info.status); a study needs a ready version")
        }
        let fit = try inputs.fittedReplay(versionID: versionID)
        let tr = try request.repetitionTime ?? fit?.repetitionTime ?? subjectTR(versionID: versionID) ?? 2
        if let fit, tr != fit.repetitionTime {
            throw StudyError.invalid("--tr \(tr): \(info.twin)@\(info.version) replays its fit at the fit's TR (\(fit.repetitionTime) s)")
        }
        let seconds = request.seconds ?? fit.map { Double($0.h.count) * $0.repetitionTime } ?? 10
        let warmup = ((request.warmup ?? fit?.warmupSeconds ?? 2) / tr).rounded(.up) * tr
        try check(seconds: seconds, warmup: warmup, tr: tr, info: info, fitFrames: fit?.h.count)
        let measure = try request.measure ?? fit?.measure ?? inputs.latestRestMeasure(versionID: versionID)
        if let measure { _ = try inputs.empiricalRun(measure: measure, versionID: versionID) }
        let network = try inputs.network(versionID: versionID)
        let arms = try arms(request, versionID: versionID, network: network, warmup: warmup, seconds: seconds)
        let settings = StudySettings(interventions: request.interventions, sweep: request.sweep,
                                     seeds: (0..<request.seeds).map { request.firstSeed + $0 }, seconds: seconds, warmupSeconds: warmup,
                                     repetitionTime: tr, binMilliseconds: request.binMilliseconds, measure: measure,
                                     replay: fit == nil ? "built" : "fitted",
                                     psdFrequencies: psdFrequencies(arms.flatMap(\.interventions), binMilliseconds: request.binMilliseconds),
                                     populationActivity: request.populationActivity ? true : nil)
        try checkActivitySize(request, seconds: seconds, network: network)
        return Plan(versionID: versionID, settings: settings, arms: arms)
    }

    /// Each run's activity counts (per unit, and per population on request) within the limits of a run's.
    private func checkActivitySize(_ r: StudyRequest, seconds: Double, network: TwinNetwork) throws {
        let series = network.unitNames.count + (r.populationActivity ? network.populations.count : 0)
        do { _ = try RunLimits.activityBinSteps(r.binMilliseconds, seconds: seconds, dt: network.parameters.dt, units: series) }
        catch { throw StudyError.invalid("\(error)".replacingOccurrences(of: "--activity-bin", with: "--bin")) }
    }

    private func checkBasics(_ r: StudyRequest) throws {
        guard r.name.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]*$", options: .regularExpression) != nil, r.name.count <= 100 else {
            throw StudyError.invalid("study name '\(r.name)': use letters, digits, '.', '_' and '-' (starting with a letter or digit), at most 100")
        }
        guard !r.interventions.isEmpty else { throw StudyError.invalid("a study needs at least one intervention") }
        guard (1...1000).contains(r.seeds) else { throw StudyError.invalid("--seeds \(r.seeds): give 1 to 1000 seeds") }
        guard r.firstSeed >= 0, r.firstSeed <= Int(Int32.max) else { throw StudyError.invalid("--seed \(r.firstSeed): give 0 to \(Int32.max)") }
        guard r.binMilliseconds.isFinite, r.binMilliseconds > 0 else {
            throw StudyError.invalid("--bin \(r.binMilliseconds): give a positive bin in ms")
        }
        if let sweep = r.sweep, !r.interventions.contains(where: { $0.sweeps(sweep.key) }) {
            throw StudyError.invalid("--sweep \(sweep.key): no intervention has a numeric parameter \(sweep.key)")
        }
        do { try RunLimits.checkThreads(r.threads) } catch { throw StudyError.invalid("\(error)") }
    }

    private func check(seconds: Double, warmup: Double, tr: Double, info: TwinVersionInfo, fitFrames: Int?) throws {
        do {
            try RunLimits.checkTiming(seconds: seconds, repetitionTime: tr, source: "--tr", dt: info.parameters.dt, bold: info.bold)
            try RunLimits.checkTiming(seconds: seconds + warmup, repetitionTime: tr, source: "--tr", dt: info.parameters.dt, bold: info.bold)
        } catch { throw StudyError.invalid("\(error)") }
        if let fitFrames, Int((seconds / tr).rounded()) > fitFrames {
            throw StudyError.invalid("--seconds \(seconds): \(info.twin)@\(info.version) replays a fit of \(fitFrames) frames (\(Double(fitFrames) * tr) s)")
        }
    }

    /// Arm 0 untreated, then one treated arm (all interventions), or one per sweep value.
    private func arms(_ request: StudyRequest, versionID: Int, network: TwinNetwork, warmup: Double,
                      seconds: Double) throws -> [(label: String, interventions: [Intervention], sweep: Double?)] {
        let resolver = try self.resolver(versionID: versionID, units: network.unitNames)
        var arms: [(label: String, interventions: [Intervention], sweep: Double?)] = [("untreated", [], nil)]
        let values: [Double?] = request.sweep.map { $0.values.map(Optional.some) } ?? [nil]
        for value in values {
            let sweep = value.map { (key: request.sweep!.key, value: $0) }
            let treated = try request.interventions.map { try resolver.resolve($0, sweep: sweep) }
            do { try Treatment(treated).check(against: network, warmup: warmup, seconds: seconds) }
            catch { throw StudyError.invalid("\(error)\(sweep.map { " (at \($0.key) = \($0.value))" } ?? "")") }
            let label = sweep.map { "\($0.key)=\(Self.format($0.value))" } ?? request.interventions.map(\.text).joined(separator: " + ")
            arms.append((label, treated, value))
        }
        return arms
    }

    private func resolver(versionID: Int, units: [String]) throws -> InterventionResolver {
        let row = try database.connection.query("""
            SELECT t.atlas_id, t.subject_id FROM twin_version v JOIN twin t ON t.id = v.twin_id WHERE v.id = $1
            """, [versionID]).first!
        let selection = RegionSelection(connection: database.connection, atlasID: row[0].int!, units: units)
        return InterventionResolver(selection: selection, connection: database.connection, subjectID: row[1].int!)
    }

    private func subjectTR(versionID: Int) throws -> Double? {
        guard let measure = try StudyInputs(database: database).latestRestMeasure(versionID: versionID) else { return nil }
        return try database.connection.query("SELECT repetition_time FROM measure WHERE id = $1", [measure]).first?[0].double
    }

    /// The stimulation frequencies the activity bins can resolve (below their Nyquist frequency).
    private func psdFrequencies(_ interventions: [Intervention], binMilliseconds: Double) -> [Double] {
        let nyquist = 1000 / (2 * binMilliseconds)
        let frequencies = interventions.compactMap { i -> Double? in
            guard case .stimulate(let s) = i else { return nil }
            switch s.waveform {
            case .pulses(let f, _, _), .sine(let f, _): return f < nyquist ? f : nil
            case .constant, .series: return nil
            }
        }
        return Array(Set(frequencies)).sorted()
    }

    static func format(_ x: Double) -> String { String(format: "%g", x) }
}
