import ArgumentParser
import Foundation
import Store

/// Shared behaviour of every `dtb` command: one-line errors on stderr with a non-zero exit,
/// progress on stderr, and stable JSON on stdout.
enum Console {
    /// Runs `body`; any error becomes `dtb: <message>` on stderr and exit status 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let message = String(describing: error).replacingOccurrences(of: "\n", with: " ")
            FileHandle.standardError.write(Data("dtb: \(message)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// A progress line on stderr (stdout stays clean for data and JSON).
    static func progress(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// Prints one JSON document with sorted keys.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Opens the database named by the environment, starting the embedded cluster if needed.
    static func openDatabase() throws -> Database {
        if ProcessInfo.processInfo.environment["DTB_DATABASE_URL"] == nil {
            let cluster = DataHome.fromEnvironment().cluster
            if (try? cluster.status()) != .running { progress("starting the embedded PostgreSQL cluster in \(cluster.directory.path)") }
        }
        return try Database.open()
    }
}

/// The `--json` flag every data-showing command takes.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document instead of text.")
    var json = false
}
