import Foundation

/// A whole SVG file: the root element with its size, and the XML declaration.
public struct SVGDocument: Sendable {
    /// Pixels.
    public let width: Double, height: Double
    /// The root's children, in drawing order.
    public let content: [SVGElement]

    /// A document of the given size.
    public init(width: Double, height: Double, content: [SVGElement]) {
        self.width = width; self.height = height; self.content = content
    }

    /// The file's text.
    public func render() -> String {
        let root = SVGElement("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", SVGElement.number(width)),
                                      ("height", SVGElement.number(height)),
                                      ("viewBox", "0 0 \(SVGElement.number(width)) \(SVGElement.number(height))"),
                                      ("font-family", "sans-serif"), ("font-size", "11")],
                              children: [SVGElement("rect", [("class", "background"), ("width", "100%"), ("height", "100%"), ("fill", "white")])] + content)
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.render() + "\n"
    }

    /// Writes the file (UTF-8), replacing any old one.
    public func write(to url: URL) throws {
        try Data(render().utf8).write(to: url, options: .atomic)
    }
}

/// A text element with the given class, position and anchor.
func label(_ text: String, x: Double, y: Double, anchor: String = "middle", className: String, rotate: Bool = false) -> SVGElement {
    var attributes = [("class", className), ("x", SVGElement.number(x)), ("y", SVGElement.number(y)), ("text-anchor", anchor)]
    if rotate { attributes.append(("transform", "rotate(-90 \(SVGElement.number(x)) \(SVGElement.number(y)))")) }
    return SVGElement("text", attributes, text: text)
}
