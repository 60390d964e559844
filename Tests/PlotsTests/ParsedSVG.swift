import Foundation
#if canImport(FoundationXML)
import FoundationXML     // Linux keeps XMLParser in its own module
#endif
import Testing

/// An SVG document read back by Foundation's XMLParser, so tests check what a viewer would see
/// (elements, classes, texts, coordinates) rather than the text's spelling.
final class ParsedSVG: NSObject, XMLParserDelegate {
    /// One element: name, attributes, direct text and the classes of its ancestors.
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        var ancestorClasses: [String]

        /// A numeric attribute; nil when missing or not a number.
        func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []

    /// Parses `text`; fails the test when it is not well-formed XML.
    init(_ text: String) throws {
        super.init()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = self
        let ok = parser.parse()
        #expect(ok, "not well-formed: \(parser.parserError.map(String.init(describing:)) ?? "?")")
        try #require(ok)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let classes = open.compactMap { elements[$0].attributes["class"] }
        elements.append(Element(name: name, attributes: attributes, ancestorClasses: classes))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let last = open.last { elements[last].text += string }
    }

    /// The elements with the given class.
    func withClass(_ name: String) -> [Element] { elements.filter { $0.attributes["class"] == name } }

    /// The texts of `tick-label` elements inside the group of the given class.
    func tickLabels(in group: String) -> [String] {
        elements.filter { $0.attributes["class"] == "tick-label" && $0.ancestorClasses.contains(group) }.map(\.text)
    }
}
