import Foundation
import VarianceKit

extension HTMLReport {
    static let sweepFileNames: Set<String> = [pageName, jsonName, csvName, SweepFigure.heatMapName, SweepFigure.linesName]

    /// Writes the sweep's report as the directory `directory`, all at once: the page, the data
    /// (JSON and CSV) and the figure as its own SVG file (the heat map for two or more axes, the
    /// line figure for one); returns the page's path.
    @discardableResult
    static func write(_ document: SweepDocument, merge: SweepMerge, to directory: String) throws -> String {
        let heatMap = SweepFigure.heatMap(merge)
        let lines = heatMap == nil ? SweepFigure.lines(merge) : nil
        var files: [(name: String, data: Data)] = [
            (jsonName, Data(try JSONOutput.text(document).utf8)),
            (csvName, Data(document.csv.utf8)),
            (pageName, Data(html(document, merge: merge, heatMap: heatMap, lines: lines).utf8)),
        ]
        if let heatMap { files.append((SweepFigure.heatMapName, Data(heatMap.text.utf8))) }
        if let lines { files.append((SweepFigure.linesName, Data(lines.text.utf8))) }
        try ReportDirectory.write(files, to: directory, names: fileNames.union(sweepFileNames))
        return URL(fileURLWithPath: directory).appendingPathComponent(pageName).path
    }

    /// The sweep's page: the grid, the completeness notes, the figure with its caption, what the
    /// trainability preset should show and what this sweep measured (for that preset's grid), and
    /// the table of configurations.
    static func html(_ document: SweepDocument, merge: SweepMerge, heatMap: SVGDocument?, lines: SVGDocument?) -> String {
        let e = SVGDocument.escape
        let grid = merge.grid
        let axes = grid.axisNames.map { name in
            let values = grid.axes[name] ?? []
            return "\(name): \(values.map(\.description).joined(separator: ", ")) (\(values.count) value\(values.count == 1 ? "" : "s"))"
        }
        let fixed = grid.fixed.keys.sorted().map { "\($0) = \(grid.fixed[$0]!)" }
        var settings: [(String, String)] = [("kind", document.kind)]
        if let description = document.description { settings.append(("description", description)) }
        settings += [
            ("axes", axes.isEmpty ? "none (one configuration)" : axes.joined(separator: "; ")),
            ("fixed settings", fixed.isEmpty ? "none (the defaults)" : fixed.joined(separator: ", ")),
            ("configurations", "\(document.configurations); \(document.records.count) found in \(document.sources.count) part\(document.sources.count == 1 ? "" : "s")"
                + (document.sources.isEmpty ? "" : " (\(document.sources.joined(separator: ", ")))")),
            ("headline", document.headline),
            ("BLAS", document.blasKernel),
        ]
        let settingRows = settings.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>" }.joined(separator: "\n")
        let notes = document.notes
        let conflicts = merge.duplicates.filter { !$0.identical }.count
        var completeness = document.complete
            ? "<p>Complete: every configuration of the grid has one result.</p>"
            : "<p>Not complete: \(merge.missing.count) of \(document.configurations) configurations have no record"
                + "\(conflicts > 0 ? " and \(conflicts) have conflicting results" : "").</p>"
        if !notes.isEmpty { completeness += "\n<ul class=\"notes\">\n" + notes.map { "<li>\(e($0))</li>" }.joined(separator: "\n") + "\n</ul>" }

        var figures = ""
        var figureLinks: [String] = []
        if let heatMap {
            figures += """
            <h2>Heat map</h2>
            <figure>
            \(heatMap.element)<figcaption>\(SweepFigure.heatMapCaption(merge))\(clippingNotes(heatMap))</figcaption>
            </figure>

            """
            figureLinks.append(SweepFigure.heatMapName)
        }
        if let lines {
            figures += """
            <h2>\(e(document.headline)) against \(e(grid.axisNames.first ?? ""))</h2>
            <figure>
            \(lines.element)<figcaption>\(SweepFigure.linesCaption(merge))\(clippingNotes(lines))</figcaption>
            </figure>

            """
            figureLinks.append(SweepFigure.linesName)
        }

        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>initbench sweep: \(e(document.kind)), \(document.configurations) configurations</title>
        <style>
        \(styleSheet)
        </style>
        </head>
        <body>
        <h1>Sweep: \(e(document.kind)), \(document.configurations) configuration\(document.configurations == 1 ? "" : "s")</h1>
        <p class="lead">\(e(document.description ?? "A grid of \(document.kind) configurations")); the figure of each configuration is its \(e(document.headline)).</p>

        <h2>Grid</h2>
        <table class="settings">
        \(settingRows)
        </table>

        <h2>Completeness</h2>
        \(completeness)
        \(trainabilitySection(merge))\(figures)
        <h2>Configurations</h2>
        \(recordTable(document, merge: merge))
        <p>The same data: <a href="\(jsonName)">\(jsonName)</a>, <a href="\(csvName)">\(csvName)</a>\(figureLinks.isEmpty ? "" : "; figure\(figureLinks.count == 1 ? "" : "s"): " + figureLinks.map { "<a href=\"\($0)\">\($0)</a>" }.joined(separator: ", ")).</p>
        </body>
        </html>

        """
    }

    /// One row per configuration in grid order: its axis values, headline, status and seconds;
    /// configurations with no record are rows marked missing.
    static func recordTable(_ document: SweepDocument, merge: SweepMerge) -> String {
        let e = SVGDocument.escape
        let axes = document.axes
        var rows: [(index: Int, html: String)] = []
        for record in document.records {
            // The grid's canonical values (a record's settings read back from JSON hold 1.0 as 1).
            let configuration = merge.grid.configuration(at: record.index)
            let diverged = record.result.training.map { $0.status != .ok } ?? record.result.propagation.map { $0.status != .ok } ?? false
            rows.append((record.index, "<tr data-key=\"\(e(record.key))\"\(diverged ? " class=\"diverged\"" : "")><td class=\"n\" title=\"\(e(record.key))\">\(record.index + 1)</td>"
                + axes.map { "<td>\(e(configuration[$0]?.description ?? "-"))</td>" }.joined()
                + "<td class=\"n\">\(e(NumberFormat.short(record.result.headline.value, missing: "-")))</td>"
                + "<td>\(e(SweepDocument.status(record)))</td><td class=\"n\">\(String(format: "%.2f", record.seconds))</td></tr>"))
        }
        for configuration in merge.missing {
            rows.append((configuration.index, "<tr data-key=\"\(e(configuration.key))\" class=\"missing\"><td class=\"n\" title=\"\(e(configuration.key))\">\(configuration.index + 1)</td>"
                + axes.map { "<td>\(e(configuration[$0]?.description ?? "-"))</td>" }.joined()
                + "<td class=\"n\">-</td><td>missing (no record)</td><td class=\"n\">-</td></tr>"))
        }
        let header = "<tr><th>#</th>" + axes.map { "<th>\(e($0))</th>" }.joined() + "<th>\(e(document.headline))</th><th>status</th><th>seconds</th></tr>"
        return "<table class=\"records\">\n\(header)\n" + rows.sorted { $0.index < $1.index }.map(\.html).joined(separator: "\n") + "\n</table>"
    }

    /// For the trainability preset's grid: what it should show (`SweepPreset.expectation`) and
    /// what this sweep measured (`SweepTrainableBand`); nothing for other grids.
    static func trainabilitySection(_ merge: SweepMerge) -> String {
        let preset = SweepPreset.trainability
        guard preset.grid.identity == merge.grid.identity else { return "" }
        let e = SVGDocument.escape
        let measured = SweepTrainableBand(merge).map(trainabilitySentence)
            ?? "Nothing measured yet: no configuration has a finite test accuracy."
        return """
        <h2>Preset \(e(preset.rawValue)): what it should show</h2>
        <p>\(e(preset.expectation))</p>
        <p class="measured"><b>Measured:</b> \(e(measured))</p>

        """
    }

    /// The measured sentence of `band`: the threshold, each depth's band of `sigma_w^2`, whether
    /// the bands hold the critical `sigma_w^2`, and whether they narrow with depth.
    static func trainabilitySentence(_ band: SweepTrainableBand) -> String {
        func percent(_ fraction: Double) -> String { String(format: "%.1f%%", 100 * fraction) }
        func values(_ count: Int) -> String { "\(count) value\(count == 1 ? "" : "s")" }
        var text = "Chance accuracy is \(percent(band.chance)) and the best test accuracy \(percent(band.best)), so a configuration counts as trained"
            + " at \(percent(band.threshold)) or more (halfway between the two). Trained σ_w² by depth: "
        text += band.bands.map { row in
            let range: String
            if let lowest = row.lowest, let highest = row.highest {
                range = lowest == highest ? NumberFormat.short(lowest) : "\(NumberFormat.short(lowest))–\(NumberFormat.short(highest))"
            } else {
                range = "none"
            }
            return "depth \(row.depth): \(range) (\(row.weightVariances.count) of \(row.measured) measured\(row.isContiguous ? "" : ", with untrained values inside"))"
        }.joined(separator: "; ") + "."
        if let critical = band.criticalWeightVariance {
            let inside = band.bandsContainingCritical.map(\.depth)
            let outside = band.bands.map(\.depth).filter { !inside.contains($0) }
            text += " The critical σ_w² ≈ \(NumberFormat.short(critical)) lies inside the band at \(inside.count) of \(band.bands.count) depth\(band.bands.count == 1 ? "" : "s")"
            text += outside.isEmpty ? "." : " (not at depth\(outside.count == 1 ? "" : "s") \(outside.map(String.init).joined(separator: ", ")))."
        } else {
            text += " Mean-field theory finds no critical σ_w² for these settings."
        }
        if let first = band.bands.first, let last = band.bands.last, band.bands.count >= 2 {
            let counts = band.bands.map { "\($0.weightVariances.count)" }.joined(separator: ", ")
            if band.narrowsWithDepth {
                text += " The band narrows with depth: from \(values(first.weightVariances.count)) at depth \(first.depth) to \(values(last.weightVariances.count)) at depth \(last.depth) (\(counts))."
            } else {
                text += " The band does not narrow steadily with depth (\(counts) values from depth \(first.depth) to \(last.depth))."
            }
        }
        return text
    }
}
