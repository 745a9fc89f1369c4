import Foundation

/// A tiny SVG writer: elements appended as text, attributes escaped, coordinates to 0.1 px.
///
/// Coordinates are meant to be finite and within the page; `number(_:)` still never traps nor
/// writes `nan` or `inf`: NaN is written as 0 and anything beyond ±`coordinateLimit` is clamped.
struct SVGDocument {
    let width: Double
    let height: Double
    private(set) var body = ""
    /// What the figure clipped, marked or left out, one sentence each, for its caption (the HTML
    /// report's `figcaption`; the standalone file carries them in `<desc>`).
    var notes: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The standalone document (XML declaration, namespace, viewBox; white background).
    var text: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        \(element)
        """
    }

    /// The `<svg>` element alone, for embedding in HTML.
    var element: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
            + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
            + (notes.isEmpty ? "" : "<desc>\(Self.escape(notes.joined(separator: " ")))</desc>\n")
            + "<rect x=\"0\" y=\"0\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"white\"/>\n"
            + body + "</svg>\n"
    }

    mutating func add(_ name: String, _ attributes: KeyValuePairs<String, String>, text: String? = nil) {
        var tag = "<\(name)"
        for (key, value) in attributes { tag += " \(key)=\"\(Self.escape(value))\"" }
        if let text {
            tag += ">\(Self.escape(text))</\(name)>\n"
        } else {
            tag += "/>\n"
        }
        body += tag
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#888", width: Double = 1, dash: String? = nil) {
        if let dash {
            add("line", ["x1": Self.number(x1), "y1": Self.number(y1), "x2": Self.number(x2), "y2": Self.number(y2),
                         "stroke": stroke, "stroke-width": Self.number(width), "stroke-dasharray": dash])
        } else {
            add("line", ["x1": Self.number(x1), "y1": Self.number(y1), "x2": Self.number(x2), "y2": Self.number(y2),
                         "stroke": stroke, "stroke-width": Self.number(width)])
        }
    }

    mutating func label(_ string: String, x: Double, y: Double, anchor: String = "start", size: Double = 12, weight: String = "normal", color: String = "#222") {
        add("text", ["x": Self.number(x), "y": Self.number(y), "text-anchor": anchor, "font-size": Self.number(size),
                     "font-weight": weight, "fill": color], text: string)
    }

    mutating func raw(_ text: String) { body += text }

    /// Coordinates beyond this many pixels either way are clamped by `number(_:)`.
    static let coordinateLimit = 1e6

    /// `value` to 0.1 px, without a trailing `.0`; NaN as 0, clamped to ±`coordinateLimit`.
    static func number(_ value: Double) -> String {
        let clamped = value.isNaN ? 0 : min(max(value, -coordinateLimit), coordinateLimit)
        let rounded = (clamped * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(clampedInt(rounded, to: -1_000_000...1_000_000)) }
        return String(format: "%.1f", rounded)
    }

    /// `value` truncated towards zero and clamped to `range` (±inf go to the ends, NaN to the lower
    /// bound). With `clampedIntOrNil`, the only way the figures turn a Double into an Int, so that
    /// no conversion can trap.
    static func clampedInt(_ value: Double, to range: ClosedRange<Int>) -> Int {
        clampedIntOrNil(value, to: range) ?? range.lowerBound
    }

    /// As `clampedInt`, but nil for NaN (whose place is unknown).
    static func clampedIntOrNil(_ value: Double, to range: ClosedRange<Int>) -> Int? {
        guard !value.isNaN else { return nil }
        if value <= Double(range.lowerBound) { return range.lowerBound }
        if value >= Double(range.upperBound) { return range.upperBound }
        return Int(value)
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for text and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Colours that stay apart for up to ten series (Tableau 10).
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                          "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
}
