// The `dtb` executable: every command lives in DTBCommands, so that tests can run them in process.
import DTBCommands
import Foundation

let status = DTBCommandLine.run(Array(CommandLine.arguments.dropFirst()))
DTBCommandLine.finish()
exit(status)
