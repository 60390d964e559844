import HDF5Kit
import Interventions
import Store

/// A study's settings as stored (`study.spec` and its columns): what was asked, resolved.
public struct StudySettings: Sendable, Codable, Equatable {
    /// The interventions as given (every treated arm applies all of them).
    public var interventions: [InterventionSpec]
    public var sweep: Sweep?
    /// The seeds every arm runs with.
    public var seeds: [Int]
    public var seconds: Double
    public var warmupSeconds: Double
    public var repetitionTime: Double
    public var binMilliseconds: Double
    /// The measure whose empirical FC each run is compared with.
    public var measure: Int?
    /// built or fitted (both arms replay the version's h(t)).
    public var replay: String
    /// Frequencies (Hz) of the stimulation waveforms, at which each unit's activity power is an outcome.
    public var psdFrequencies: [Double]
    /// True when each run also keeps spikes per population in the activity bins; nil: not
    /// (and absent from specs stored before it existed).
    public var populationActivity: Bool?
}

/// One arm of a study.
public struct StudyArm: Sendable, Codable, Equatable {
    public var id: Int
    /// 0: untreated.
    public var arm: Int
    public var label: String
    public var interventions: [Intervention]
    public var sweepValue: Double?
}

/// A stored study.
public struct StudyRecord: Sendable {
    public var id: Int
    public var name: String
    public var versionID: Int
    public var twin: String
    public var version: Int
    public var settings: StudySettings
    public var status: String
    public var createdAt: String
    public var arms: [StudyArm]
}

/// One stored run: a seed of an arm.
public struct StudyRunRecord: Sendable, Codable, Equatable {
    public var arm: Int
    public var seed: Int
    public var spikes: Int
    public var meanRateHz: Double
    public var fcSimilarity: Double?
    public var wallSeconds: Double
    public var path: String
    public var sha256: String

    /// Its HDF5 file, opened after its checksum is verified.
    func open(in files: FileStore) throws -> HDF5File {
        try HDF5File.open(path: files.verify(StoredFile(id: 0, relativePath: path, sha256: sha256, size: 0)).path)
    }
}
