/// A JSON scalar from a peer tool's output line (nilearn's), kept as text for the table and
/// written back as a number when it is one.
public struct PeerValue: Sendable, Codable, Equatable {
    /// The value as the text report shows it (`[91, 109, 91]` as `91×109×91`).
    public let text: String

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        } else if let value = try? container.decode(String.self) {
            text = value
        } else if let value = try? container.decode([Int].self) {
            text = value.map(String.init).joined(separator: "×")
        } else {
            text = "?"
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let number = Double(text) { try container.encode(number) } else { try container.encode(text) }
    }
}
