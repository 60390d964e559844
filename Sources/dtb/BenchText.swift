import Benchmarks
import Foundation

/// Text rendering of `dtb bench ingest` and `dtb bench build`, and the executable they time.
enum BenchText {
    /// This `dtb` (the benchmarks time it as a child process).
    static var executable: URL {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        return FileManager.default.isExecutableFile(atPath: path.path) ? path : Bundle.main.executableURL ?? path
    }

    static func ingest(_ report: IngestBenchmarkReport, peer: String?) -> [String] {
        var lines = [String(format: "dtb ingest: %@ %@ (%.0f MB on disk, %.0f MB of voxels) onto %@",
                            report.shape.map(String.init).joined(separator: "×"), report.compressed ? ".nii.gz" : ".nii",
                            report.fileMB, report.voxelMB, report.atlases.joined(separator: " + ")),
                     String(format: "  %.2f s, %.0f MB/s, peak RSS %.0f MB  (%@, %d cores)", report.wallS, report.mbPerS,
                            report.peakRssMB, report.machine.cpu, report.machine.cores)]
        for p in report.peers {
            lines.append("  nilearn \(p["version"]?.text ?? "?"): \(p["regions"]?.text ?? "?") regions, \(p["wall_s"]?.text ?? "?") s, \(p["mb_per_s"]?.text ?? "?") MB/s, peak RSS \(p["peak_rss_mb"]?.text ?? "?") MB")
        }
        if peer == nil {
            lines.append("  compare: ../shared/peers/run.sh nilearn BOLD ATLAS (use --peer ../shared/peers/run.sh, with --directory to keep the files)")
        }
        return lines
    }

    static func build(_ report: BuildBenchmarkReport) -> [String] {
        [String(format: "dtb twin build: N = %d, K = %.0f, %d units: %d synapses in %.2f s (%.1f M synapses/s), peak RSS %.0f MB (%.1f B/synapse)",
                report.neurons, report.degree, report.units, report.synapses, report.wallS, report.synapsesPerS / 1e6,
                report.peakRssMB, report.bytesPerSynapseRSS),
         "  files: " + report.fileMB.sorted { $0.key < $1.key }.map { "\($0.key) " + String(format: "%.1f MB", $0.value) }.joined(separator: ", "),
         "  machine: \(report.machine.cpu), \(report.machine.cores) cores"]
    }

    static func assimilate(_ report: AssimilationBenchmarkReport) -> [String] {
        var lines = ["dtb twin assimilate (TR 2 s; real time is under 2 s per frame):",
                     "     M        N   synapses  s/frame  M·N updates/s  peak RSS"]
        for r in report.rows {
            lines.append(String(format: "%6d %8d %10d %8.2f %14.3g ", r.members, r.neurons, r.synapses, r.secondsPerFrame,
                                r.memberNeuronUpdatesPerS) + String(format: "%7.0f MB", r.peakRssMB))
        }
        for n in report.loneTwinRssMB.keys.sorted(by: { Int($0) ?? 0 < Int($1) ?? 0 }) {
            guard let lone = report.loneTwinRssMB[n] else { continue }
            let member = report.memoryPerMemberMB[n]
            lines.append("  N = \(n): a lone twin run peaks at " + String(format: "%.0f MB", lone)
                         + (member.map { String(format: "; each further member adds %.1f MB (%.2f of a lone twin)", $0, $0 / lone) } ?? ""))
        }
        lines.append("  machine: \(report.machine.cpu), \(report.machine.cores) cores")
        return lines
    }
}
