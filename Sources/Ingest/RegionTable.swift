import AtlasCatalog
import Foundation
import Store

/// A regional value table: one row per atlas region, the regions named by label or name, one
/// value column — what users bring when their pipeline already parcellated the image.
///
/// Two kinds, named BIDS-Derivatives style (`atlas-` names the atlas, `desc-` the quantity):
///
/// - `sub-<label>[_ses-<label>]_atlas-<name>_desc-gm_morph.tsv` (datatype `anat`): value column
///   `gm_volume`, the region's gray-matter volume in mm³ (Σ GM probability × voxel volume, what
///   dtb stores for a `label-GM_probseg` map); ≥ 0. Stored as `gm_volume`, unit `mm3`.
/// - `sub-<label>[_ses-<label>][_trc-<tracer>]_atlas-<name>_desc-sv2a_pet.tsv` (datatype `pet`):
///   value column `suvr`, the region's mean SV2A PET uptake (SUVR, or the unit the sidecar's
///   `Units` names); > 0. Stored as `synaptic_density`.
///
/// Region columns (at least one): `index` or `label` — the atlas's integer label; `name` — the
/// region's name as the atlas table spells it. With both, they must name the same region. Other
/// columns are ignored. Every atlas region must appear exactly once; rows are in any order.
enum RegionTable {
    /// What a table holds and how its values are checked.
    enum Quantity {
        case grayMatterVolume
        case synapticDensity

        /// The value column's header.
        var column: String { self == .grayMatterVolume ? "gm_volume" : "suvr" }
        var measureKind: MeasureKind { self == .grayMatterVolume ? .grayMatterVolume : .synapticDensity }
        /// The `desc-` entity the file name carries.
        var desc: String { self == .grayMatterVolume ? "gm" : "sv2a" }

        /// Nil when `value` is acceptable, else why not.
        func problem(_ value: Double) -> String? {
            switch self {
            case .grayMatterVolume: value < 0 ? "is negative; a gray-matter volume is ≥ 0 mm³" : nil
            case .synapticDensity: value <= 0 ? "is not positive; an SV2A uptake (SUVR) is > 0" : nil
            }
        }
    }

    /// The value of every region of `atlas`, in the atlas's label order.
    static func read(_ url: URL, quantity: Quantity, atlas: AtlasSet.Entry) throws -> [Double] {
        let path = url.path
        let (header, rows) = try readTSV(url)
        let columns = try Columns(header: header, quantity: quantity, path: path)
        guard !rows.isEmpty else {
            throw IngestError.file(path, "has a header but no rows; atlas \(atlas.record.name) has \(atlas.regions.count) regions")
        }
        let lookup = RegionLookup(atlas: atlas)
        var values = [Double?](repeating: nil, count: atlas.regions.count)
        var firstLine = [Int](repeating: 0, count: atlas.regions.count)
        for (offset, row) in rows.enumerated() {
            let line = offset + 2
            let position = try lookup.position(of: row, columns: columns, line: line, path: path)
            guard values[position] == nil else {
                throw IngestError.file(path, "line \(line): region \(atlas.regions[position].name) (label \(atlas.regions[position].label)) appears twice (first on line \(firstLine[position]))")
            }
            values[position] = try value(row[columns.value], quantity: quantity, line: line, path: path)
            firstLine[position] = line
        }
        let missing = atlas.regions.indices.filter { values[$0] == nil }.map { atlas.regions[$0].name }
        guard missing.isEmpty else {
            let shown = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
            throw IngestError.file(path, "misses \(missing.count) of atlas \(atlas.record.name)'s \(atlas.regions.count) regions: \(shown)")
        }
        return values.map { $0! }
    }

    private static func value(_ cell: String, quantity: Quantity, line: Int, path: String) throws -> Double {
        guard let value = Double(cell.trimmingCharacters(in: .whitespaces)) else {
            throw IngestError.file(path, "line \(line), column \(quantity.column): '\(cell)' is not a number")
        }
        guard value.isFinite else {
            throw IngestError.file(path, "line \(line), column \(quantity.column): '\(cell)' is not a finite number")
        }
        if let problem = quantity.problem(value) {
            throw IngestError.file(path, "line \(line), column \(quantity.column): \(cell) \(problem)")
        }
        return value
    }

    /// Where the region and value columns are.
    struct Columns {
        let label: Int?
        /// `index` or `label`, as the header spells the label column.
        let labelHeader: String
        let name: Int?
        let value: Int

        init(header: [String], quantity: Quantity, path: String) throws {
            let cleaned = header.map { $0.trimmingCharacters(in: .whitespaces) }
            label = cleaned.firstIndex(of: "index") ?? cleaned.firstIndex(of: "label")
            labelHeader = label.map { cleaned[$0] } ?? "index"
            name = cleaned.firstIndex(of: "name")
            guard label != nil || name != nil else {
                throw IngestError.file(path, "no region column: the header needs index (or label), the atlas's integer label, or name, the region's name")
            }
            guard let value = cleaned.firstIndex(of: quantity.column) else {
                throw IngestError.file(path, "no \(quantity.column) column (header: \(cleaned.joined(separator: ", ")))")
            }
            self.value = value
        }
    }

    /// The atlas's regions by label and by name.
    struct RegionLookup {
        let atlas: AtlasSet.Entry
        let byLabel: [Int: Int]
        let byName: [String: Int]

        init(atlas: AtlasSet.Entry) {
            self.atlas = atlas
            byLabel = Dictionary(atlas.regions.enumerated().map { ($1.label, $0) }, uniquingKeysWith: { a, _ in a })
            byName = Dictionary(atlas.regions.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        }

        /// The region a row names (its position in label order).
        func position(of row: [String], columns: Columns, line: Int, path: String) throws -> Int {
            let atlasName = atlas.record.name
            var fromLabel: Int?
            if let column = columns.label {
                let cell = row[column].trimmingCharacters(in: .whitespaces)
                guard let label = Int(cell) else {
                    throw IngestError.file(path, "line \(line), column \(columns.labelHeader): '\(cell)' is not an integer label")
                }
                guard let position = byLabel[label] else {
                    throw IngestError.file(path, "line \(line): label \(label) is not a region of atlas \(atlasName)")
                }
                fromLabel = position
            }
            guard let column = columns.name else { return fromLabel! }
            let name = row[column].trimmingCharacters(in: .whitespaces)
            guard let position = byName[name] else {
                throw IngestError.file(path, "line \(line): '\(name)' is not a region name of atlas \(atlasName)")
            }
            if let fromLabel, fromLabel != position {
                throw IngestError.file(path, "line \(line): label \(atlas.regions[fromLabel].label) is region \(atlas.regions[fromLabel].name) of atlas \(atlasName), not '\(name)'")
            }
            return position
        }
    }
}
