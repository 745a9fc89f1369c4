import Foundation
import Testing

/// The README's Swift blocks: `ReadmeTour.swift` must be exactly what `Scripts/readme-tour.py`
/// generates from the README (so a README edit without regeneration fails), and every block runs.
@Suite("README tour", .serialized)
struct ReadmeTourTests {
    /// The package root: this file is `Tests/VarianceKitIOTests/Documentation/ReadmeTourTests.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("ReadmeTour.swift is what README.md's Swift blocks generate")
    func tourMatchesReadme() throws {
        let readme = try String(
            contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let tour = try String(
            contentsOf: Self.packageRoot.appendingPathComponent("Tests/VarianceKitIOTests/Documentation/ReadmeTour.swift"),
            encoding: .utf8)
        let expected = try #require(ReadmeTourGenerator.render(readme: readme))
        let difference = ReadmeTourGenerator.firstDifference(tour, expected)
        #expect(difference == nil, """
            ReadmeTour.swift does not match README.md (\(difference ?? "")); \
            run `python3 Scripts/readme-tour.py --write`
            """)
        #expect(ReadmeTourGenerator.swiftBlocks(of: readme)?.count == readmeTourBlocks.count)
    }

    @Test("README block runs", arguments: readmeTourBlocks.indices)
    func blockRuns(index: Int) throws {
        try readmeTourBlocks[index]()
    }

    @Test("the generator's rules: fences, hoisted imports, trimmed blank lines")
    func generatorRules() throws {
        let readme = """
            Text.
            ```swift
            import VarianceKit

            let x = 1
            ```
            ```swift Package.swift
            ignored
            ```
            ```sh
            ignored
            ```
            ```swift
            import Foundation
            import VarianceKit
            print(x)
            ```
            """
        let rendered = try #require(ReadmeTourGenerator.render(readme: readme))
        #expect(rendered.hasSuffix("""
            import VarianceKit
            import Foundation

            func readmeBlock1() throws {
                let x = 1
            }

            func readmeBlock2() throws {
                print(x)
            }

            /// The README's blocks in order: `readmeTourBlocks[i]` is block `i + 1`.
            let readmeTourBlocks: [@Sendable () throws -> Void] = [
                readmeBlock1,
                readmeBlock2,
            ]

            """))
        #expect(ReadmeTourGenerator.render(readme: "```swift\nlet open = 1\n") == nil)
    }
}

/// The rules of `Scripts/readme-tour.py`, in Swift; the two must produce the same file.
enum ReadmeTourGenerator {
    static let header = """
        // Generated from README.md by Scripts/readme-tour.py; do not edit. After changing a ```swift block
        // of the README, run `python3 Scripts/readme-tour.py --write`. Each block is the body of one
        // function; ReadmeTourTests checks that this file matches the README and runs every block.

        """

    /// The lines of every block opened by a line that is exactly ```swift and closed by the next
    /// line that is exactly ``` (trailing whitespace ignored); nil when a block is never closed.
    static func swiftBlocks(of text: String) -> [[String]]? {
        var blocks: [[String]] = []
        var current: [String]?
        for line in text.components(separatedBy: "\n") {
            let trimmed = trimmingTrailingWhitespace(line)
            if current == nil {
                if trimmed == "```swift" { current = [] }
            } else if trimmed == "```" {
                blocks.append(current!)
                current = nil
            } else {
                current!.append(trimmed)
            }
        }
        return current == nil ? blocks : nil
    }

    /// The text of `ReadmeTour.swift` for `readme`; nil when a block is never closed.
    static func render(readme: String) -> String? {
        guard let blocks = swiftBlocks(of: readme) else { return nil }
        var imports: [String] = []
        var bodies: [[String]] = []
        for block in blocks {
            var body: [String] = []
            for line in block {
                if line.hasPrefix("import ") {
                    if !imports.contains(line) { imports.append(line) }
                } else {
                    body.append(line)
                }
            }
            while body.first == "" { body.removeFirst() }
            while body.last == "" { body.removeLast() }
            bodies.append(body)
        }
        var lines = [header] + imports
        for (offset, body) in bodies.enumerated() {
            lines += ["", "func readmeBlock\(offset + 1)() throws {"]
            lines += body.map { $0.isEmpty ? "" : "    " + $0 }
            lines += ["}"]
        }
        lines += ["", "/// The README's blocks in order: `readmeTourBlocks[i]` is block `i + 1`."]
        lines += ["let readmeTourBlocks: [@Sendable () throws -> Void] = ["]
        lines += bodies.indices.map { "    readmeBlock\($0 + 1)," }
        lines += ["]", ""]
        return lines.joined(separator: "\n")
    }

    /// "line N: `actual` vs `expected`" for the first line that differs, nil when equal.
    static func firstDifference(_ actual: String, _ expected: String) -> String? {
        guard actual != expected else { return nil }
        let a = actual.components(separatedBy: "\n")
        let e = expected.components(separatedBy: "\n")
        let index = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
        let found = index < a.count ? a[index] : "<end of file>"
        let wanted = index < e.count ? e[index] : "<end of file>"
        return "line \(index + 1): the file has `\(found)`, the README gives `\(wanted)`"
    }

    private static func trimmingTrailingWhitespace(_ line: String) -> String {
        var result = Substring(line)
        while let last = result.last, last.isWhitespace { result.removeLast() }
        return String(result)
    }
}
