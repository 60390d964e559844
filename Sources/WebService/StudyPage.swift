import Plots
import Studies

/// A study's page: its settings and arms, per treated arm the effect on each region's firing rate
/// with 95 % intervals (largest first, as a chart and a table), the FC difference from the
/// untreated arm, and with a sweep the swept value against FC similarity — the figures of
/// `dtb study show --plots`.
struct StudyPage {
    var report: StudyReport
    /// The figures by file name (``Services/StudyService/figures(nameOrID:)``).
    var figures: [(name: String, document: SVGDocument)]

    /// Rows of the effects table: the largest effects of each outcome kind (the JSON has them all).
    static let tableRows = 40

    var page: HTMLPage {
        let s = report.settings
        let twin = report.twin.lastIndex(of: "@").map { String(report.twin[..<$0]) } ?? report.twin
        let body = "<p>Twin \(HTMLPage.link("/twins/\(twin)", report.twin)), \(HTMLPage.escape(report.status)); \(s.seeds.count) seeds × "
            + "\(report.arms.count) arms, \(HTMLPage.number(s.seconds, digits: 1)) s recorded after \(HTMLPage.number(s.warmupSeconds, digits: 1)) s "
            + "(TR \(HTMLPage.number(s.repetitionTime, digits: 2)) s, replay \(HTMLPage.escape(s.replay))); interventions: "
            + HTMLPage.escape(s.interventions.map(Self.spec).joined(separator: "; ")) + ".</p>"
            + "<h2>Arms</h2>" + arms + trend
            + "<h2>Figures</h2><div class=\"plots\">" + figures.map { HTMLPage.inline($0.document) }.joined() + "</div>"
            + "<h2>Effects</h2><p>The \(Self.tableRows) largest by |d<sub>z</sub>| of \(report.effects.count) "
            + "(all in <code>/api/v1/studies/\(HTMLPage.escape(report.study))</code>).</p>" + effects
        return HTMLPage(title: "Study \(report.study)", body: body)
    }

    private var arms: String {
        HTMLPage.table(["arm", "label", "sweep value", "runs", "mean rate [Hz]", "FC similarity", "95 % interval"], report.arms.map { a in
            ["\(a.arm)", HTMLPage.escape(a.label), HTMLPage.number(a.sweepValue, digits: 3), "\(a.runs)", HTMLPage.number(a.meanRateHz, digits: 2),
             HTMLPage.number(a.fcSimilarity), a.fcSimilarityLower.map { "[\(HTMLPage.number($0)), \(HTMLPage.number(a.fcSimilarityUpper))]" } ?? "–"]
        }, id: "arms")
    }

    private var trend: String {
        guard let t = report.trend else { return "" }
        return "<p>Trend of FC similarity on \(HTMLPage.escape(t.key)): slope \(HTMLPage.number(t.slope, digits: 4)) ± "
            + "\(HTMLPage.number(t.standardError, digits: 4)), p \(HTMLPage.number(t.p)) over \(t.runs) runs.</p>"
    }

    private var effects: String {
        HTMLPage.table(["arm", "outcome", "unit", "untreated", "treated", "difference", "95 % interval", "d_z", "q"],
                       report.effects.prefix(Self.tableRows).map { e in
            ["\(e.arm)", HTMLPage.escape(e.outcome), HTMLPage.escape(e.unit), HTMLPage.number(e.controlMean, digits: 4),
             HTMLPage.number(e.treatedMean, digits: 4), HTMLPage.number(e.difference, digits: 4),
             e.lower.map { "[\(HTMLPage.number($0, digits: 4)), \(HTMLPage.number(e.upper, digits: 4))]" } ?? "–",
             HTMLPage.number(e.effectSize, digits: 2), HTMLPage.number(e.q)]
        }, id: "effects")
    }

    /// An intervention as it was typed: `KIND:KEY=VALUE,…`.
    static func spec(_ spec: InterventionSpec) -> String {
        spec.kind + ":" + spec.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The studies as a table, each linked to its page.
    static func table(_ studies: [StudyListing]) -> String {
        HTMLPage.table(["study", "twin", "status", "arms", "seeds", "runs", "created"], studies.map { s in
            [HTMLPage.link("/studies/\(s.study)", s.study), HTMLPage.escape(s.twin), HTMLPage.escape(s.status), "\(s.arms)", "\(s.seeds)",
             "\(s.runs)", s.createdAt]
        }, id: "studies")
    }
}
