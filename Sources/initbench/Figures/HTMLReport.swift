import Foundation
import VarianceKit

/// The self-contained report: one HTML file with the SVG figures inline (no scripts, no external
/// files), written beside the figures as separate `.svg` files and the data as `results.json`.
enum HTMLReport {
    /// The style sheet of every report page.
    static let styleSheet = """
        body { font-family: Helvetica, Arial, sans-serif; margin: 24px 32px; color: #222; max-width: 1800px; }
        h1 { font-size: 24px; margin-bottom: 4px; }
        h2 { font-size: 19px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        p.lead { color: #555; margin-top: 0; }
        table { border-collapse: collapse; font-size: 14px; }
        th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
        td.n { white-space: nowrap; text-align: right; font-variant-numeric: tabular-nums; font-family: Menlo, Consolas, monospace; }
        tr.diverged td { background: #fde8e8; }
        tr.missing td { background: #f2f2f2; color: #777; }
        table.settings th { background: #f6f6f6; font-weight: normal; color: #555; }
        figure { margin: 16px 0; overflow-x: auto; }
        figcaption { color: #555; font-size: 14px; max-width: 1100px; margin-top: 6px; }
        """

    /// File names inside the report directory.
    static let pageName = "index.html"
    static let varianceFigureName = "variance.svg"
    static let activationHistogramName = "activation-histograms.svg"
    static let gradientHistogramName = "gradient-histograms.svg"
    static let jsonName = "results.json"
    static let csvName = "results.csv"

    /// Every file a report holds.
    static var fileNames: Set<String> {
        [pageName, varianceFigureName, activationHistogramName, gradientHistogramName, phaseDiagramName, jsonName, csvName,
         SpectrumFigure.fileName]
    }

    /// Writes the report as the directory `directory`, all at once (`ReportDirectory.write`: a
    /// temporary directory beside it, renamed into place); returns the page's path.
    @discardableResult
    static func write(_ report: PropagationDocument, to directory: String) throws -> String {
        let variance = VarianceFigure.svg(report)
        let activations = HistogramFigure.svg(report, quantity: .activation)
        let gradients = HistogramFigure.svg(report, quantity: .gradient)
        let phases = try phaseDiagram(report)
        let files: [(name: String, data: Data)] = [
            (varianceFigureName, Data(variance.text.utf8)),
            (activationHistogramName, Data(activations.text.utf8)),
            (gradientHistogramName, Data(gradients.text.utf8)),
            (phaseDiagramName, Data(phases.text.utf8)),
            (jsonName, Data(try JSONOutput.text(report).utf8)),
            (csvName, Data(CSVFormatter.layers(report).utf8)),
            (pageName, Data(html(report, variance: variance, activations: activations, gradients: gradients, phases: phases).utf8)),
        ] + spectrumFiles(report)
        try ReportDirectory.write(files, to: directory, names: fileNames)
        return URL(fileURLWithPath: directory).appendingPathComponent(pageName).path
    }

    /// The figure's notes (what it clipped, marked or left out) as a caption paragraph, or nothing.
    static func clippingNotes(_ figure: SVGDocument) -> String {
        guard !figure.notes.isEmpty else { return "" }
        return "\n<br><span class=\"clipped\">\(SVGDocument.escape(figure.notes.joined(separator: " ")))</span>"
    }

    static func html(
        _ report: PropagationDocument, variance: SVGDocument, activations: SVGDocument, gradients: SVGDocument, phases: SVGDocument
    ) -> String {
        let config = report.config
        let e = SVGDocument.escape
        var rows = ""
        for run in report.runs {
            let first = run.layers.first, last = run.layers.last
            let status = run.status == .ok ? "" : " class=\"diverged\""
            rows += "<tr\(status)><td>\(e(run.initializer))</td><td>\(e(run.activation))</td><td>\(e(run.formula))</td>"
                + "<td class=\"n\">\(NumberFormat.short(first?.activationVariance))</td><td class=\"n\">\(NumberFormat.short(last?.activationVariance))</td>"
                + "<td class=\"n\">\(NumberFormat.short(last?.gradientVariance))</td><td class=\"n\">\(NumberFormat.short(first?.gradientVariance))</td>"
                + "<td>\(e(run.verdict))</td></tr>\n"
        }
        let settings: [(String, String)] = [
            ("initializers", config.initializers.joined(separator: ", ")),
            ("activations", config.activations.joined(separator: ", ")),
            ("depth x width", "\(config.depth) x \(config.width) (inputs \(config.inputs))"),
            ("batch", "\(config.batch) i.i.d. standard-normal inputs"),
            ("loss", config.loss == "readout" ? "random linear readout L = (1/B) sum R * A (R fixed by the seed)" : "quadratic L = 0.5 sum A^2 / B"),
            ("bias", config.bias ? (config.biasStandardDeviation > 0 ? "N(0, \(config.biasStandardDeviation)^2)" : "yes (zeros)") : "no"),
            ("gain", config.gain.map { "\($0) for every scheme that takes one" } ?? "each scheme's default (orthogonal: the activation's gain; he-*: sqrt 2; xavier-*: 1)"),
            ("seed", "\(config.seed)"),
            ("BLAS", "\(config.blasKernel), \(config.threads) thread\(config.threads == 1 ? "" : "s")"),
            ("versions", "initbench \(config.versions.initbench), VarianceKit \(config.versions.varianceKit), Swift \(config.versions.swift)"),
        ]
        let settingRows = settings.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>" }.joined(separator: "\n")
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>initbench: initialization schemes compared</title>
        <style>
        \(styleSheet)
        </style>
        </head>
        <body>
        <h1>Initialization schemes compared</h1>
        <p class="lead">One forward and one backward pass through each network at initialization; statistics per layer.
        Variances are population variances over every entry of the batch (or of the weight matrix).</p>

        <h2>Summary</h2>
        <table>
        <tr><th>init</th><th>activation</th><th>weights</th><th>Var(a) layer 1</th><th>Var(a) layer \(config.depth)</th><th>Var(dL/dz) layer \(config.depth)</th><th>Var(dL/dz) layer 1</th><th>verdict</th></tr>
        \(rows)</table>

        <h2>Variance per layer</h2>
        <figure>
        \(variance.element)
        <figcaption>Each line is one initializer; solid lines are measured, dashed lines the mean-field prediction
        (q<sup>l</sup> = n Var(W) E[&phi;(z<sup>l-1</sup>)<sup>2</sup>], gradients multiplied by n Var(W) E[&phi;'(z)<sup>2</sup>] per layer going down).
        A flat line means the scheme keeps the signal's scale through depth; a slope of one decade per layer means the
        signal vanishes (downwards) or explodes (upwards) geometrically. Glorot's linear-regime argument predicts that
        Var(dL/dW) is the same in every layer even when the other two are not.\(clippingNotes(variance))</figcaption>
        </figure>

        <h2>Activation histograms (Glorot &amp; Bengio, Figure 6)</h2>
        <figure>
        \(activations.element)
        <figcaption>Distribution of activation values at each layer (layer 1 at the bottom). Saturating units pile up
        at the ends of tanh's range; vanishing signals collapse to a spike at 0; dead ReLU units are the spike at 0.\(clippingNotes(activations))</figcaption>
        </figure>

        <h2>Back-propagated gradient histograms (Glorot &amp; Bengio, Figure 7)</h2>
        <figure>
        \(gradients.element)
        <figcaption>Distribution of dL/dz at each layer on a shared axis per panel. With a good scheme every layer has
        the same spread; a spread that narrows towards layer 1 is a vanishing gradient.\(clippingNotes(gradients))</figcaption>
        </figure>

        \(phaseDiagramSection(report, phases))
        \(spectrumSection(report))<h2>Settings</h2>
        <table class="settings">
        \(settingRows)
        </table>
        <p>The same data: <a href="\(jsonName)">\(jsonName)</a>, <a href="\(csvName)">\(csvName)</a>; figures:
        <a href="\(varianceFigureName)">\(varianceFigureName)</a>, <a href="\(activationHistogramName)">\(activationHistogramName)</a>,
        <a href="\(gradientHistogramName)">\(gradientHistogramName)</a>, <a href="\(phaseDiagramName)">\(phaseDiagramName)</a>.</p>
        </body>
        </html>

        """
    }
}
