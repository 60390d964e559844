import AtlasCatalog
import Foundation
import Hemodynamics
import Postgres
import SpikingEngine
import Store
import TwinBuilder

/// What `dtb twin build` asks for.
public struct TwinBuildRequest: Sendable {
    public var subject: String
    public var atlas: String
    public var level: TwinLevel
    public var parameters: BuildParameters
    /// BOLD model the version's runs use.
    public var bold: BalloonWindkesselParameters
    /// SV2A reference regions; nil takes the atlas manifest's.
    public var reference: [String]?
    /// Name of a new twin; nil gives `<subject>-<atlas>[-voxel]`.
    public var name: String?

    public init(subject: String, atlas: String, level: TwinLevel = .region, parameters: BuildParameters,
                bold: BalloonWindkesselParameters = .dtb, reference: [String]? = nil, name: String? = nil) {
        self.subject = subject; self.atlas = atlas; self.level = level; self.parameters = parameters
        self.bold = bold; self.reference = reference; self.name = name
    }
}

/// What a build did.
public struct TwinBuildOutcome: Sendable, Codable, Equatable {
    /// `repaired`: the build matched the newest version, some of whose files were missing or
    /// damaged, and put them back.
    public enum Action: String, Sendable, Codable { case created, unchanged, repaired }
    public var twin: String
    public var version: Int
    public var action: Action
    public var neurons: Int
    public var synapses: Int
    public var networkDigest: String
    public var files: [TwinFileInfo]
    public var fallbacks: FallbacksUsed
    /// ``TwinNetwork/undersizedLocalPools``: 0 when every local share could be drawn as the tables ask.
    public var undersizedLocalPools: Int
    public var buildSeconds: Double
}

/// A stored file of a version.
public struct TwinFileInfo: Sendable, Codable, Equatable {
    public var role: String
    public var path: String
    public var sha256: String
    public var sizeBytes: Int
}

/// Builds twins and stores each build as a new immutable version.
///
/// The network is computed and its files are staged outside any transaction; one transaction,
/// serialised per twin by an advisory lock, then numbers the version, records it and moves the
/// files into place. Two builds of one twin at once give versions n and n+1; a failure leaves
/// neither rows nor files.
public struct TwinRegistry {
    /// The longest twin name: a name is typed in commands and printed in tables; a default one
    /// (`<subject>-<atlas>[-voxel]`) longer than this needs --name.
    public static let maximumNameLength = 64

    public let database: Database
    public init(database: Database) { self.database = database }

    public func build(_ request: TwinBuildRequest, progress: (String) -> Void = { _ in }) throws -> TwinBuildOutcome {
        let started = Date()
        let inputs = try TwinInputReader(database: database)
            .inputs(subject: request.subject, atlas: request.atlas, level: request.level, reference: request.reference,
                    threshold: request.parameters.grayMatterThreshold ?? 0.5)
        progress("building \(inputs.records.units.count) units, N = \(request.parameters.neurons), K = \(request.parameters.meanInDegree)")
        let network = try TwinNetwork(records: inputs.records, parameters: request.parameters)
        progress("\(network.neuronCount) neurons, \(network.edges.count) synapses; writing SONATA files")
        let undersized = network.undersizedLocalPools
        if undersized > 0 {
            progress("warning: \(undersized) local populations are smaller than the distinct inputs their targets expect from them; those inputs shift to other sources (raise N or lower K)")
        }
        let staged = try stage(network)
        defer { for file in staged.values { database.files.discard(file, on: database.connection) } }
        let digest = Self.networkDigest(staged.mapValues(\.sha256))
        let name = request.name ?? Self.defaultName(subject: inputs.subject, atlas: inputs.atlas.name, level: request.level)
        return try database.connection.transaction { connection in
            try connection.advisoryTransactionLock(named: "twin:\(inputs.subject):\(inputs.atlas.name):\(request.level.rawValue)")
            let twinID = try twinRow(name: name, inputs: inputs, on: connection)
            let latest = try latestVersion(of: twinID, on: connection)
            let summary = network.summary
            func outcome(_ version: Int, _ action: TwinBuildOutcome.Action, _ files: [TwinFileInfo]) -> TwinBuildOutcome {
                TwinBuildOutcome(twin: name, version: version, action: action, neurons: summary.neurons, synapses: summary.synapses,
                                 networkDigest: digest, files: files, fallbacks: network.fallbacks,
                                 undersizedLocalPools: summary.undersizedLocalPools, buildSeconds: Date().timeIntervalSince(started))
            }
            if let latest, latest.digest == digest, latest.bold == request.bold, latest.inputs == inputs.measures {
                let repaired = try restoreFiles(of: latest.id, from: staged, on: connection)
                return outcome(latest.version, repaired ? .repaired : .unchanged, try TwinQueries(database: database).files(versionID: latest.id))
            }
            let version = (latest?.version ?? 0) + 1
            let versionID = try connection.query("""
                INSERT INTO twin_version (twin_id, version, parent_id, origin, status, seed, builder_parameters, model,
                                          bold_preset, bold_parameters, code_version, neurons, synapses, summary, network_digest)
                VALUES ($1, $2, $3, 'build', 'ready', $4::numeric, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
                """, [twinID, version, latest?.id, String(request.parameters.seed),
                      try PostgresJSON(encoding: request.parameters), try PostgresJSON(encoding: EngineModel(request.parameters)),
                      request.bold.name, try PostgresJSON(encoding: request.bold), ProjectResources.codeVersion,
                      summary.neurons, summary.synapses, try PostgresJSON(encoding: summary), digest]).scalar().int!
            let files = try record(versionID: versionID, measures: inputs.measures, staged: staged, on: connection)
            try connection.notify(TwinVersionNotification(twin: name, version: version))
            CrashPoint.stallBeforeCommit()
            return outcome(version, .created, files)
        }
    }

    /// The newest version of a twin: what an identical rebuild must match.
    struct LatestVersion {
        var id: Int
        var version: Int
        var digest: String
        var bold: BalloonWindkesselParameters
        var inputs: [MeasureKind: Int]
    }

    func latestVersion(of twinID: Int, on connection: PostgresConnection) throws -> LatestVersion? {
        guard let row = try connection.query("""
            SELECT v.id, v.version, v.network_digest, v.bold_parameters,
                   coalesce((SELECT jsonb_object_agg(role, measure_id) FROM twin_version_input i WHERE i.twin_version_id = v.id), '{}') AS inputs
              FROM twin_version v WHERE v.twin_id = $1 ORDER BY v.version DESC LIMIT 1
            """, [twinID]).first else { return nil }
        return LatestVersion(id: row["id"].int!, version: row["version"].int!, digest: row["network_digest"].string!,
                             bold: try row["bold_parameters"].decode(BalloonWindkesselParameters.self),
                             inputs: try Self.roleMeasures(row["inputs"].decode([String: Int].self)))
    }

    /// `twin_version_input` rows as JSON (`{role: measure id}`) keyed by kind.
    static func roleMeasures(_ json: [String: Int]) -> [MeasureKind: Int] {
        Dictionary(uniqueKeysWithValues: json.map { (MeasureKind(rawValue: $0.key)!, $0.value) })
    }

    /// The version's input measures and files (moved into place now, inside the transaction).
    func record(versionID: Int, measures: [MeasureKind: Int], staged: [String: StagedFile],
                on connection: PostgresConnection) throws -> [TwinFileInfo] {
        for role in TwinInputReader.roles {
            guard let measure = measures[role] else { continue }
            try connection.query("INSERT INTO twin_version_input (twin_version_id, role, measure_id) VALUES ($1, $2, $3)",
                                 [versionID, role, measure])
        }
        return try TwinFiles.roles.map { role in
            let stored = try database.files.register(staged[role]!, on: connection)
            try connection.query("INSERT INTO twin_version_file (twin_version_id, role, file_id) VALUES ($1, $2, $3)",
                                 [versionID, role, stored.id])
            return TwinFileInfo(role: role, path: stored.relativePath, sha256: stored.sha256, sizeBytes: Int(stored.size))
        }
    }

    /// Puts back the files of an existing version that are missing or damaged, from the identical
    /// ones this build staged. - Returns: whether any was.
    func restoreFiles(of versionID: Int, from staged: [String: StagedFile], on connection: PostgresConnection) throws -> Bool {
        var restored = false
        for role in TwinFiles.roles {
            guard let file = staged[role] else { continue }
            if (try? database.files.verify(StoredFile(id: 0, relativePath: file.relativePath, sha256: file.sha256, size: file.size))) == nil {
                _ = try database.files.register(file, on: connection)
                restored = true
            }
        }
        return restored
    }

    /// The channel of the ``TwinVersionNotification`` every new version sends.
    public static let notificationChannel = TwinVersionNotification.channel

    /// Writes the SONATA files into the store's staging area, one staged file per role.
    func stage(_ network: TwinNetwork) throws -> [String: StagedFile] {
        let directory = try database.files.newStagingPath()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try TwinFiles.write(network, into: directory)
        var staged: [String: StagedFile] = [:]
        do {
            for role in TwinFiles.roles {
                let source = written[role]!
                staged[role] = try database.files.stage(kind: "twins", extension: source.pathExtension,
                                                        format: source.pathExtension == "h5" ? "hdf5" : "other") { target in
                    try FileManager.default.moveItem(at: source, to: target)
                }
            }
        } catch {
            for file in staged.values { try? FileManager.default.removeItem(at: file.temporary) }
            throw error
        }
        return staged
    }

    /// SHA-256 over the files' SHA-256 in role order.
    static func networkDigest(_ shas: [String: String]) -> String {
        SHA256.hex(Array(TwinFiles.roles.map { "\($0):\(shas[$0]!)" }.joined(separator: "\n").utf8))
    }

    static func defaultName(subject: String, atlas: String, level: TwinLevel) -> String {
        "\(subject)-\(atlas)" + (level == .voxel ? "-voxel" : "")
    }

    /// The twin of the subject/atlas/level, created on its first build; a requested name must match.
    func twinRow(name: String, inputs: TwinInputs, on connection: PostgresConnection) throws -> Int {
        let subjectID = try TwinInputReader.subjectID(inputs.subject, on: connection)
        if let row = try connection.query("SELECT id, name FROM twin WHERE subject_id = $1 AND atlas_id = $2 AND level = $3",
                                          [subjectID, inputs.atlas.id, inputs.level.rawValue]).first {
            guard row["name"].string == name else {
                throw TwinError.invalid("subject \(inputs.subject) already has a \(inputs.level.rawValue)-level twin on \(inputs.atlas.name), named \(row["name"].string!); build it under that name")
            }
            return row["id"].int!
        }
        if try connection.query("SELECT 1 FROM twin WHERE name = $1", [name]).count > 0 {
            throw TwinError.invalid("twin name \(name) is taken by another subject or atlas; choose another with --name")
        }
        guard name.count <= Self.maximumNameLength else {
            throw TwinError.invalid("twin name '\(name.prefix(24))…' has \(name.count) characters, more than \(Self.maximumNameLength); choose a shorter one with --name")
        }
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]*$", options: .regularExpression) != nil else {
            throw TwinError.invalid("twin name '\(name)' must start with a letter or digit and use only letters, digits, '_', '.', '-'")
        }
        return try connection.query("INSERT INTO twin (name, subject_id, atlas_id, level) VALUES ($1, $2, $3, $4) RETURNING id",
                                    [name, subjectID, inputs.atlas.id, inputs.level.rawValue]).scalar().int!
    }
}

/// The engine-side parameters of a version (`twin_version.model`): neuron model, background,
/// conductance multipliers and step.
struct EngineModel: Codable {
    var neuron: NeuronModel
    var background: OrnsteinUhlenbeck?
    var excitatoryScale: Double
    var inhibitoryScale: Double
    var dt: Double

    init(_ p: BuildParameters) {
        neuron = p.model
        background = p.background
        excitatoryScale = p.excitatoryScale; inhibitoryScale = p.inhibitoryScale; dt = p.dt
    }
}
