import Plots
import Studies
import Twins

/// A twin's page: the version timeline (newest first, a page at a time) with its changes and fits,
/// and the validation metrics (BOLD r, FC r, Frobenius distance, FCD KS) per version, in-sample and
/// out-of-sample marked apart.
struct TwinPage: Sendable {
    /// Versions in a page of the timeline.
    static let versionsPerPage = 50
    /// The page's versions, newest first, with one more when an older page follows.
    var timeline: TwinHistory
    /// Which page of the timeline (from 1, the newest).
    var pageNumber: Int
    /// Every version with a validation, in version order.
    var validated: [TwinHistoryEntry]
    /// The runs of the latest version, each linked to its comparison with the subject's BOLD.
    var latestRuns: [TwinRunInfo]
    /// The studies that treat a version of the twin, each linked to its page.
    var studies: [StudyListing]
    /// h(t) of the newest fitted version; nil when no version was fitted.
    var hyperparameters: TwinHyperparameterSeries?

    /// Units whose h(t) is drawn (the first fitted ones): more lines would hide each other's bands.
    static let drawnUnits = 4

    var page: HTMLPage {
        let body = "<p>Subject \(HTMLPage.link("/subjects/\(timeline.subject)", "sub-" + timeline.subject)), atlas \(HTMLPage.escape(timeline.atlas)), "
            + "\(timeline.level.rawValue) level.</p><h2>Versions</h2>" + versions + pager
            + hyperparameterSection
            + "<h2>Validation over versions</h2><div class=\"plots\">" + charts.map(HTMLPage.inline).joined() + "</div>"
            + "<h2>Validations</h2>" + validations + "<h2>Runs of the latest version</h2>" + runs
            + "<h2>Studies</h2>" + StudyPage.table(studies)
        return HTMLPage(title: timeline.twin, body: body)
    }

    private var versions: String {
        HTMLPage.table(["version", "parent", "origin", "status", "created", "neurons", "synapses", "fit (BOLD r)", "changes"],
                       timeline.versions.prefix(Self.versionsPerPage).map { v in
            let changes = v.changes.map { c in HTMLPage.escape("\(c.what): \(c.from ?? "–") → \(c.to ?? "–")") }.joined(separator: "<br>")
            return ["\(v.version)", v.parent.map(String.init) ?? "", HTMLPage.escape(v.origin), HTMLPage.escape(v.status), v.createdAt, "\(v.neurons)",
                    "\(v.synapses)", HTMLPage.number(v.assimilation?.fitBoldR), changes]
        }, id: "versions")
    }

    /// Links to the newer and older pages of the timeline, where there are any.
    private var pager: String {
        let base = "/twins/\(timeline.twin)?page="
        let links = (pageNumber > 1 ? [HTMLPage.link(base + "\(pageNumber - 1)", "newer versions")] : [])
            + (timeline.versions.count > Self.versionsPerPage ? [HTMLPage.link(base + "\(pageNumber + 1)", "older versions")] : [])
        return links.isEmpty ? "" : "<p>Page \(pageNumber): " + links.joined(separator: " · ") + "</p>"
    }

    private var runs: String {
        HTMLPage.table(["run", "seconds", "TR [s]", "mean rate [Hz]", "spikes", "created"], latestRuns.map {
            [HTMLPage.link("/twins/\(timeline.twin)/runs/\($0.run)", "\($0.run)"), HTMLPage.number($0.seconds, digits: 1),
             HTMLPage.number($0.repetitionTime, digits: 2), HTMLPage.number($0.meanRateHz, digits: 2), "\($0.spikes)", $0.createdAt]
        }, id: "runs")
    }

    private var validations: String {
        HTMLPage.table(["validation", "version", "measure", "replay", "sample", "BOLD r", "FC r", "FC distance", "FCD KS", "created"],
                       validated.flatMap { v in v.validations.map { (v.version, $0) } }.map { version, s in
            ["\(s.validation)", "\(version)", "\(s.measure)", HTMLPage.escape(s.replay), s.inSample ? "fitted run" : "out of sample",
             HTMLPage.number(s.boldR), HTMLPage.number(s.fcSimilarity), HTMLPage.number(s.fcDistance), HTMLPage.number(s.fcdKS), s.createdAt]
        }, id: "validations")
    }

    /// h(t) of the newest fitted version, one chart per hyperparameter: the ensemble mean of each
    /// drawn unit over a band of ± one ensemble spread, per frame.
    private var hyperparameterSection: String {
        guard let h = hyperparameters else { return "" }
        let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
        let times = h.mean.indices.map { Double($0 + 1) * h.repetitionTime }
        let charts = h.kinds.enumerated().map { k, kind -> SVGDocument in
            let layers = h.units.prefix(Self.drawnUnits).enumerated().map { u, unit -> any PlotLayer in
                let column = u * h.kinds.count + k
                let mean = h.mean.map { $0[column] }, spread = h.spread.map { $0[column] }
                return LineLayer(x: times, y: mean, band: (zip(mean, spread).map { $0 - $1 }, zip(mean, spread).map { $0 + $1 }),
                                 name: unit, color: palette[u % palette.count])
            }
            return Chart(title: "h(t) \(kind), version \(h.version): ensemble mean ± spread", x: Axis("time", unit: "s"), y: Axis("h \(kind)"),
                         layers: layers, width: 480, height: 320).document()
        }
        return "<h2>Hyperparameters h(t)</h2><p>Version \(h.version) was fitted on \(h.units.count) units; drawn: "
            + HTMLPage.escape(h.units.prefix(Self.drawnUnits).joined(separator: ", ")) + " (the band is ± one ensemble standard deviation).</p>"
            + "<div class=\"plots\">" + charts.map(HTMLPage.inline).joined() + "</div>"
    }

    /// One chart per metric: a point per validation at its version, in-sample and out-of-sample apart.
    private var charts: [SVGDocument] {
        let metrics: [(String, String?, (TwinValidationSummary) -> Double?)] = [
            ("BOLD r", nil, { $0.boldR }), ("FC r", nil, { $0.fcSimilarity }), ("FC Frobenius distance", nil, { $0.fcDistance }),
            ("FCD KS", nil, { $0.fcdKS }),
        ]
        let points = validated.flatMap { v in v.validations.map { (Double(v.version), $0) } }
        return metrics.compactMap { title, unit, value in
            let layers = [(true, "fitted run", "#d62728"), (false, "out of sample", "#1f77b4")].compactMap { inSample, name, color -> ScatterLayer? in
                let chosen = points.filter { $0.1.inSample == inSample }.compactMap { p in value(p.1).map { (p.0, $0) } }
                return chosen.isEmpty ? nil : ScatterLayer(x: chosen.map(\.0), y: chosen.map(\.1), name: name, color: color, radius: 4)
            }
            guard !layers.isEmpty else { return nil }
            return Chart(title: title + " per version", x: Axis("twin version"), y: Axis(title, unit: unit), layers: layers,
                         width: 480, height: 320).document()
        }
    }
}
