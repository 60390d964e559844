import Foundation
import Imaging
import NIfTI

/// An atlas assembled in memory from its source files, checked, and ready to be stored.
public struct AtlasDefinition: Sendable {
    public struct SourceFile: Sendable {
        public var name: String, role: String, sha256: String, size: Int64, url: String?
    }

    /// A node of the hierarchy above the regions (a lobe, a gyrus, or cortex/subcortex).
    public struct Structure: Sendable, Hashable {
        public var level: String, name: String, description: String?, parent: String?
    }

    public struct Region: Sendable {
        public var label: Int
        public var name: String
        public var hemisphere: String
        public var kind: String
        public var lobe: String?
        public var gyrus: String?
        public var description: String?
        /// Name of the structure this region sits under (its gyrus, or cortex/subcortex).
        public var parent: String?
        public var networks: [String: String]
    }

    /// A label volume on one grid, with the file it came from for error messages.
    public struct Grid: Sendable {
        public var volume: LabelVolume
        public var isPrimary: Bool
        public var sourcePath: String
    }

    public var name: String
    public var title: String
    public var version: String
    public var templateSpace: String
    public var citation: String
    public var licence: String
    public var contentDigest: String
    public var sources: [SourceFile]
    public var structures: [Structure]
    public var regions: [Region]
    public var grids: [Grid]

    /// Every label of the table must have voxels on every grid, and every voxel label must be in
    /// the table: a mismatch names the volume or table file and the label.
    func validate(tablePath: String) throws {
        let tableLabels = Set(regions.map { Int32($0.label) })
        for grid in grids {
            let present = grid.volume.presentLabels
            if let stray = present.first(where: { !tableLabels.contains($0) }) {
                let count = grid.volume.labels.lazy.filter { $0 == stray }.count
                throw AtlasError.file(grid.sourcePath, "label \(stray) (\(count) voxels) is not in the label table \(tablePath)")
            }
            let presentSet = Set(present)
            if let missing = regions.first(where: { !presentSet.contains(Int32($0.label)) }) {
                throw AtlasError.file(tablePath, "label \(missing.label) (\(missing.name)) has no voxels in \(grid.sourcePath)")
            }
        }
    }
}

/// Reading label volumes for atlases.
enum LabelVolumeReader {
    /// Reads a 3-D integer label volume; a 4-D image or fractional labels are errors naming the file.
    static func read(_ url: URL) throws -> LabelVolume {
        if let problem = ImageLimits.problem(with: try NIfTIImage.readHeader(path: url.path)) {
            throw AtlasError.file(url.path, problem)
        }
        let image = try NIfTIImage.read(path: url.path)
        let dimensions = image.header.dimensions
        guard dimensions.count == 3 || (dimensions.count > 3 && dimensions.dropFirst(3).allSatisfy { $0 == 1 }) else {
            throw AtlasError.file(url.path, "a label volume must be 3-D, this image has dimensions \(dimensions.map(String.init).joined(separator: "×"))")
        }
        let labels: [Int32]
        do { labels = try image.integerLabels() } catch let error as NIfTIError {
            throw AtlasError(error.description)
        }
        if let negative = labels.first(where: { $0 < 0 }) {
            throw AtlasError.file(url.path, "negative label \(negative) in a label volume")
        }
        let grid = VoxelGrid(dimensions: Array(dimensions.prefix(3)), affine: image.header.affine)
        guard grid.voxelVolume > 0 else { throw AtlasError.file(url.path, "the affine is singular") }
        if let problem = ImageLimits.problem(with: grid) { throw AtlasError.file(url.path, problem) }
        return LabelVolume(grid: grid, labels: labels)
    }
}
