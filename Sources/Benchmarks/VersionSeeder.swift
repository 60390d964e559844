import Foundation
import Services
import Store

/// Grows a twin to thousands of versions cheaply, for `dtb bench serve --versions N`: the load
/// needs a long history, and building (or fitting) 10,000 networks would take days.
///
/// Each added version is an honest row that every constraint accepts: a rebuild of the twin's
/// newest built version (same inputs, parameters, seed, files and network digest: the builder is
/// deterministic, so a rebuild is that network), numbered on from the latest version, each the
/// child of the one before, status `ready`. One statement inserts the versions with their inputs
/// and files (`INSERT … SELECT` over `generate_series`: the rows never travel to the client).
public struct VersionSeeder {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// Adds versions to the twin with the most until it has `target`; returns how many were added.
    public func grow(to target: Int, progress: (String) -> Void) throws -> Int {
        guard let twin = try database.connection.query("""
            SELECT t.id, t.name, max(v.version) FROM twin t JOIN twin_version v ON v.twin_id = t.id
             GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1
            """).first, let twinID = twin[0].int, let name = twin[1].string, let latest = twin[2].int else {
            throw BenchmarkError("the database has no twin to grow (run `dtb demo` first)")
        }
        guard target > latest else { return 0 }
        guard let template = try database.connection.query("""
            SELECT id FROM twin_version WHERE twin_id = $1 AND origin = 'build' AND status = 'ready' ORDER BY version DESC LIMIT 1
            """, [twinID]).first?[0].int else {
            throw BenchmarkError("twin \(name) has no ready built version to rebuild")
        }
        let started = Date()
        _ = try database.connection.transaction { c in
            try c.query("""
                WITH template AS (SELECT * FROM twin_version WHERE id = $1),
                latest AS (SELECT id FROM twin_version WHERE twin_id = $2 AND version = $3),
                fresh AS (SELECT k, nextval(pg_get_serial_sequence('twin_version', 'id')) AS id FROM generate_series(1, $4::integer) AS k),
                added AS (
                    INSERT INTO twin_version (id, twin_id, version, parent_id, origin, status, seed, builder_parameters, model, bold_preset,
                                              bold_parameters, code_version, neurons, synapses, summary, network_digest)
                    SELECT f.id, t.twin_id, $3 + f.k, coalesce(lag(f.id) OVER (ORDER BY f.k), (SELECT id FROM latest)), 'build', 'ready', t.seed,
                           t.builder_parameters, t.model, t.bold_preset, t.bold_parameters, t.code_version, t.neurons, t.synapses, t.summary,
                           t.network_digest
                      FROM fresh f, template t
                    RETURNING id),
                files AS (
                    INSERT INTO twin_version_file (twin_version_id, role, file_id)
                    SELECT a.id, f.role, f.file_id FROM added a, twin_version_file f
                     WHERE f.twin_version_id = $1 AND f.role IN ('nodes', 'edges', 'node_types', 'edge_types'))
                INSERT INTO twin_version_input (twin_version_id, role, measure_id)
                SELECT a.id, i.role, i.measure_id FROM added a, twin_version_input i WHERE i.twin_version_id = $1
                """, [template, twinID, latest, target - latest])
        }
        progress("twin \(name): \(target - latest) versions added (\(latest + 1)–\(target)) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        return target - latest
    }
}
