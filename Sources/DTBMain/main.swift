// The `dtb` executable: every command lives in DTBCommands, so that tests can run them in process.
import DTBCommands
import Foundation

exit(DTBCommandLine.run(Array(CommandLine.arguments.dropFirst())))
