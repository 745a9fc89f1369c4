import Foundation

/// A check of how deeply a JSON text nests arrays and objects, made before the text is handed to
/// `JSONDecoder`: Foundation's JSON scanner traps (rather than throwing) on some texts nested
/// hundreds of levels deep, and no document VarianceKit reads nests more than a few levels.
enum JSONNesting {
    /// The deepest nesting accepted.
    static let maximumDepth = 64

    /// The deepest nesting of `[` and `{` in `bytes`, brackets inside strings not counted.
    static func depth<Bytes: Collection>(of bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// Throws unless `bytes` nest at most `maximumDepth` levels.
    ///
    /// - Throws: `VarianceKitError.malformedFile` naming `path` and `location`.
    static func check<Bytes: Collection>(_ bytes: Bytes, path: String, location: String, expected: String) throws where Bytes.Element == UInt8 {
        let depth = depth(of: bytes)
        guard depth <= maximumDepth else {
            throw VarianceKitError.malformedFile(path: path, location: location, found: "JSON nested \(depth) levels deep",
                                                 expected: "\(expected), nested at most \(maximumDepth) levels")
        }
    }
}
