import Postgres

/// What a stored measure holds: `measure.kind` and `twin_version_input.role` (see
/// `Schema/0002_subjects.sql`), the `kind` attribute of a subject HDF5 file, and `kind` in every
/// JSON document that lists measures.
public enum MeasureKind: String, Sendable, Codable, CaseIterable, PostgresBindable {
    /// Gray-matter volume per region (mm³), from a T1w gray-matter probability map.
    case grayMatterVolume = "gm_volume"
    /// Synaptic density per region (SV2A PET, e.g. SUVR), from a 3-D PET map.
    case synapticDensity = "synaptic_density"
    /// Region mean BOLD time series, from a 4-D BOLD run or a region time-series table.
    case boldTimeseries = "bold_timeseries"
    /// DWI tract density between regions (a connectome).
    case tractDensity = "tract_density"
    /// DWI tract length between regions in mm (a connectome).
    case tractLength = "tract_length"

    /// True for the region × region kinds, stored as `connectome_edge` rows rather than
    /// regional values.
    public var isConnectome: Bool { self == .tractDensity || self == .tractLength }

    /// The kind as the database spells it.
    public var postgresText: String { rawValue }
    /// Sent as `text`, which the column's CHECK constraint compares with its list.
    public static var postgresTypeOID: UInt32 { PostgresType.text }
}
