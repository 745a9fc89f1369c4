import Foundation
import VarianceKit

/// Per-layer histograms stacked by layer, the form of Glorot and Bengio's Figures 6
/// (activation values) and 7 (back-propagated gradients): one panel per (activation,
/// initializer), one ridge per layer (layer 1 at the bottom), all layers of a panel on the same
/// horizontal axis, each ridge scaled to its own peak; exact zeros (dead ReLU units and their
/// gradients) are left out of the ridge and given as a percentage at its right.
///
/// Each ridge is a `<path class="histogram" data-init=... data-activation=... data-quantity=...
/// data-layer=k>`.
enum HistogramFigure {
    enum Quantity: String {
        case activation, gradient

        var title: String {
            switch self {
            case .activation: return "Activation values a = phi(z), per layer"
            case .gradient: return "Back-propagated gradients dL/dz, per layer"
            }
        }

        func histogram(_ layer: PropagationLayer) -> HistogramCounts {
            switch self {
            case .activation: return layer.histograms.activation
            case .gradient: return layer.histograms.gradient
            }
        }
    }

    static let panelWidth = 300.0, panelHeight = 260.0
    static let marginLeft = 40.0, marginRight = 50.0, marginTop = 40.0, marginBottom = 40.0
    /// At most this many ridges per panel (evenly spaced layers, always the first and the last).
    static let maximumRidges = 10

    /// The layers drawn for a network of `depth` layers: `1 + round(i (depth - 1) / 9)` for
    /// i = 0...9 (in integers; 9 is odd, so there are no ties).
    static func shownLayers(depth: Int) -> [Int] {
        guard depth > maximumRidges else { return Array(1...max(depth, 1)) }
        let steps = maximumRidges - 1
        var layers = Set<Int>()
        for i in 0..<maximumRidges {
            layers.insert(1 + (i * (depth - 1) + steps / 2) / steps)
        }
        return layers.sorted()
    }

    /// Whether `histogram`'s bounds can place its bins: both finite, in order, and at least the
    /// smallest normal double apart (a subnormal width turns positions into inf).
    static func hasUsableRange(_ histogram: HistogramCounts) -> Bool {
        histogram.lower.isFinite && histogram.upper.isFinite && histogram.upper > histogram.lower
            && (histogram.upper - histogram.lower).isNormal
    }

    /// Why ridges or axes were not drawn, counted over the figure, for the caption.
    struct Tally {
        var diverged = 0, allZeros = 0, noData = 0, noFiniteRange = 0, panelsWithoutAxis = 0

        var notes: [String] {
            var parts = [String]()
            if diverged > 0 { parts.append("\(diverged) inf/NaN (the run diverged at or before that layer)") }
            if allZeros > 0 { parts.append("\(allZeros) all zeros") }
            if noData > 0 { parts.append("\(noData) with no finite entries") }
            if noFiniteRange > 0 { parts.append("\(noFiniteRange) whose range is not finite or narrower than the smallest normal double (2.2e-308)") }
            var notes = [String]()
            if !parts.isEmpty { notes.append("Ridges not drawn (labelled in the panel instead): \(parts.joined(separator: ", ")).") }
            if panelsWithoutAxis > 0 { notes.append("\(panelsWithoutAxis) panel(s) have no finite horizontal range, so their axis has no values.") }
            return notes
        }
    }

    static func svg(_ report: PropagationDocument, quantity: Quantity) -> SVGDocument {
        let activations = report.config.activations
        let initializers = report.config.initializers
        let cellWidth = marginLeft + panelWidth + marginRight
        let cellHeight = marginTop + panelHeight + marginBottom
        var svg = SVGDocument(width: 20 + cellWidth * Double(max(initializers.count, 1)),
                              height: 50 + cellHeight * Double(max(activations.count, 1)))
        svg.label("\(quantity.title): depth \(report.config.depth), width \(report.config.width), batch \(report.config.batch) (each ridge scaled to its own peak; exact zeros counted apart)",
                  x: 10, y: 22, size: 15, weight: "bold")
        var tally = Tally()
        for (row, activation) in activations.enumerated() {
            for (column, initializer) in initializers.enumerated() {
                guard let run = report.runs.first(where: { $0.activation == activation && $0.initializer == initializer }) else { continue }
                let x = 10 + Double(column) * cellWidth + marginLeft
                let y = 50 + Double(row) * cellHeight + marginTop
                let color = SVGDocument.palette[column % SVGDocument.palette.count]
                drawPanel(&svg, run: run, quantity: quantity, color: color, x: x, y: y, tally: &tally)
            }
        }
        svg.notes = tally.notes
        return svg
    }

    static func drawPanel(_ svg: inout SVGDocument, run: RunRecord, quantity: Quantity, color: String, x: Double, y: Double, tally: inout Tally) {
        svg.label("\(run.initializer), \(run.activation)", x: x, y: y - 12, size: 13, weight: "bold")
        let depth = run.layers.count
        let layers = shownLayers(depth: depth)
        let spacing = panelHeight / Double(layers.count + 1)
        let ridgeHeight = spacing * 1.8
        // The horizontal axis: the first non-empty histogram's range with usable bounds (all layers
        // of a run share it).
        let reference = run.layers.map { quantity.histogram($0) }.first(where: { $0.total > 0 && hasUsableRange($0) })
        svg.line(x, y + panelHeight, x + panelWidth, y + panelHeight, stroke: "#444")
        if let reference {
            let lower = reference.lower, upper = reference.upper
            var ticks: [(fraction: Double, value: Double, anchor: String)] = [(0, lower, "start"), (1, upper, "end")]
            let zeroFraction = -lower / (upper - lower)
            if zeroFraction.isFinite, zeroFraction > 0.15, zeroFraction < 0.85 { ticks.append((zeroFraction, 0, "middle")) }
            for tick in ticks {
                let tx = x + tick.fraction * panelWidth
                svg.line(tx, y + panelHeight, tx, y + panelHeight + 4, stroke: "#444")
                svg.label(NumberFormat.short(tick.value), x: tx, y: y + panelHeight + 17, anchor: tick.anchor, size: 11, color: "#555")
            }
        } else {
            tally.panelsWithoutAxis += 1
            svg.label("no finite range", x: x + panelWidth / 2, y: y + panelHeight + 17, anchor: "middle", size: 11, color: "#b00")
        }
        // Top ridge first so lower layers are drawn over it.
        for (position, layerIndex) in layers.enumerated().reversed() {
            let baseline = y + panelHeight - Double(position + 1) * spacing + spacing * 0.5
            svg.label("L\(layerIndex)", x: x - 6, y: baseline, anchor: "end", size: 10, color: "#555")
            guard layerIndex - 1 < run.layers.count else { continue }
            let histogram = quantity.histogram(run.layers[layerIndex - 1])
            let diverged = run.divergedAtLayer.map { layerIndex >= $0 } ?? false
            let missing: String?
            if diverged { missing = "inf/NaN"; tally.diverged += 1 }
            else if histogram.total == 0 { missing = "no data"; tally.noData += 1 }
            else if histogram.total == histogram.zeros { missing = "all zeros"; tally.allZeros += 1 }
            else if !hasUsableRange(histogram) { missing = "no finite range"; tally.noFiniteRange += 1 }
            else { missing = nil }
            if let missing {
                svg.label(missing, x: x + panelWidth / 2, y: baseline - 3, anchor: "middle", size: 10, color: "#b00")
                continue
            }
            // Exact zeros (dead ReLU units, their gradients) are left out of the ridge, so that the
            // spike does not flatten the rest, and given as a fraction beside it. They sit in the
            // bin holding 0 on this histogram's own range (an end bin when 0 is outside it).
            var counts = histogram.counts
            let bins = counts.count
            if histogram.zeros > 0 {
                let zeroPosition = (-histogram.lower / (histogram.upper - histogram.lower) * Double(bins)).rounded(.down)
                if let zeroBin = SVGDocument.clampedIntOrNil(zeroPosition, to: 0...(bins - 1)) {
                    counts[zeroBin] = max(counts[zeroBin] - histogram.zeros, 0)
                }
                let fraction = Double(histogram.zeros) / Double(max(histogram.total, 1))
                if fraction >= 0.005 {
                    svg.label("zeros \(NumberFormat.percent(fraction))", x: x + panelWidth + 2, y: baseline, anchor: "start", size: 9, color: "#777")
                }
            }
            let peak = Double(counts.max() ?? 1)
            var d = "M\(SVGDocument.number(x)) \(SVGDocument.number(baseline))"
            for (bin, count) in counts.enumerated() {
                let left = x + Double(bin) / Double(bins) * panelWidth
                let right = x + Double(bin + 1) / Double(bins) * panelWidth
                let top = baseline - Double(max(count, 0)) / max(peak, 1) * ridgeHeight
                d += " L\(SVGDocument.number(left)) \(SVGDocument.number(top)) L\(SVGDocument.number(right)) \(SVGDocument.number(top))"
            }
            d += " L\(SVGDocument.number(x + panelWidth)) \(SVGDocument.number(baseline)) Z"
            svg.add("path", ["class": "histogram", "data-init": run.initializer, "data-activation": run.activation,
                             "data-quantity": quantity.rawValue, "data-layer": "\(layerIndex)", "d": d,
                             "fill": color, "fill-opacity": "0.35", "stroke": color, "stroke-width": "1"])
        }
    }
}
