import Foundation
import HDF5Kit
import Store

extension BOLDRunReader {
    /// A voxel twin's BOLD: the measure's voxel series (ingested with `--voxel-series`) at each
    /// unit's voxel, frames × units. The image must be on the grid of the gray-matter map the twin
    /// was built from (not resampled), so that a unit's voxel index names the same voxel in both.
    func voxelSeries(measure: Int, versionID: Int, units: [String], atlas: String, twin: String) throws -> [[Float]] {
        let row = try database.connection.query("""
            SELECT b.grid_id AS bold_grid, b.resampled, g.grid_id AS gm_grid, d.id, d.relative_path, d.sha256, d.size_bytes
              FROM measure b JOIN data_file d ON d.id = b.file_id
              LEFT JOIN twin_version_input i ON i.twin_version_id = $2 AND i.role = 'gm_volume'
              LEFT JOIN measure g ON g.id = i.measure_id
             WHERE b.id = $1
            """, [measure, versionID]).first!
        let url = try database.files.verify(StoredFile(id: row["id"].int!, relativePath: row["relative_path"].string!,
                                                       sha256: row["sha256"].string!, size: Int64(row["size_bytes"].int!)))
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        guard file.exists("/\(atlas)/voxel_series") else {
            throw TwinError.invalid("measure \(measure) has no voxel series; ingest its image with --voxel-series \(atlas) to fit voxel twin \(twin)")
        }
        guard let grid = row["bold_grid"].int, row["resampled"].bool == false, grid == row["gm_grid"].int else {
            throw TwinError.invalid("measure \(measure) is not on the grid of twin \(twin)'s gray-matter map; a voxel twin is fitted to a BOLD image on that grid")
        }
        let index = try file.dataset("/\(atlas)/voxel_index").read(Int32.self)
        let column = Dictionary(index.enumerated().map { (Int($1), $0) }, uniquingKeysWith: { a, _ in a })
        let columns = try units.map { name -> Int in
            guard let at = name.lastIndex(of: "@"), let voxel = Int(name[name.index(after: at)...]), let c = column[voxel] else {
                throw TwinError.invalid("measure \(measure): unit \(name) of voxel twin \(twin) has no voxel in its voxel series")
            }
            return c
        }
        let dataset = try file.dataset("/\(atlas)/voxel_series")
        let width = dataset.shape[1], values = try dataset.read(Float.self)
        return (0..<dataset.shape[0]).map { t in columns.map { values[t * width + $0] } }
    }
}
