import Hummingbird
import Plots

/// A server-rendered dashboard page: a title, a navigation bar and body HTML; plots inline as SVG.
struct HTMLPage {
    var title: String
    var body: String

    /// The page as an HTML response.
    var response: Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>\(Self.escape(title)) — dtb</title>
            <style>body{font-family:sans-serif;margin:1.5em;max-width:1200px}table{border-collapse:collapse;margin:.5em 0 1.5em}\
            th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}th{background:#f3f3f3}nav a{margin-right:1em}\
            .plots{display:flex;flex-wrap:wrap;gap:1em}</style></head>
            <body><nav><a href="/">dtb</a><a href="/subjects">Subjects</a><a href="/twins">Twins</a><a href="/studies">Studies</a><a href="/jobs">Jobs</a></nav>
            <h1>\(Self.escape(title))</h1>
            \(body)
            </body></html>
            """
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// Text made safe for HTML content and attribute values.
    static func escape(_ text: String) -> String { SVGElement.escape(text) }

    /// A table with a header row; cells are HTML (escape text first).
    static func table(_ headers: [String], _ rows: [[String]], id: String? = nil) -> String {
        let head = headers.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table\(id.map { " id=\"\($0)\"" } ?? "")><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// An SVG document for inline use (without its XML declaration).
    static func inline(_ document: SVGDocument) -> String {
        let text = document.render()
        guard let end = text.firstIndex(of: "\n") else { return text }
        return String(text[text.index(after: end)...])
    }

    /// A link with escaped text.
    static func link(_ href: String, _ text: String) -> String { "<a href=\"\(escape(href))\">\(escape(text))</a>" }

    /// A number with `digits` decimals, or an en dash for none.
    static func number(_ value: Double?, digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "–"
    }
}
