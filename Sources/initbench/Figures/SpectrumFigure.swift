import Foundation
import VarianceKit

/// The density of the input-output Jacobian's singular values (`PropagationRun.spectrum`): one
/// panel per (activation, depth), one coloured step line per initializer, on a log axis of `σ`
/// shared by the panel's runs; the height is the fraction of singular values per decade. A dashed
/// vertical line marks the root of the predicted mean squared singular value, `sqrt(Π χ_1)`, where
/// one is predicted.
///
/// A dotted line in the same colour is free probability's wide-limit density of the singular values
/// (`DepthSpectrum.density`, per decade of `σ`: `2 ln 10 λ ρ(λ)`), drawn where it lies on the
/// panel's axis; an atom at 0 (ReLU) is not part of it.
///
/// Values the axis cannot place are not drawn and are counted in `SVGDocument.notes`: singular
/// values exactly zero, histograms whose bounds are not finite or not in order, depths with no
/// finite Jacobian, and predictions off the panel's axis (a triangle on the left or right edge)
/// or not finite.
///
/// Every line is a `<path class="spectrum" data-init=... data-activation=... data-depth=...>`,
/// every prediction a `<line class="spectrum-theory" ...>`, every density a
/// `<path class="spectrum-density" ...>`.
enum SpectrumFigure {
    /// The file a report with `--spectrum` holds.
    static let fileName = "spectrum.svg"

    static let panelWidth = 300.0, panelHeight = 200.0
    static let marginLeft = 55.0, marginRight = 20.0, marginTop = 40.0, marginBottom = 45.0
    static let legendHeight = 60.0
    /// Atoms at 0 lighter than this are not noted: they are the quadrature nodes far in the tails
    /// where `φ'²` underflows to 0 (about 1e-30 for tanh), not a property of the activation.
    static let noticedAtomMass = 1e-6

    /// Why something was not drawn, counted over the figure.
    struct Tally {
        var zeros = 0, unusableHistograms = 0, noFiniteJacobian = 0, nonFiniteSamples = 0
        var predictionsOffAxis = 0, predictionsMissing = 0
        var densitiesCut = 0, densitiesUnavailable = 0, zeroAtoms = 0

        var notes: [String] {
            var notes = [String]()
            if zeros > 0 { notes.append("\(zeros) singular values exactly zero are not on the log axis and not drawn.") }
            if nonFiniteSamples > 0 { notes.append("\(nonFiniteSamples) sample Jacobians held inf or NaN and are left out.") }
            if noFiniteJacobian > 0 { notes.append("\(noFiniteJacobian) (run, depth) pairs had no finite Jacobian and have no line.") }
            if unusableHistograms > 0 { notes.append("\(unusableHistograms) histograms with bounds that are not finite or not in order are not drawn.") }
            if predictionsOffAxis > 0 { notes.append("\(predictionsOffAxis) predictions lie off the panel's axis, marked by a triangle on its left or right edge.") }
            if predictionsMissing > 0 { notes.append("\(predictionsMissing) predictions are not finite or not made (lsuv, or schemes without a target variance) and are not drawn.") }
            if densitiesCut > 0 { notes.append("\(densitiesCut) predicted densities reach beyond the panel's axis and are cut at its edges.") }
            if densitiesUnavailable > 0 { notes.append("\(densitiesUnavailable) predicted densities do not exist or could not be computed (results.json says why) and are not drawn.") }
            if zeroAtoms > 0 { notes.append("\(zeroAtoms) predicted laws hold an atom at sigma = 0 (where phi' vanishes), which the log axis cannot show; their dotted lines carry the rest of the mass.") }
            return notes
        }
    }

    /// Whether a histogram's bins can be placed on a log axis.
    static func isUsable(_ histogram: LogHistogram) -> Bool {
        !histogram.counts.isEmpty && histogram.total > 0 && histogram.lowerLog10.isFinite && histogram.upperLog10.isFinite
            && histogram.upperLog10 > histogram.lowerLog10 && (histogram.upperLog10 - histogram.lowerLog10).isNormal
    }

    /// The depths drawn: those of the first run with a spectrum.
    static func depths(_ report: PropagationDocument) -> [Int] {
        report.runs.lazy.compactMap(\.spectrum).first?.depths.map(\.depth) ?? []
    }

    static func svg(_ report: PropagationDocument) -> SVGDocument {
        let activations = report.config.activations
        let initializers = report.config.initializers
        let depths = depths(report)
        let cellWidth = marginLeft + panelWidth + marginRight
        let cellHeight = marginTop + panelHeight + marginBottom
        var svg = SVGDocument(width: cellWidth * Double(max(depths.count, 1)) + 20,
                              height: legendHeight + cellHeight * Double(max(activations.count, 1)) + 10)
        svg.label("Singular values of the input-output Jacobian at initialization: width \(report.config.width), \(report.config.spectrumSamples ?? 0) input samples",
                  x: 10, y: 20, size: 15, weight: "bold")
        var x = 10.0
        for (i, name) in initializers.enumerated() {
            let color = SVGDocument.palette[i % SVGDocument.palette.count]
            svg.line(x, 38, x + 24, 38, stroke: color, width: 3)
            svg.label(name, x: x + 30, y: 42)
            x += 40 + Double(name.count) * 7.5
        }
        svg.line(x + 10, 38, x + 34, 38, stroke: "#444", width: 1.5, dash: "5,4")
        svg.label("sqrt of the predicted mean of sigma^2", x: x + 40, y: 42)
        x += 40 + 38 * 7.5
        svg.line(x + 10, 38, x + 34, 38, stroke: "#444", width: 1.5, dash: "1.5,2.5")
        svg.label("predicted density (free probability)", x: x + 40, y: 42)
        var tally = Tally()
        if depths.isEmpty {
            svg.label("No run holds a spectrum (run with --spectrum).", x: 10, y: legendHeight + 20, color: "#555")
            svg.notes = ["No spectrum was measured."]
            return svg
        }
        for (row, activation) in activations.enumerated() {
            for (column, depth) in depths.enumerated() {
                let runs = report.runs.filter { $0.activation == activation }
                drawPanel(&svg, activation: activation, depth: depth, runs: runs, initializers: initializers,
                          x: 10 + Double(column) * cellWidth + marginLeft,
                          y: legendHeight + Double(row) * cellHeight + marginTop, tally: &tally)
            }
        }
        svg.notes = tally.notes
        return svg
    }

    static func drawPanel(_ svg: inout SVGDocument, activation: String, depth: Int, runs: [RunRecord], initializers: [String],
                          x: Double, y: Double, tally: inout Tally) {
        svg.label("\(activation), depth \(depth)", x: x, y: y - 10, size: 13, weight: "bold")
        var series = [(run: RunRecord, histogram: LogHistogram)]()
        for run in runs {
            guard let entry = run.spectrum?.depths.first(where: { $0.depth == depth }) else { continue }
            tally.nonFiniteSamples += entry.nonFiniteSamples
            tally.zeros += entry.histogram.zeros
            if entry.summary == nil { tally.noFiniteJacobian += 1; continue }
            if isUsable(entry.histogram) { series.append((run, entry.histogram)) } else { tally.unusableHistograms += 1 }
        }
        // The axis: the union of the histograms' spans and of the predicted supports (only their
        // upper edge where they reach 0), at least a tenth of a decade.
        let supports = runs.compactMap { run -> (lower: Double?, upper: Double)? in
            guard let density = run.spectrum?.depths.first(where: { $0.depth == depth })?.density,
                  density.upperEdge > 0, density.upperEdge.isFinite else { return nil }
            return (density.lowerEdge > 0 ? 0.5 * log10(density.lowerEdge) : nil, 0.5 * log10(density.upperEdge))
        }
        var low = (series.map(\.histogram.lowerLog10) + supports.compactMap(\.lower)).min() ?? supports.map { $0.upper - 2 }.min() ?? -1
        var high = (series.map(\.histogram.upperLog10) + supports.map(\.upper)).max() ?? 1
        if high - low < 0.1 { (low, high) = ((low + high) / 2 - 0.05, (low + high) / 2 + 0.05) }
        let densities = series.map { item -> [Double] in
            let h = item.histogram
            let binWidth = (h.upperLog10 - h.lowerLog10) / Double(h.counts.count)
            return h.counts.map { Double($0) / (Double(h.total) * binWidth) }
        }
        let peak = densities.flatMap { $0 }.filter(\.isFinite).max() ?? 1
        let top = peak > 0 && peak.isFinite ? peak * 1.05 : 1
        let xOf = { (log10Value: Double) -> Double in x + (log10Value - low) / (high - low) * panelWidth }
        let yOf = { (density: Double) -> Double in y + panelHeight - min(max(density / top, 0), 1) * panelHeight }

        svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(y), "width": SVGDocument.number(panelWidth),
                         "height": SVGDocument.number(panelHeight), "fill": "none", "stroke": "#444"])
        // Ticks at whole decades when the axis spans at least two, else at five even places.
        let lowDecade = SVGDocument.clampedInt(ceil(low), to: -400...400), highDecade = SVGDocument.clampedInt(floor(high), to: -400...400)
        let wholeDecades = highDecade - lowDecade >= 1
        let ticks: [Double] = wholeDecades
            ? stride(from: lowDecade, through: highDecade, by: max(1, (highDecade - lowDecade + 6) / 6)).map(Double.init)
            : (0...4).map { low + Double($0) / 4 * (high - low) }
        for tick in ticks {
            let tx = xOf(tick)
            svg.line(tx, y + panelHeight, tx, y + panelHeight + 4, stroke: "#444")
            let text = wholeDecades ? "1e\(SVGDocument.clampedInt(tick, to: -400...400))" : NumberFormat.short(Foundation.pow(10, tick))
            svg.label(text, x: tx, y: y + panelHeight + 17, anchor: "middle", size: 11, color: "#555")
        }
        svg.label("singular value sigma (log scale)", x: x + panelWidth / 2, y: y + panelHeight + 34, anchor: "middle", size: 11, color: "#555")
        svg.label("per decade", x: x - 6, y: y + 10, anchor: "end", size: 10, color: "#555")
        svg.label(NumberFormat.short(top), x: x - 6, y: y + 22, anchor: "end", size: 10, color: "#555")
        svg.label("0", x: x - 6, y: y + panelHeight, anchor: "end", size: 10, color: "#555")

        for (index, item) in series.enumerated() {
            let color = color(of: item.run.initializer, in: initializers)
            let h = item.histogram
            let binWidth = (h.upperLog10 - h.lowerLog10) / Double(h.counts.count)
            var d = "M\(SVGDocument.number(xOf(h.lowerLog10))) \(SVGDocument.number(yOf(0)))"
            for (bin, density) in densities[index].enumerated() {
                let left = h.lowerLog10 + Double(bin) * binWidth
                d += " L\(SVGDocument.number(xOf(left))) \(SVGDocument.number(yOf(density)))"
                d += " L\(SVGDocument.number(xOf(left + binWidth))) \(SVGDocument.number(yOf(density)))"
            }
            d += " L\(SVGDocument.number(xOf(h.upperLog10))) \(SVGDocument.number(yOf(0)))"
            svg.add("path", ["class": "spectrum", "data-init": item.run.initializer, "data-activation": activation,
                             "data-depth": "\(depth)", "d": d, "fill": "none", "stroke": color, "stroke-width": "2"])
        }
        for run in runs {
            guard let entry = run.spectrum?.depths.first(where: { $0.depth == depth }) else { continue }
            if entry.densityUnavailable != nil { tally.densitiesUnavailable += 1 }
            guard let density = entry.density, !density.squaredSingularValues.isEmpty else { continue }
            if density.zeroAtomMass > Self.noticedAtomMass { tally.zeroAtoms += 1 }
            var d = "", cut = false
            for (lambda, height) in zip(density.squaredSingularValues, density.densityPerDecadeOfSingularValue) {
                let position = 0.5 * log10(lambda)
                guard position.isFinite, height.isFinite, position >= low, position <= high else { cut = true; continue }
                if height > top { cut = true }
                d += (d.isEmpty ? "M" : " L") + "\(SVGDocument.number(xOf(position))) \(SVGDocument.number(yOf(height)))"
            }
            if cut { tally.densitiesCut += 1 }
            guard !d.isEmpty else { continue }
            svg.add("path", ["class": "spectrum-density", "data-init": run.initializer, "data-activation": activation,
                             "data-depth": "\(depth)", "d": d, "fill": "none", "stroke": color(of: run.initializer, in: initializers),
                             "stroke-width": "1.5", "stroke-dasharray": "1.5,2.5"])
        }
        for run in runs {
            guard let entry = run.spectrum?.depths.first(where: { $0.depth == depth }) else { continue }
            guard let mean = entry.prediction?.meanSquaredSingularValue, mean > 0, mean.isFinite else {
                tally.predictionsMissing += 1
                continue
            }
            let position = 0.5 * log10(mean)
            let color = color(of: run.initializer, in: initializers)
            if position >= low, position <= high {
                let px = xOf(position)
                svg.add("line", ["class": "spectrum-theory", "data-init": run.initializer, "data-activation": activation,
                                 "data-depth": "\(depth)", "x1": SVGDocument.number(px), "y1": SVGDocument.number(y),
                                 "x2": SVGDocument.number(px), "y2": SVGDocument.number(y + panelHeight),
                                 "stroke": color, "stroke-width": "1.5", "stroke-dasharray": "5,4"])
            } else {
                tally.predictionsOffAxis += 1
                let (tipX, baseX) = position < low ? (x, x + 7) : (x + panelWidth, x + panelWidth - 7)
                let my = y + 12 + 10 * Double(initializers.firstIndex(of: run.initializer) ?? 0)
                let points = [(tipX, my), (baseX, my - 4), (baseX, my + 4)]
                    .map { "\(SVGDocument.number($0.0)),\(SVGDocument.number($0.1))" }.joined(separator: " ")
                svg.add("polygon", ["class": "spectrum-theory-off-axis", "data-init": run.initializer, "data-activation": activation,
                                    "data-depth": "\(depth)", "points": points, "fill": "white", "stroke": color, "stroke-width": "1"])
            }
        }
    }

    static func color(of initializer: String, in initializers: [String]) -> String {
        SVGDocument.palette[(initializers.firstIndex(of: initializer) ?? 0) % SVGDocument.palette.count]
    }
}
