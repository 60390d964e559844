// Plots — SVG figures from numbers (pure Swift, Foundation only): axes with units and "nice"
// ticks, linear and log scales, line plots with bands, scatter, bars and points with error bars,
// heatmaps with colour scales and legends. Serves `--plots` and, later, the web dashboard.
import Foundation

/// One SVG element: a name, attributes in the order given, child elements and text; rendered as
/// XML with every attribute value and text escaped, so labels from the data (region names) cannot
/// break the document.
public struct SVGElement: Sendable {
    /// The element name (`svg`, `g`, `line`, `text`, …).
    public var name: String
    /// Attribute names and values, rendered in this order.
    public var attributes: [(String, String)]
    /// Child elements, after the text.
    public var children: [SVGElement]
    /// Character content (for `text` and `title`).
    public var text: String?

    /// An element; numbers in attributes should come from ``SVGElement/number(_:)``.
    public init(_ name: String, _ attributes: [(String, String)] = [], text: String? = nil, children: [SVGElement] = []) {
        self.name = name; self.attributes = attributes; self.text = text; self.children = children
    }

    /// The XML text of this element and its descendants.
    public func render() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        out += "<" + name
        for (key, value) in attributes { out += " \(key)=\"\(Self.escape(value))\"" }
        guard text != nil || !children.isEmpty else { out += "/>"; return }
        out += ">"
        if let text { out += Self.escape(text) }
        for child in children { child.write(into: &out) }
        out += "</\(name)>"
    }

    /// Text with the five XML special characters replaced by entities and control characters
    /// (not allowed in XML 1.0) dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default: if scalar.value >= 0x20 { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A coordinate as attribute text: two decimals, no trailing zeros, "-0" written as "0".
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        var s = String(format: "%.2f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}
