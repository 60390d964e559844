import Postgres
import Store

/// Regions named the way the atlas database has them: `name/cLinG_L` (or the bare name),
/// `label/189` (or the bare number), `lobe/Occipital Lobe`, `gyrus/MVOcC`, `hemisphere/left`,
/// `kind/subcortical`, or a network scheme such as `yeo7/Visual`. `A&B` keeps the regions in
/// both, `A+B` those in either (& binds tighter).
struct RegionSelection {
    let connection: PostgresConnection
    let atlasID: Int
    /// The twin's units, to keep the selection in unit order.
    let units: [String]

    /// The twin's unit names a selection picks, in unit order; throws when a selector names
    /// nothing the atlas has or the selection is empty.
    func units(_ text: String, in intervention: String) throws -> [String] {
        var picked = Set<String>()
        for term in text.split(separator: "+") {
            var both: Set<String>?
            for selector in term.split(separator: "&") {
                let names = try regions(String(selector).trimmingCharacters(in: .whitespaces), in: intervention)
                both = both.map { $0.intersection(names) } ?? names
            }
            picked.formUnion(both ?? [])
        }
        let chosen = units.filter(picked.contains)
        guard !chosen.isEmpty else {
            throw StudyError.invalid("intervention '\(intervention)': '\(text)' selects no region of the twin")
        }
        return chosen
    }

    private func regions(_ selector: String, in intervention: String) throws -> Set<String> {
        let parts = selector.split(separator: "/", maxSplits: 1).map(String.init)
        let (scheme, value) = parts.count == 2 ? (parts[0].lowercased(), parts[1]) : (Int(selector) != nil ? "label" : "name", selector)
        let rows: PostgresResult
        switch scheme {
        case "name", "lobe", "gyrus", "hemisphere", "kind":
            rows = try connection.query("SELECT name FROM region WHERE atlas_id = $1 AND \(scheme) = $2", [atlasID, value])
        case "label":
            guard let label = Int(value) else { throw StudyError.invalid("intervention '\(intervention)': label '\(value)' is not a number") }
            rows = try connection.query("SELECT name FROM region WHERE atlas_id = $1 AND label = $2", [atlasID, label])
        default:
            rows = try connection.query("""
                SELECT r.name FROM region r JOIN region_network n ON n.region_id = r.id
                 WHERE r.atlas_id = $1 AND n.scheme = $2 AND n.network = $3
                """, [atlasID, scheme, value])
        }
        guard !rows.isEmpty else { throw try unknown(scheme: scheme, value: value, in: intervention) }
        return Set(rows.map { $0[0].string! })
    }

    /// The one-line error for a selector that picks nothing, with what the atlas does have.
    private func unknown(scheme: String, value: String, in intervention: String) throws -> StudyError {
        let schemes = try connection.query("""
            SELECT DISTINCT n.scheme FROM region_network n JOIN region r ON r.id = n.region_id WHERE r.atlas_id = $1 ORDER BY 1
            """, [atlasID]).map { $0[0].string! }
        let known = ["name", "label", "lobe", "gyrus", "hemisphere", "kind"] + schemes
        guard known.contains(scheme) else {
            return .invalid("intervention '\(intervention)': '\(scheme)/' is not a way to name regions (\(known.joined(separator: ", ")))")
        }
        return .notFound("intervention '\(intervention)': the atlas has no region with \(scheme) '\(value)'")
    }
}
