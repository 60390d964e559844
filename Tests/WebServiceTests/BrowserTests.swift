import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import WebService

/// Every dashboard page of the seeded database loaded by headless chromium from a live server:
/// the rendered DOM has its title, tables and labelled SVG axes, the console stays silent (the
/// pages have no script), and a PNG screenshot of each is kept under
/// `.build/test-artifacts/dashboard/` (not committed).
@Suite(.serialized) struct BrowserTests {
    /// A page and what its DOM must contain.
    struct Page: Sendable {
        var path: String
        var name: String
        var contains: [String]
    }

    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/test-artifacts/dashboard", isDirectory: true)

    @Test(.requires(.atlasMirror, .chromium)) func everyPageRendersWithoutConsoleErrors() async throws {
        let (database, seed) = try await SeededDatabase.make()
        let harness = try ServiceHarness(database: database, open: true)
        let axis = #"class="axis-title""#
        let pages = [
            Page(path: "/", name: "home", contains: ["<title>dtb — dtb</title>", #"id="subjects""#, #"id="twins""#, "sub-sample"]),
            Page(path: "/subjects", name: "subjects", contains: ["<title>Subjects — dtb</title>", #"id="subjects""#]),
            Page(path: "/subjects/sample", name: "subject", contains: ["<title>sub-sample — dtb</title>", #"id="scans""#, #"id="measures""#,
                                                                      #"id="regional-map""#, "axial view", "coronal view", "sagittal view",
                                                                      axis, "MNI x [mm]", "MNI z [mm]", #"class="legend""#]),
            Page(path: "/subjects/sample?measure=\(seed.boldMeasure)&sort=-value", name: "subject-bold",
                 contains: ["Regional map: measure \(seed.boldMeasure) (bold_timeseries", #"id="regional-map""#]),
            Page(path: "/twins", name: "twins", contains: ["<title>Twins — dtb</title>", seededTwin]),
            Page(path: "/twins/\(seededTwin)", name: "twin", contains: ["<title>\(seededTwin) — dtb</title>", #"id="versions""#, #"id="validations""#,
                                                                        "BOLD r per version", axis, "twin version", "mean_in_degree",
                                                                        #"href="/studies/\#(seededStudy)""#]),
            Page(path: "/twins/\(seededTwin)/runs/\(seed.run)", name: "run-comparison",
                 contains: ["empirical FC", "simulated − empirical", "Pearson r", "BOLD, empirical and simulated", "time [s]", "BOLD [z-score]"]),
            Page(path: "/studies", name: "studies", contains: ["<title>Studies — dtb</title>", #"id="studies""#, seededStudy]),
            Page(path: "/studies/\(seededStudy)", name: "study",
                 contains: ["<title>Study \(seededStudy) — dtb</title>", #"id="arms""#, #"id="effects""#, axis,
                            "Effect on firing rate, factor=0.5", "Δ rate [Hz]", "FC difference", "Δ Pearson r",
                            "FC similarity to the subject against factor", "FC similarity [Pearson r]"]),
            Page(path: "/jobs", name: "jobs", contains: ["<title>Jobs — dtb</title>", #"id="jobs""#]),
        ]
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let app = Application(router: harness.service.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            for page in pages {
                let url = "http://127.0.0.1:\(port)\(page.path)"
                let dom = try Self.chromium(["--dump-dom", url])
                for text in page.contains { #expect(dom.output.contains(text), "\(page.path) lacks \(text)") }
                #expect(!dom.console.contains { $0.contains("CONSOLE") }, "\(page.path): \(dom.console)")
                let png = Self.artifacts.appendingPathComponent("\(page.name).png")
                try? FileManager.default.removeItem(at: png)
                _ = try Self.chromium(["--screenshot=\(png.path)", "--window-size=1280,1600", url])
                #expect(FileManager.default.fileExists(atPath: png.path), "\(page.path): no screenshot")
            }
        }
    }

    /// Runs headless chromium; its standard output, and the lines of its log that report console messages.
    static func chromium(_ arguments: [String]) throws -> (output: String, console: [String]) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("dtb-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = Prerequisite.chromium.location
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0"] + arguments
        // The log goes to a file: a full stderr pipe would stall chromium while stdout is read.
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let logFile = profile.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let log = try Data(contentsOf: logFile)
        let lines = String(decoding: log, as: UTF8.self).split(separator: "\n").map(String.init)
        return (String(decoding: text, as: UTF8.self), lines.filter { $0.contains("CONSOLE") })
    }
}
