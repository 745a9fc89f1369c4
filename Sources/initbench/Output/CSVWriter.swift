/// The one CSV writer of `initbench`: a header of camelCase keys (the JSON keys), then one line
/// per row; fields that contain a comma, quote or newline are quoted (RFC 4180); numbers that are
/// missing or not finite are empty fields.
struct CSVWriter {
    /// One field.
    enum Field {
        case text(String)
        case integer(Int?)
        case number(Double?)

        var rendered: String {
            switch self {
            case let .text(text):
                guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
                return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            case let .integer(value):
                return value.map(String.init) ?? ""
            case let .number(value):
                guard let value, value.isFinite else { return "" }
                return "\(value)"
            }
        }
    }

    let header: [String]
    private(set) var text: String

    init(header: [String]) {
        self.header = header
        text = header.joined(separator: ",") + "\n"
    }

    /// Appends one row; it must have one field per header column.
    mutating func append(_ fields: [Field]) {
        precondition(fields.count == header.count, "CSVWriter: \(fields.count) fields for \(header.count) columns")
        text += fields.map(\.rendered).joined(separator: ",") + "\n"
    }
}
