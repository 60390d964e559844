import AtlasCatalog
import Ingest
import Plots
import Services

/// A subject's page: scans by modality and session (every version, with provenance), measures,
/// one regional map as a sortable table and as a glass brain (region centroids in MNI space in
/// three orthogonal views, colour = value).
struct SubjectPage {
    var detail: SubjectDetail
    /// Each atlas's regions, by atlas name.
    var regions: [String: [RegionRow]]
    /// The measure whose map is shown; nil: the first regional map.
    var measure: Int?
    /// `sort` of the map table: region, label, value or -value.
    var sort: String?

    var page: HTMLPage {
        var body = "<h2>Scans</h2>" + scans + "<h2>Measures</h2>" + measures
        if let map {
            body += "<h2>Regional map: measure \(map.id) (\(HTMLPage.escape(map.kind.rawValue)), \(HTMLPage.escape(map.atlas)))</h2>"
            body += "<div class=\"plots\">" + glassBrain(map).map(HTMLPage.inline).joined() + "</div>"
            body += mapTable(map)
        }
        return HTMLPage(title: "sub-\(detail.label)", body: body)
    }

    private var scans: String {
        let sorted = detail.scans.sorted { ($0.modality, $0.session, $0.path, $0.version) < ($1.modality, $1.session, $1.path, $1.version) }
        return HTMLPage.table(["modality", "session", "file", "version", "pipeline", "sha256", "ingested"], sorted.map {
            [HTMLPage.escape($0.modality), HTMLPage.escape($0.session), HTMLPage.escape($0.path), "\($0.version)", HTMLPage.escape($0.pipeline ?? "raw"),
             String($0.sha256.prefix(12)) + "…", $0.ingestedAt]
        }, id: "scans")
    }

    private var measures: String {
        HTMLPage.table(["measure", "session", "atlas", "kind", "unit", "regions", "frames", "TR [s]", "from"], detail.measures.map {
            [HTMLPage.link("/subjects/\(detail.label)?measure=\($0.id)", "\($0.id)"), HTMLPage.escape($0.session), HTMLPage.escape($0.atlas),
             $0.kind.rawValue, HTMLPage.escape($0.unit), "\($0.regions)", $0.frames.map(String.init) ?? "", HTMLPage.number($0.repetitionTime, digits: 2),
             HTMLPage.escape($0.scanPath)]
        }, id: "measures")
    }

    /// The measure shown: the one asked for, else the first anatomical map (gray matter before
    /// the rest), else the first with regional values.
    private var map: MeasureInfo? {
        let regional = detail.measures.filter { !($0.values ?? []).isEmpty }
        return regional.first { $0.id == measure } ?? regional.first { $0.kind == .grayMatterVolume } ?? regional.first
    }

    private func mapTable(_ map: MeasureInfo) -> String {
        var values = map.values ?? []
        switch sort {
        case "region": values.sort { $0.region < $1.region }
        case "value": values.sort { $0.value < $1.value }
        case "-value": values.sort { $0.value > $1.value }
        default: values.sort { $0.label < $1.label }
        }
        let link = { (key: String, text: String) in HTMLPage.link("/subjects/\(detail.label)?measure=\(map.id)&sort=\(key)", text) }
        return "<p>Sort by \(link("label", "label")), \(link("region", "region")), \(link("value", "value ↑")), \(link("-value", "value ↓")).</p>"
            + HTMLPage.table(["label", "region", "value [\(map.unit)]", "voxels"], values.map {
                ["\($0.label)", HTMLPage.escape($0.region), HTMLPage.number($0.value), "\($0.voxels)"]
            }, id: "regional-map")
    }

    /// Axial (x–y), coronal (x–z) and sagittal (y–z) projections of the region centroids, each
    /// region's point coloured by its value in five equal bins (the legend gives the bins' ranges).
    private func glassBrain(_ map: MeasureInfo) -> [SVGDocument] {
        let centroid = Dictionary((regions[map.atlas] ?? []).map { ($0.region.label, $0.region.centroid) }, uniquingKeysWith: { a, _ in a })
        let points = (map.values ?? []).compactMap { v in centroid[v.label].flatMap { $0.count == 3 ? ($0, v.value) : nil } }
        guard !points.isEmpty else { return [] }
        let values = points.map(\.1), low = values.min()!, high = values.max()!
        let scale = ColorScale(.sequential, values: values)
        let bins = 5, width = (high - low) / Double(bins)
        let bin = { (v: Double) in width > 0 ? min(bins - 1, Int((v - low) / width)) : 0 }
        let views = [("axial", 0, 1, "x", "y"), ("coronal", 0, 2, "x", "z"), ("sagittal", 1, 2, "y", "z")]
        return views.map { name, a, b, xName, yName in
            let layers = (0..<bins).compactMap { k -> ScatterLayer? in
                let members = points.filter { bin($0.1) == k }
                guard !members.isEmpty else { return nil }
                let lo = low + Double(k) * width, hi = k == bins - 1 ? high : lo + width
                return ScatterLayer(x: members.map { $0.0[a] }, y: members.map { $0.0[b] },
                                    name: "\(NiceTicks.label(lo))–\(NiceTicks.label(hi))", color: scale.color((lo + hi) / 2), radius: 4)
            }
            return Chart(title: "\(name) view; colour: \(map.kind.rawValue) [\(map.unit)]", x: Axis("MNI \(xName)", unit: "mm"), y: Axis("MNI \(yName)", unit: "mm"), layers: layers,
                         width: 420, height: 360).document()
        }
    }
}
