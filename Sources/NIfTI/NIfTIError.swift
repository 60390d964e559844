/// Everything that can go wrong reading or writing a NIfTI file.
///
/// Each case carries the file path, and ``description`` is one line of the form
/// `"<path>: <problem>"`, fit to show a user as is.
public enum NIfTIError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but cannot be opened (permissions, a directory, ...).
    case unreadable(path: String, reason: String)
    /// The file is not a NIfTI-1 or NIfTI-2 file.
    case notNIfTI(path: String, reason: String)
    /// The header parses but describes an impossible or unsupported image.
    case invalidHeader(path: String, reason: String)
    /// The voxel datatype is one this module does not handle (RGB, complex, ...).
    case unsupportedDatatype(path: String, code: Int, name: String)
    /// The gzip stream is damaged (bad deflate data or checksum).
    case corruptCompression(path: String, reason: String)
    /// The file ends before all the voxel data.
    case truncated(path: String, expectedBytes: Int, foundBytes: Int)
    /// A streamed 4-D file ends inside volume `volume` (1-based) of `volumeCount`.
    case truncatedVolume(path: String, volume: Int, volumeCount: Int, expectedBytes: Int, foundBytes: Int)
    /// A voxel of a label volume is not an integer (or is NaN/Inf, or outside `Int32`).
    case notIntegerLabels(path: String, voxel: [Int], value: Double)
    /// Writing failed; the partial file has been removed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "\(path): no such file"
        case .unreadable(let path, let reason):
            "\(path): cannot read: \(reason)"
        case .notNIfTI(let path, let reason):
            "\(path): not a NIfTI-1 or NIfTI-2 file: \(reason)"
        case .invalidHeader(let path, let reason):
            "\(path): invalid NIfTI header: \(reason)"
        case .unsupportedDatatype(let path, let code, let name):
            "\(path): unsupported datatype \(name) (code \(code))"
        case .corruptCompression(let path, let reason):
            "\(path): corrupt gzip data: \(reason)"
        case .truncated(let path, let expected, let found):
            "\(path): truncated: expected \(grouped(expected)) bytes of voxel data, found \(grouped(found))"
        case .truncatedVolume(let path, let volume, let count, let expected, let found):
            "\(path): truncated at volume \(volume) of \(count): expected \(grouped(expected)) bytes, found \(grouped(found))"
        case .notIntegerLabels(let path, let voxel, let value):
            "\(path): not an integer label volume: voxel (\(voxel.map(String.init).joined(separator: ", "))) has value \(value)"
        case .writeFailed(let path, let reason):
            "\(path): cannot write: \(reason)"
        }
    }
}

/// `1234567` → `"1,234,567"`: byte counts in messages are easier to compare grouped.
func grouped(_ number: Int) -> String {
    let digits = Array(String(number.magnitude))
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
        out.append(digit)
    }
    return number < 0 ? "-" + out : out
}
