import Foundation
import VarianceKit

extension HTMLReport {
    static let trainingFileNames: Set<String> = [pageName, TrainingFigure.curvesName, TrainingFigure.heatMapName, TrainingFigure.gridFigureName,
                                                 jsonName, csvName]

    /// Writes the training report as the directory `directory`, all at once; returns the page's path.
    @discardableResult
    static func write(_ document: TrainingDocument, to directory: String) throws -> String {
        let curves = TrainingFigure.curves(document)
        let heatMap = TrainingFigure.heatMap(document)
        let grids = document.outcome.map(\.grids).flatMap { $0.isEmpty ? nil : TrainingFigure.grids($0) }
        var files: [(name: String, data: Data)] = [
            (TrainingFigure.curvesName, Data(curves.text.utf8)),
            (TrainingFigure.heatMapName, Data(heatMap.text.utf8)),
            (jsonName, Data(try JSONOutput.text(document).utf8)),
            (csvName, Data(document.csv.utf8)),
            (pageName, Data(html(document, curves: curves, heatMap: heatMap, grids: grids).utf8)),
        ]
        if let grids { files.append((TrainingFigure.gridFigureName, Data(grids.text.utf8))) }
        try ReportDirectory.write(files, to: directory, names: fileNames.union(trainingFileNames))
        return URL(fileURLWithPath: directory).appendingPathComponent(pageName).path
    }

    static func html(_ document: TrainingDocument, curves: SVGDocument, heatMap: SVGDocument, grids: SVGDocument?) -> String {
        let e = SVGDocument.escape
        let c = document.config
        var rows = ""
        for (index, run) in document.runs.enumerated() {
            let r = run.record
            let status = r.status == .ok ? "" : " class=\"diverged\""
            let test = document.isClassification ? (r.test?.error).map { String(format: "%.2f%%", 100 * $0) } ?? "-"
                : NumberFormat.short(r.test?.loss, missing: "-")
            rows += "<tr\(status)><td>\(index + 1)</td><td>\(e(run.label))</td>"
                + "<td class=\"n\">\(NumberFormat.short(r.finalTraining?.loss, missing: "-"))</td>"
                + "<td class=\"n\">\(NumberFormat.short(r.finalValidation?.loss, missing: "-"))</td>"
                + "<td class=\"n\">\(test)</td><td class=\"n\">\(NumberFormat.short(run.generalizationGap, missing: "-"))</td>"
                + "<td>\(e(r.status == .ok ? (r.stopReason ?? "ok") : "diverged at \(r.divergence.map(\.description) ?? "?")"))</td></tr>\n"
        }
        var outcome = ""
        if let o = document.outcome {
            outcome = "<h2>Preset \(e(o.preset))</h2>\n<p>\(e(o.claim))</p>\n<p><b>Shown: \(o.shown ? "yes" : "no")</b></p>\n<ul>"
                + o.findings.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
            if !o.comparison.isEmpty {
                outcome += "<table><tr><th></th><th>paper</th><th>this run</th></tr>"
                    + o.comparison.map { "<tr><td>\(e($0.quantity))</td><td class=\"n\">\($0.paper.map { String(format: "%.2f%%", 100 * $0) } ?? "-")</td><td class=\"n\">\($0.measured.map { String(format: "%.2f%%", 100 * $0) } ?? "-")</td></tr>" }.joined()
                    + "</table>\n"
            }
            if let grids {
                outcome += "<figure>\n\(grids.element)\n<figcaption>Final validation loss over the learning rate (rows) and the decay (columns); "
                    + "darker is lower. A basin that runs diagonally means the two settings are coupled: the best decay depends on the learning rate."
                    + "\(clippingNotes(grids))</figcaption>\n</figure>\n"
            }
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>initbench train: \(e(c.dataset.name))</title>
        <style>
        \(styleSheet)
        </style>
        </head>
        <body>
        <h1>Training: \(e(c.dataset.name))</h1>
        <p>\(e(c.dataset.task)), \(c.dataset.features) features; \(c.dataset.trainSamples) train / \(c.dataset.validationSamples) validation /
        \(c.dataset.testSamples) test samples. Network \(c.widths.map(String.init).joined(separator: "-")), batch \(c.batchSize),
        \(c.steps) steps, seed \(c.seed); BLAS \(e(c.blasKernel)), \(c.threads) threads.</p>
        \(outcome)
        <h2>Runs</h2>
        <table>
        <tr><th>run</th><th>configuration</th><th>train loss</th><th>validation loss</th><th>\(document.isClassification ? "test error" : "test loss")</th><th>gap (test - train)</th><th>status</th></tr>
        \(rows)</table>

        <h2>Loss and accuracy against step</h2>
        <figure>
        \(curves.element)
        <figcaption>One line per run. The training loss is the mean minibatch loss since the previous point (each batch's loss
        before its own update); validation figures are over the whole validation split.\(clippingNotes(curves))</figcaption>
        </figure>

        <h2>Variance of activations and gradients over training</h2>
        <figure>
        \(heatMap.element)
        <figcaption>Per run, layer (rows, layer 1 at the bottom) against probe step (columns), coloured by log10 of the variance
        over the batch. Bands that darken towards the top (activations) or the bottom (gradients) are a signal that vanishes
        through depth.\(clippingNotes(heatMap))</figcaption>
        </figure>
        <p>The same data: <a href="\(jsonName)">\(jsonName)</a>, <a href="\(csvName)">\(csvName)</a>.</p>
        </body>
        </html>

        """
    }
}
