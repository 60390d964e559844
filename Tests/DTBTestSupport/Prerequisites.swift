import Foundation
import Testing

/// Something a test needs from outside the package: data beside the checkout or a program.
public enum Prerequisite: String, Sendable, CaseIterable {
    /// The atlas data mirror, `../shared/atlas-data` (or `$DTB_SHARED/atlas-data`).
    case atlasMirror
    /// The `dtb` executable, built with the package, beside the test bundle.
    case dtbExecutable
    /// HDF5's `h5dump`, from the hdf5-tools package `scripts/setup.sh` installs.
    case h5dump
    /// Open MPI's `mpirun`, from the openmpi-bin package `scripts/setup.sh` installs.
    case mpirun
    /// Debian's `chromium`, which `scripts/setup.sh` installs for the dashboard's browser test.
    case chromium

    /// Where it was found when the test process started, or `nil` when it is absent.
    public var location: URL? {
        switch self {
        case .atlasMirror: Prerequisites.atlasMirror
        case .dtbExecutable: Prerequisites.dtbExecutable
        case .h5dump: Prerequisites.h5dump
        case .mpirun: Prerequisites.mpirun
        case .chromium: Prerequisites.chromium
        }
    }

    /// What is missing, in the words a skip or a failure shows.
    public var absence: String {
        switch self {
        case .atlasMirror: "the atlas mirror ../shared/atlas-data is missing (or set DTB_SHARED to the folder holding atlas-data)"
        case .dtbExecutable: "the dtb executable is missing beside the test bundle (build with `swift build --build-tests`)"
        case .h5dump: "h5dump is not on PATH (scripts/setup.sh installs hdf5-tools)"
        case .mpirun: "mpirun is not on PATH (scripts/setup.sh installs openmpi-bin)"
        case .chromium: "chromium is not on PATH (scripts/setup.sh installs it)"
        }
    }
}

/// The prerequisites, found once per test process, and whether their absence is a failure.
public enum Prerequisites {
    /// The atlas data mirror, when present.
    public static let atlasMirror: URL? = sharedDirectory().map { $0.appendingPathComponent("atlas-data", isDirectory: true) }
        .flatMap { isDirectory($0) ? $0 : nil }

    /// The `dtb` executable beside the test bundle, when present.
    public static let dtbExecutable: URL? = {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dtb")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }()

    /// `h5dump` on the PATH, when present.
    public static let h5dump: URL? = onPath("h5dump")

    /// `mpirun` on the PATH, when present.
    public static let mpirun: URL? = onPath("mpirun")

    /// `chromium` on the PATH, when present.
    public static let chromium: URL? = onPath("chromium")

    /// The first executable `name` in a folder of the PATH.
    static func onPath(_ name: String) -> URL? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The environment variable CI sets so that a missing prerequisite fails instead of skipping.
    public static let requirementVariable = "DTB_REQUIRE_PREREQUISITES"

    /// Whether this test process was told that every prerequisite must be present.
    public static let areRequired = isRequired(in: ProcessInfo.processInfo.environment)

    /// Whether `environment` asks for every prerequisite to be present.
    public static func isRequired(in environment: [String: String]) -> Bool {
        environment[requirementVariable] == "1"
    }

    /// Whether a test needing `prerequisites` runs: `true` when all are present; `false` (a visible
    /// skip) when one is absent; throws (a failure) when one is absent and they are `required`.
    public static func permitRun(_ prerequisites: [Prerequisite], required: Bool = areRequired) throws -> Bool {
        let absent = prerequisites.filter { $0.location == nil }
        guard absent.isEmpty else {
            if required { throw PrerequisiteMissing(absent: absent) }
            return false
        }
        return true
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }
}

/// A prerequisite is absent although `DTB_REQUIRE_PREREQUISITES=1` says it must be present.
public struct PrerequisiteMissing: Error, CustomStringConvertible {
    /// The prerequisites that were not found.
    public let absent: [Prerequisite]

    public var description: String {
        "\(Prerequisites.requirementVariable)=1 but " + absent.map(\.absence).joined(separator: "; ")
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test or suite only when every one of `prerequisites` is present; otherwise it shows
    /// as skipped, naming what is missing, or fails where `DTB_REQUIRE_PREREQUISITES=1` (CI).
    public static func requires(_ prerequisites: Prerequisite..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        let reason = prerequisites.filter { $0.location == nil }.map(\.absence).joined(separator: "; ")
        return .enabled(reason.isEmpty ? nil : Comment(rawValue: reason), sourceLocation: sourceLocation) {
            try Prerequisites.permitRun(prerequisites)
        }
    }
}
