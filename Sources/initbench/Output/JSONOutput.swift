import Foundation

/// The one JSON policy of `initbench`: pretty-printed, keys sorted, every document opening with
/// its `schema` key among the others; values that are not finite are written as `null` by the
/// documents themselves (with a `status` field saying why), never as strings.
enum JSONOutput {
    static func text<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
