import CommandTestSupport
import Foundation
import Testing

/// A command's JSON document (an object), after checking that it succeeded.
func jsonObject(_ result: InProcessDTB.Result) throws -> [String: Any] {
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
}

/// A refusal: a one-line error on stderr, nothing on stdout, exit status 1; returns the line.
func refusal(_ result: InProcessDTB.Result) -> String {
    #expect(result.status == 1 && result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix("dtb: ") && result.stderr.filter { $0 == "\n" }.count == 1, "\(result.stderr)")
    return result.stderr
}
