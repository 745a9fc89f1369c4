import Foundation
import VarianceKit

extension HTMLReport {
    static let sweepFileNames: Set<String> = [pageName, jsonName, csvName]

    /// Writes the sweep's report as the directory `directory`, all at once; returns the page's path.
    @discardableResult
    static func write(_ document: SweepDocument, merge: SweepMerge, to directory: String) throws -> String {
        let files: [(name: String, data: Data)] = [
            (jsonName, Data(try JSONOutput.text(document).utf8)),
            (csvName, Data(document.csv.utf8)),
            (pageName, Data(html(document).utf8)),
        ]
        try ReportDirectory.write(files, to: directory, names: fileNames.union(sweepFileNames))
        return URL(fileURLWithPath: directory).appendingPathComponent(pageName).path
    }

    static func html(_ document: SweepDocument) -> String {
        let e = SVGDocument.escape
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>initbench sweep: \(e(document.kind))</title>
        </head>
        <body>
        <h1>Sweep: \(e(document.kind)), \(document.configurations) configurations</h1>
        <pre>\(e(document.table))</pre>
        <p>The same data: <a href="\(jsonName)">\(jsonName)</a>, <a href="\(csvName)">\(csvName)</a>.</p>
        </body>
        </html>

        """
    }
}
