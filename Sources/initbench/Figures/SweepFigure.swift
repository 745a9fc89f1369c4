import Foundation
import VarianceKit

/// The figures of a sweep, on each configuration's headline figure (`SweepOutcome.headline`):
/// test accuracy (train), the last layer's activation variance (propagate) or `xi_c` (theory).
///
/// - `heatMap(_:)`, for a grid of two or more axes: one cell per configuration, `weight-variance`
///   across and `depth` up when the grid has both, else the first two numeric axes in name order
///   (non-numeric ones after them), the one with more values across. With more axes, one panel
///   per combination of the other axes' values (at most `maximumPanels`). Over a
///   `weight-variance` x `depth` grid of one activation and one `bias-variance` it draws the
///   theory's `6 xi_c` against `sigma_w^2` (`SweepGrid.correlationDepthScaleCurve`), placed by
///   linear interpolation between the cells' positions on both axes and drawn up to the plot's
///   edges (`<path class="overlay">`). With `weight-variance` across, it marks the critical
///   `sigma_w^2` of each row's activation and `bias-variance` (`MeanFieldTheory.criticalWeightScale`)
///   with a dashed vertical line (`<line class="critical">`, one per row where the rows differ).
/// - `lines(_:)`, for a grid of one axis: the headline against the axis, one line.
///
/// Axis values sit at evenly spaced categorical positions: numeric axes in ascending order,
/// others as written in the grid; ticks are labelled with the values as written. Test accuracy is
/// coloured (or plotted) linearly on `[chance, 1]` when the chance level is known
/// (`SweepConfiguration.chanceAccuracy`), else from the lowest to the highest value; every other
/// headline on a log10 scale over its positive normal values.
///
/// Every cell is a `<rect class="cell" data-state=... data-key=...>`: `value`; `clipped-below` or
/// `clipped-above` (off the scale: zero, subnormal and other values below 1e-300 or above 1e+300
/// on a log scale, accuracies below chance, infinities), drawn in the scale's end colour and
/// marked with a triangle (`<polygon class="clipped-below">` or `clipped-above`); `no-value` (the
/// headline is nil, as for a diverged run, or NaN; on a log scale also negative), marked with a cross
/// (`<path class="no-value">`); `missing` (no record), hatched grey. `SVGDocument.notes` counts
/// each for the caption.
enum SweepFigure {
    static let heatMapName = "sweep-heatmap.svg"
    static let linesName = "sweep-lines.svg"
    /// The most panels a heat map draws; the caption says when there are more.
    static let maximumPanels = 12
    /// The label of the theory curve.
    static let overlayLabel = "6 ξ_c (mean-field theory)"

    static let missingPatternID = "sweep-missing-hatch"
    static let crossColour = "#b2182b", noValueFill = "#f6f6f6", overlayColour = "#ffffff"

    // MARK: - Axes

    /// One axis as drawn.
    struct Axis {
        var name: String
        /// In drawing order: ascending when every value is a number, else as written.
        var values: [SweepValue]
        var isNumeric: Bool

        init(_ grid: SweepGrid, _ name: String) {
            let written = grid.axes[name] ?? []
            self.name = name
            isNumeric = !written.isEmpty && written.allSatisfy { $0.numericValue != nil }
            values = isNumeric ? written.sorted() : written
        }

        var title: String { name == "weight-variance" ? "weight-variance σ_w²" : name }

        /// The fractional position of `number` on a numeric axis of two or more values (0 at the
        /// first value, 1 at the second, ...): linear between neighbouring values, continued past
        /// the ends along the first and last steps. Nil for other axes and non-finite numbers.
        func position(of number: Double) -> Double? {
            let numbers = values.compactMap(\.numericValue)
            guard isNumeric, numbers.count >= 2, number.isFinite else { return nil }
            var segment = numbers.count - 2
            for index in 0..<(numbers.count - 1) where number <= numbers[index + 1] {
                segment = index
                break
            }
            let (low, high) = (numbers[segment], numbers[segment + 1])
            return Double(segment) + (number - low) / (high - low)
        }
    }

    /// The heat map's axes (see the type's documentation); nil for fewer than two axes.
    static func plotAxes(_ grid: SweepGrid) -> (x: String, y: String)? {
        let names = grid.axisNames
        guard names.count >= 2 else { return nil }
        if grid.axes["weight-variance"] != nil, grid.axes["depth"] != nil { return ("weight-variance", "depth") }
        let numeric = names.filter { Axis(grid, $0).isNumeric }
        let chosen = Array((numeric + names.filter { !numeric.contains($0) }).prefix(2))
        let (first, second) = (chosen[0], chosen[1])
        return grid.axes[second]!.count > grid.axes[first]!.count ? (second, first) : (first, second)
    }

    /// Where each axis value sits in the grid's enumeration (the order written).
    struct GridIndex {
        let grid: SweepGrid
        private let positions: [String: [SweepValue: Int]]

        init(_ grid: SweepGrid) {
            self.grid = grid
            var positions: [String: [SweepValue: Int]] = [:]
            for (name, values) in grid.axes {
                positions[name] = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
            }
            self.positions = positions
        }

        /// The index of the configuration with the axis values `values`.
        func index(_ values: [String: SweepValue]) -> Int? {
            var index = 0
            for name in grid.axisNames {
                guard let value = values[name], let position = positions[name]?[value] else { return nil }
                index = index * grid.axes[name]!.count + position
            }
            return index
        }
    }

    // MARK: - Scale

    /// Where a headline value goes.
    enum Placement: String {
        case drawn = "value", below = "clipped-below", above = "clipped-above", noValue = "no-value", missing
    }

    /// The colour scale of a heat map, or the y axis of a line figure.
    struct Scale {
        /// log10 of the value, or the value itself.
        var logarithmic: Bool
        /// The ends, in scale units.
        var low: Double, high: Double
        /// The headline's name.
        var headline: String
        /// The chance accuracy the scale starts at, when it does.
        var chance: Double?

        /// The kind of a nil headline, in the tally.
        static let nilKind = "nil"

        var isAccuracy: Bool { headline == "test accuracy" }

        /// The scale's title for the legend.
        var title: String { logarithmic ? "\(headline) (log scale)" : headline }

        /// The range for the caption.
        var rangeDescription: String {
            if let chance { return "a linear scale from chance (1/classes = \(percent(chance))) to 100%" }
            if logarithmic {
                return "a log10 scale from \(NumberFormat.short(pow(10, low))) to \(NumberFormat.short(pow(10, high))) (the smallest and largest positive values)"
            }
            return "a linear scale from \(label(low)) to \(label(high)) (the lowest and highest values; the chance level is not known)"
        }

        /// The value at `low ... high` as a tick label.
        func label(_ value: Double) -> String {
            if logarithmic { return NumberFormat.short(pow(10, value)) }
            return isAccuracy ? percent(value) : NumberFormat.short(value)
        }

        func percent(_ fraction: Double) -> String {
            let text = String(format: "%.1f%%", 100 * fraction)
            return text.hasSuffix(".0%") ? String(text.dropLast(3)) + "%" : text
        }

        /// The position of `value` in `0...1`, where it goes, and the kind of value for the caption.
        func place(_ value: Double?) -> (position: Double, placement: Placement, kind: String) {
            guard let value else { return (0, .noValue, Self.nilKind) }
            if logarithmic {
                let placement = VarianceFigure.Placement(value)
                switch placement {
                case .drawn: return (clampedPosition(log10(value)), .drawn, "drawn")
                case .zero, .subnormal, .belowFloor: return (0, .below, placement.noun)
                case .aboveCeiling, .infinity: return (1, .above, placement.noun)
                case .notANumber, .negativeInfinity, .negative, .missing: return (0, .noValue, placement.noun)
                }
            }
            if value.isNaN { return (0, .noValue, "NaN") }
            if value == .infinity { return (1, .above, "+inf") }
            if value == -.infinity { return (0, .below, "-inf") }
            if value < low {
                let kind = value == 0 ? "zero" : value.isSubnormal ? "subnormal (nonzero, below 2.2e-308)"
                    : chance != nil ? "below chance" : "below the scale"
                return (0, .below, kind)
            }
            if value > high { return (1, .above, "above \(label(high))") }
            return (clampedPosition(value), .drawn, "drawn")
        }

        private func clampedPosition(_ scaled: Double) -> Double { min(max((scaled - low) / (high - low), 0), 1) }

        /// About five ticks: whole decades on a log scale when two to eight fit, else evenly spaced.
        var ticks: [Double] {
            if logarithmic {
                let decades = Array(stride(from: ceil(low), through: floor(high), by: 1))
                if decades.count >= 2, decades.count <= 8 { return decades }
            }
            return (0...4).map { low + (high - low) * Double($0) / 4 }
        }
    }

    /// The scale of `merge`'s headline values.
    static func scale(_ merge: SweepMerge) -> Scale {
        let headline = merge.records.first?.result.headline.name ?? SweepDocument.headlineName(merge.grid.kind)
        let values = merge.records.compactMap { $0.result.headline.value }
        if headline == "test accuracy" {
            if let chance = chanceAccuracy(merge), chance < 1 {
                return Scale(logarithmic: false, low: chance, high: 1, headline: headline, chance: chance)
            }
            let finite = values.filter(\.isFinite)
            var (low, high) = (finite.min() ?? 0, finite.max() ?? 1)
            if high - low < 1e-12 { (low, high) = (low - 0.01, high + 0.01) }
            return Scale(logarithmic: false, low: low, high: high, headline: headline, chance: nil)
        }
        let logarithms = values.filter { VarianceFigure.Placement($0) == .drawn }.map(log10)
        var (low, high) = (logarithms.min() ?? -1, logarithms.max() ?? 1)
        if high - low < 1e-9 { (low, high) = (low - 0.5, high + 0.5) }
        return Scale(logarithmic: true, low: low, high: high, headline: headline, chance: nil)
    }

    /// The chance accuracy shared by every configuration of `merge`, when there is one.
    static func chanceAccuracy(_ merge: SweepMerge) -> Double? {
        let grid = merge.grid
        guard grid.kind == .train else { return nil }
        if grid.axes["classes"] == nil, grid.axes["dataset"] == nil { return grid.configuration(at: 0).chanceAccuracy }
        let levels = Set(merge.records.map { SweepConfiguration(kind: grid.kind, settings: $0.settings, index: $0.index).chanceAccuracy })
        return levels.count == 1 ? levels.first! : nil
    }

    /// What the figure met, for its notes.
    struct Tally {
        var counts: [Placement: [String: Int]] = [:]

        mutating func count(_ placement: Placement, _ kind: String) { counts[placement, default: [:]][kind, default: 0] += 1 }

        func total(_ placement: Placement) -> Int { counts[placement]?.values.reduce(0, +) ?? 0 }

        /// `count kind, ...` of `placement`, each kind named by `naming`.
        func list(_ placement: Placement, naming: (String) -> String = { $0 }) -> String {
            (counts[placement] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.value) \(naming($0.key))" }.joined(separator: ", ")
        }

        static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

        /// "is" for one, "are" for more.
        static func be(_ count: Int) -> String { count == 1 ? "is" : "are" }

        /// One sentence per kind of mark; `item` names what was marked ("cell", "point").
        func notes(item: String, kind: SweepKind, headline: String) -> [String] {
            var notes: [String] = []
            let missing = total(.missing)
            if missing > 0 {
                notes.append("\(Self.plural(missing, item)) with no record (missing from the merged results) \(Self.be(missing)) \(item == "cell" ? "hatched grey" : "marked by a grey square on the bottom edge").")
            }
            let noValue = total(.noValue)
            if noValue > 0 {
                let meaning: String
                switch kind {
                case .train: meaning = "the run diverged, so there is no \(headline)"
                case .propagate: meaning = "the last layer's variance was not finite"
                case .theory: meaning = "xi_c is infinite or undefined, on the edge of chaos or where q* diverges"
                }
                let kinds = list(.noValue) { $0 == Scale.nilKind ? "nil: \(meaning)" : $0 }
                notes.append("\(Self.plural(noValue, item)) with no value to \(item == "cell" ? "colour" : "plot") \(Self.be(noValue)) marked with a red cross (\(kinds)).")
            }
            let below = total(.below)
            if below > 0 {
                notes.append("\(Self.plural(below, item)) below the scale \(Self.be(below)) \(item == "cell" ? "drawn in its lowest colour" : "drawn on the bottom edge") and marked with a downward triangle (\(list(.below))).")
            }
            let above = total(.above)
            if above > 0 {
                notes.append("\(Self.plural(above, item)) above the scale \(Self.be(above)) \(item == "cell" ? "drawn in its highest colour" : "drawn on the top edge") and marked with an upward triangle (\(list(.above))).")
            }
            return notes
        }
    }

    // MARK: - Theory

    /// The critical `sigma_w^2` of a configuration's activation and `bias-variance`, nil where the
    /// theory has none (ReLU with a bias); cached by the two.
    struct CriticalPoints {
        private var cache: [String: Double?] = [:]

        mutating func weightVariance(_ settings: [String: SweepValue]) -> (value: Double?, label: String) {
            let activation = settings["activation"]?.description ?? "tanh"
            let bias = settings["bias-variance"]?.numericValue ?? 0
            let label = "\(activation), σ_b² = \(NumberFormat.short(bias))"
            if let cached = cache[label] { return (cached, label) }
            let value = (try? Activation.named(activation)).flatMap { try? MeanFieldTheory(activation: $0).criticalWeightScale(biasVariance: bias) }
            cache[label] = .some(value)
            return (value, label)
        }
    }

    /// The heat map's plan: axes, panels, scale, and the theory drawn over it.
    struct HeatMapPlan {
        var x: Axis, y: Axis, others: [Axis]
        /// The other axes' values of each panel drawn.
        var panels: [[String: SweepValue]]
        var panelCount: Int
        var scale: Scale
        /// `6 xi_c` against `sigma_w^2`, when it is drawn.
        var curve: [(weightVariance: Double, depth: Double?)]?
        /// Why the curve is not drawn over a grid that has one.
        var curveOmission: String?

        /// The plan of `merge`'s heat map; without `withCurve`, `curve` only says whether the
        /// curve is drawn (two points).
        init?(_ merge: SweepMerge, withCurve: Bool = true) {
            let grid = merge.grid
            guard let names = SweepFigure.plotAxes(grid) else { return nil }
            x = Axis(grid, names.x)
            y = Axis(grid, names.y)
            let otherAxes = grid.axisNames.filter { $0 != names.x && $0 != names.y }.map { Axis(grid, $0) }
            others = otherAxes
            let count = otherAxes.reduce(1) { product, axis in
                let next = product.multipliedReportingOverflow(by: axis.values.count)
                return next.overflow ? Int.max : next.partialValue
            }
            panelCount = count
            panels = (0..<min(count, SweepFigure.maximumPanels)).map { panel in
                var remainder = panel
                var values: [String: SweepValue] = [:]
                for axis in otherAxes.reversed() {
                    values[axis.name] = axis.values[remainder % axis.values.count]
                    remainder /= axis.values.count
                }
                return values
            }
            scale = SweepFigure.scale(merge)
            curve = withCurve ? grid.correlationDepthScaleCurve() : grid.correlationDepthScaleCurve(points: 2)
            if curve != nil, y.values.count < 2 {
                curve = nil
                curveOmission = "The 6 ξ_c curve is not drawn: the depth axis has one value."
            }
        }

        /// The panel's title: the other axes' values.
        func title(_ panel: [String: SweepValue]) -> String {
            others.map { "\($0.name)=\(panel[$0.name]!)" }.joined(separator: " ")
        }
    }

    // MARK: - Heat map

    static let cellWidthTarget = 40.0, cellHeightTarget = 28.0
    static let panelTop = 30.0, panelBottom = 52.0, panelRight = 28.0, figureTop = 36.0, legendWidth = 250.0

    /// The heat map of `merge`'s headline (see the type's documentation); nil for fewer than two axes.
    static func heatMap(_ merge: SweepMerge) -> SVGDocument? {
        guard let plan = HeatMapPlan(merge) else { return nil }
        let grid = merge.grid
        let index = GridIndex(grid)
        var records: [Int: SweepRecord] = [:]
        for record in merge.records where records[record.index] == nil { records[record.index] = record }
        let nx = plan.x.values.count, ny = plan.y.values.count
        let plotWidth = min(max(Double(nx) * cellWidthTarget, 180), 560), plotHeight = min(max(Double(ny) * cellHeightTarget, 120), 400)
        let cellWidth = plotWidth / Double(nx), cellHeight = plotHeight / Double(ny)
        let yLabelWidth = 6.2 * Double(plan.y.values.map(\.description.count).max() ?? 1)
        let marginLeft = max(44, yLabelWidth + 34)
        let strideX = marginLeft + plotWidth + panelRight, strideY = panelTop + plotHeight + panelBottom
        let columns = max(1, min(plan.panels.count, Int(1280 / strideX), 4))
        let rows = (plan.panels.count + columns - 1) / columns
        let legendX = 20 + Double(columns) * strideX
        // Drawn first, then copied into a document as tall as the panels and the legend turn out.
        var svg = SVGDocument(width: legendX + legendWidth, height: 0)
        svg.raw("""
        <defs><pattern id="\(missingPatternID)" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
        <rect width="6" height="6" fill="#e2e2e2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#a0a0a0" stroke-width="2"/></pattern></defs>

        """)
        svg.label("\(plan.scale.headline) over \(plan.x.name) × \(plan.y.name)", x: 20, y: 22, size: 14, weight: "bold")

        var tally = Tally()
        var critical = CriticalPoints()
        var criticalLabels: [String: Double?] = [:]
        var criticalOffPlot: Set<String> = []
        var curveNotes: [String] = []
        let xLabelStep = max(1, SVGDocument.clampedInt(ceil((6.2 * Double(plan.x.values.map(\.description.count).max() ?? 1) + 8) / cellWidth), to: 1...Int.max))
        let yLabelStep = max(1, SVGDocument.clampedInt(ceil(14 / cellHeight), to: 1...Int.max))

        for (panelNumber, panel) in plan.panels.enumerated() {
            let left = 20 + Double(panelNumber % columns) * strideX + marginLeft
            let top = figureTop + Double(panelNumber / columns) * strideY + panelTop
            if !plan.others.isEmpty {
                svg.label(plan.title(panel), x: left, y: top - 8, size: 12, weight: "bold")
            }
            for (row, yValue) in plan.y.values.enumerated() {
                for (column, xValue) in plan.x.values.enumerated() {
                    var values = panel
                    values[plan.x.name] = xValue
                    values[plan.y.name] = yValue
                    guard let configurationIndex = index.index(values) else { continue }
                    let cellX = left + Double(column) * cellWidth, cellY = top + plotHeight - Double(row + 1) * cellHeight
                    let record = records[configurationIndex]
                    let key = record?.key ?? grid.configuration(at: configurationIndex).key
                    let headline = record?.result.headline.value
                    let placed: (position: Double, placement: Placement, kind: String) = record == nil ? (0, .missing, "missing") : plan.scale.place(headline)
                    if placed.placement != .drawn { tally.count(placed.placement, placed.kind) }
                    let fill: String
                    switch placed.placement {
                    case .drawn, .below, .above: fill = PhaseDiagram.colourRamp(placed.position)
                    case .noValue: fill = noValueFill
                    case .missing: fill = "url(#\(missingPatternID))"
                    }
                    let shown = record == nil ? "no record" : NumberFormat.short(headline, missing: "none")
                    cell(&svg, x: cellX, y: cellY, width: cellWidth, height: cellHeight, fill: fill, placement: placed.placement, key: key,
                         value: shown, tooltip: "\(plan.x.name)=\(xValue) \(plan.y.name)=\(yValue)\(plan.others.isEmpty ? "" : " " + plan.title(panel)): \(shown)")
                    mark(&svg, placed.placement, x: cellX, y: cellY, width: cellWidth, height: cellHeight)
                    let text = cellText(headline)
                    if placed.placement != .noValue, placed.placement != .missing, cellHeight >= 14, 5.3 * Double(text.count) + 6 <= cellWidth {
                        svg.add("text", ["class": "cell-label", "x": SVGDocument.number(cellX + cellWidth / 2), "y": SVGDocument.number(cellY + cellHeight / 2 + 3.5),
                                         "text-anchor": "middle", "font-size": "9", "fill": placed.position < 0.55 ? "#ffffff" : "#111111"],
                                text: text)
                    }
                }
            }
            svg.add("rect", ["x": SVGDocument.number(left), "y": SVGDocument.number(top), "width": SVGDocument.number(plotWidth),
                             "height": SVGDocument.number(plotHeight), "fill": "none", "stroke": "#444"])
            for (column, value) in plan.x.values.enumerated() where column % xLabelStep == 0 {
                let tickX = left + (Double(column) + 0.5) * cellWidth
                svg.line(tickX, top + plotHeight, tickX, top + plotHeight + 4, stroke: "#444")
                svg.label(value.description, x: tickX, y: top + plotHeight + 16, anchor: "middle", size: 10, color: "#555")
            }
            svg.label(plan.x.title, x: left + plotWidth / 2, y: top + plotHeight + 32, anchor: "middle", size: 11, color: "#333")
            for (row, value) in plan.y.values.enumerated() where row % yLabelStep == 0 {
                let tickY = top + plotHeight - (Double(row) + 0.5) * cellHeight
                svg.line(left - 4, tickY, left, tickY, stroke: "#444")
                svg.label(value.description, x: left - 6, y: tickY + 3.5, anchor: "end", size: 10, color: "#555")
            }
            let titleX = left - yLabelWidth - 18, titleY = top + plotHeight / 2
            svg.add("text", ["x": SVGDocument.number(titleX), "y": SVGDocument.number(titleY), "text-anchor": "middle", "font-size": "11",
                             "fill": "#333", "transform": "rotate(-90 \(SVGDocument.number(titleX)) \(SVGDocument.number(titleY)))"], text: plan.y.title)

            let xOf = { (number: Double) -> Double? in
                plan.x.position(of: number).map { left + ($0 + 0.5) * cellWidth }
            }
            if plan.x.name == "weight-variance" {
                var perRow: [(row: Int, x: Double?)] = []
                for (row, yValue) in plan.y.values.enumerated() {
                    var values = panel
                    values[plan.x.name] = plan.x.values[0]
                    values[plan.y.name] = yValue
                    guard let configurationIndex = index.index(values) else { continue }
                    let (value, label) = critical.weightVariance(grid.configuration(at: configurationIndex).settings)
                    criticalLabels[label] = .some(value)
                    guard let value else { perRow.append((row, nil)); continue }
                    let position = xOf(value).flatMap { $0 >= left - 0.01 && $0 <= left + plotWidth + 0.01 ? $0 : nil }
                    if position == nil { criticalOffPlot.insert("\(label): \(NumberFormat.short(value))") }
                    perRow.append((row, position))
                }
                let positions = perRow.compactMap(\.x)
                if let first = positions.first, positions.count == perRow.count, positions.allSatisfy({ abs($0 - first) < 0.05 }) {
                    svg.add("line", ["class": "critical", "x1": SVGDocument.number(first), "y1": SVGDocument.number(top),
                                     "x2": SVGDocument.number(first), "y2": SVGDocument.number(top + plotHeight),
                                     "stroke": "#111111", "stroke-width": "1.5", "stroke-dasharray": "5,4"])
                } else {
                    for (row, position) in perRow {
                        guard let position else { continue }
                        let rowTop = top + plotHeight - Double(row + 1) * cellHeight
                        svg.add("line", ["class": "critical", "x1": SVGDocument.number(position), "y1": SVGDocument.number(rowTop),
                                         "x2": SVGDocument.number(position), "y2": SVGDocument.number(rowTop + cellHeight),
                                         "stroke": "#111111", "stroke-width": "1.5", "stroke-dasharray": "5,4"])
                    }
                }
            }
            if let curve = plan.curve {
                let notes = drawCurve(&svg, curve, xAxis: plan.x, yAxis: plan.y, left: left, top: top,
                                      cellWidth: cellWidth, cellHeight: cellHeight, plotHeight: plotHeight, labelled: panelNumber == 0)
                if panelNumber == 0 { curveNotes = notes }
            }
        }

        let legendBottom = drawLegend(&svg, plan.scale, tally: tally, kind: grid.kind, overlay: plan.curve != nil, critical: !criticalLabels.isEmpty,
                                      x: legendX + 10, y: figureTop + panelTop)

        if plan.panelCount > plan.panels.count {
            svg.notes.append("The grid has \(plan.panelCount) panels (one per combination of \(plan.others.map(\.name).joined(separator: ", "))); only the first \(plan.panels.count) are drawn.")
        }
        svg.notes += tally.notes(item: "cell", kind: grid.kind, headline: plan.scale.headline)
        svg.notes += curveNotes
        if let omission = plan.curveOmission { svg.notes.append(omission) }
        let without = criticalLabels.filter { $0.value == nil }.keys.sorted()
        if !without.isEmpty {
            svg.notes.append("No critical σ_w² is marked for \(without.joined(separator: "; ")): mean-field theory finds none (q* diverges first).")
        }
        if !criticalOffPlot.isEmpty {
            svg.notes.append("The critical σ_w² lies outside the plotted weight variances and is not marked for \(criticalOffPlot.sorted().joined(separator: "; ")).")
        }
        var figure = SVGDocument(width: svg.width, height: max(figureTop + Double(rows) * strideY, legendBottom) + 12)
        figure.raw(svg.body)
        figure.notes = svg.notes
        return figure
    }

    /// One cell: a `<rect class="cell">` with its key, state and value, and a tooltip.
    static func cell(_ svg: inout SVGDocument, x: Double, y: Double, width: Double, height: Double, fill: String,
                     placement: Placement, key: String, value: String, tooltip: String) {
        let e = SVGDocument.escape
        svg.raw("<rect class=\"cell\" data-state=\"\(placement.rawValue)\" data-key=\"\(e(key))\" data-value=\"\(e(value))\" "
                + "x=\"\(SVGDocument.number(x))\" y=\"\(SVGDocument.number(y))\" width=\"\(SVGDocument.number(width + 0.2))\" "
                + "height=\"\(SVGDocument.number(height + 0.2))\" fill=\"\(e(fill))\"><title>\(e(tooltip))</title></rect>\n")
    }

    /// The mark of a cell that is not simply coloured: a triangle for a clipped value, a cross for
    /// no value.
    /// The legend draws the same marks with the class prefixed by `legend-`.
    static func mark(_ svg: inout SVGDocument, _ placement: Placement, x: Double, y: Double, width: Double, height: Double, inLegend: Bool = false) {
        let prefix = inLegend ? "legend-" : ""
        let size = max(min(width, height) * 0.3, 2)
        switch placement {
        case .below:
            let (cx, top) = (x + width - size * 0.7, y + size * 0.4)
            svg.add("polygon", ["class": prefix + "clipped-below", "points": points([(cx - size / 2, top), (cx + size / 2, top), (cx, top + size * 0.8)]),
                                "fill": "#ffffff", "stroke": "#111111", "stroke-width": "0.8"])
        case .above:
            let (cx, top) = (x + width - size * 0.7, y + size * 0.4)
            svg.add("polygon", ["class": prefix + "clipped-above", "points": points([(cx - size / 2, top + size * 0.8), (cx + size / 2, top + size * 0.8), (cx, top)]),
                                "fill": "#ffffff", "stroke": "#111111", "stroke-width": "0.8"])
        case .noValue:
            let inset = min(width, height) * 0.22
            let (x1, y1, x2, y2) = (x + inset, y + inset, x + width - inset, y + height - inset)
            let n = SVGDocument.number
            svg.add("path", ["class": prefix + "no-value", "d": "M\(n(x1)) \(n(y1)) L\(n(x2)) \(n(y2)) M\(n(x1)) \(n(y2)) L\(n(x2)) \(n(y1))",
                             "stroke": crossColour, "stroke-width": "1.6", "fill": "none"])
        case .drawn, .missing:
            break
        }
    }

    static func points(_ list: [(Double, Double)]) -> String {
        list.map { "\(SVGDocument.number($0.0)),\(SVGDocument.number($0.1))" }.joined(separator: " ")
    }

    /// Draws `6 xi_c` over a panel; returns the caption's notes on where it leaves the plot.
    static func drawCurve(_ svg: inout SVGDocument, _ curve: [(weightVariance: Double, depth: Double?)], xAxis: Axis, yAxis: Axis,
                          left: Double, top: Double, cellWidth: Double, cellHeight: Double, plotHeight: Double, labelled: Bool) -> [String] {
        enum Side { case inside, above, below }
        let depthCount = Double(yAxis.values.count)
        var placed: [(x: Double, y: Double, side: Side, weightVariance: Double, undefined: Bool)] = []
        for point in curve {
            guard let column = xAxis.position(of: point.weightVariance) else { continue }
            let x = left + (column + 0.5) * cellWidth
            guard let depth = point.depth, let row = yAxis.position(of: depth) else {
                placed.append((x, top, .above, point.weightVariance, true))
                continue
            }
            if row > depthCount - 0.5 {
                placed.append((x, top, .above, point.weightVariance, false))
            } else if row < -0.5 {
                placed.append((x, top + plotHeight, .below, point.weightVariance, false))
            } else {
                placed.append((x, top + plotHeight - (row + 0.5) * cellHeight, .inside, point.weightVariance, false))
            }
        }
        var d = ""
        var penAt: Int?
        for index in placed.indices.dropFirst() {
            let (previous, current) = (placed[index - 1], placed[index])
            if previous.side != .inside, previous.side == current.side { continue }
            if penAt != index - 1 { d += (d.isEmpty ? "M" : " M") + "\(SVGDocument.number(previous.x)) \(SVGDocument.number(previous.y))" }
            d += " L\(SVGDocument.number(current.x)) \(SVGDocument.number(current.y))"
            penAt = index
        }
        svg.add("path", ["class": "overlay-halo", "d": d, "fill": "none", "stroke": "#111111", "stroke-width": "4.5", "stroke-opacity": "0.55"])
        svg.add("path", ["class": "overlay", "data-overlay": "correlation-depth-scale", "d": d, "fill": "none",
                         "stroke": overlayColour, "stroke-width": "2"])
        if labelled, let anchor = placed.last(where: { $0.side == .inside }) {
            // Beside the rightmost point in the plot, towards the plot's middle.
            let plotWidth = cellWidth * Double(xAxis.values.count)
            let leftHalf = anchor.x < left + plotWidth / 2
            svg.add("text", ["class": "overlay-label", "x": SVGDocument.number(leftHalf ? anchor.x + 6 : anchor.x - 6),
                             "y": SVGDocument.number(min(max(anchor.y - 6, top + 12), top + plotHeight - 4)),
                             "text-anchor": leftHalf ? "start" : "end", "font-size": "11", "fill": "#111111", "stroke": "#ffffff",
                             "stroke-width": "3", "paint-order": "stroke"], text: overlayLabel)
        }
        // Stretches of sigma_w^2 off each edge, for the caption.
        var notes: [String] = []
        let deepest = yAxis.values.last?.description ?? "?", shallowest = yAxis.values.first?.description ?? "?"
        for (side, edge, meaning) in [(Side.above, "top", "6 ξ_c is deeper than depth \(deepest), or ξ_c is infinite"),
                                      (Side.below, "bottom", "6 ξ_c is shallower than depth \(shallowest)")] {
            var stretches: [(Double, Double)] = []
            var start: Double?
            var undefined = false
            for (index, point) in placed.enumerated() {
                if point.side == side {
                    if start == nil { start = point.weightVariance }
                    undefined = undefined || point.undefined
                }
                if point.side != side || index == placed.count - 1, let first = start {
                    stretches.append((first, point.side == side ? point.weightVariance : placed[index - 1].weightVariance))
                    start = nil
                }
            }
            guard !stretches.isEmpty else { continue }
            let ranges = stretches.map { $0.0 == $0.1 ? NumberFormat.short($0.0) : "\(NumberFormat.short($0.0))–\(NumberFormat.short($0.1))" }
            notes.append("The 6 ξ_c curve leaves the plot through the \(edge) edge for σ_w² in \(ranges.joined(separator: ", ")) "
                         + "(\(meaning)\(side == .above && undefined ? "; ξ_c is infinite or undefined at some of these points" : "")): it is drawn up to the edge and not beyond.")
        }
        return notes
    }

    /// A cell's value in at most about seven characters.
    static func cellText(_ value: Double?) -> String {
        let text = NumberFormat.short(value)
        guard text.count > 5, let value, value.isFinite else { return text }
        return String(format: "%.1e", value).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-")
    }

    /// The colour bar, its ticks, and the marks the figure uses; returns the legend's bottom edge.
    @discardableResult
    static func drawLegend(_ svg: inout SVGDocument, _ scale: Scale, tally: Tally, kind: SweepKind, overlay: Bool, critical: Bool, x: Double, y: Double) -> Double {
        let barHeight = 180.0, steps = 40
        svg.label(scale.title, x: x, y: y - 6, size: 11, weight: "bold", color: "#333")
        for step in 0..<steps {
            let stepTop = y + barHeight * (1 - Double(step + 1) / Double(steps))
            svg.add("rect", ["class": "legend-step", "x": SVGDocument.number(x), "y": SVGDocument.number(stepTop), "width": "14",
                             "height": SVGDocument.number(barHeight / Double(steps) + 0.5),
                             "fill": PhaseDiagram.colourRamp((Double(step) + 0.5) / Double(steps)), "shape-rendering": "crispEdges"])
        }
        svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(y), "width": "14", "height": SVGDocument.number(barHeight),
                         "fill": "none", "stroke": "#444"])
        for tick in scale.ticks {
            let tickY = y + barHeight * (1 - (tick - scale.low) / (scale.high - scale.low))
            svg.line(x + 14, tickY, x + 18, tickY, stroke: "#444")
            svg.label(scale.label(tick), x: x + 21, y: tickY + 4, size: 10, color: "#555")
        }
        var itemY = y + barHeight + 26
        func item(_ text: String, draw: (inout SVGDocument, Double) -> Void) {
            draw(&svg, itemY)
            svg.label(text, x: x + 28, y: itemY, size: 11, color: "#333")
            itemY += 18
        }
        if tally.total(.missing) > 0 {
            item("no record (missing)") { svg, itemY in
                svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(itemY - 10), "width": "20", "height": "13",
                                 "fill": "url(#\(missingPatternID))", "stroke": "#999"])
            }
        }
        if tally.total(.noValue) > 0 {
            let meaning = switch kind {
            case .train: "diverged, NaN"
            case .propagate: "not finite"
            case .theory: "ξ_c infinite, undefined"
            }
            item("no value (\(meaning))") { svg, itemY in
                svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(itemY - 10), "width": "20", "height": "13", "fill": noValueFill, "stroke": "#999"])
                mark(&svg, .noValue, x: x, y: itemY - 10, width: 20, height: 13, inLegend: true)
            }
        }
        if tally.total(.below) > 0 {
            item("below the scale") { svg, itemY in
                svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(itemY - 10), "width": "20", "height": "13", "fill": PhaseDiagram.colourRamp(0)])
                mark(&svg, .below, x: x, y: itemY - 10, width: 20, height: 13, inLegend: true)
            }
        }
        if tally.total(.above) > 0 {
            item("above the scale") { svg, itemY in
                svg.add("rect", ["x": SVGDocument.number(x), "y": SVGDocument.number(itemY - 10), "width": "20", "height": "13", "fill": PhaseDiagram.colourRamp(1)])
                mark(&svg, .above, x: x, y: itemY - 10, width: 20, height: 13, inLegend: true)
            }
        }
        if overlay {
            item(overlayLabel) { svg, itemY in
                svg.add("rect", ["x": SVGDocument.number(x - 2), "y": SVGDocument.number(itemY - 10), "width": "24", "height": "13", "fill": PhaseDiagram.colourRamp(0.3)])
                svg.line(x, itemY - 4, x + 20, itemY - 4, stroke: overlayColour, width: 2)
            }
        }
        if critical {
            item("critical σ_w² (ξ_c diverges)") { svg, itemY in
                svg.line(x + 10, itemY - 11, x + 10, itemY + 3, stroke: "#111111", width: 1.5, dash: "5,4")
            }
        }
        return itemY
    }

    // MARK: - Lines

    static let linePlotHeight = 280.0, lineMarginLeft = 80.0, lineMarginTop = 44.0

    /// The headline against the grid's one axis, one line (see the type's documentation); nil
    /// unless the grid has exactly one axis.
    static func lines(_ merge: SweepMerge) -> SVGDocument? {
        let grid = merge.grid
        guard grid.axisNames.count == 1, let name = grid.axisNames.first else { return nil }
        let axis = Axis(grid, name)
        let scale = scale(merge)
        let index = GridIndex(grid)
        var records: [Int: SweepRecord] = [:]
        for record in merge.records where records[record.index] == nil { records[record.index] = record }
        let count = axis.values.count
        let plotWidth = min(max(Double(count) * 48, 300), 760), plotHeight = linePlotHeight
        let step = plotWidth / Double(count)
        let left = lineMarginLeft, top = lineMarginTop
        var svg = SVGDocument(width: left + plotWidth + 40, height: top + plotHeight + 56)
        svg.label("\(scale.headline) over \(name)", x: 20, y: 22, size: 14, weight: "bold")
        svg.add("rect", ["x": SVGDocument.number(left), "y": SVGDocument.number(top), "width": SVGDocument.number(plotWidth),
                         "height": SVGDocument.number(plotHeight), "fill": "none", "stroke": "#444"])
        // Values on the scale sit within 4% of the plot's height from its edges; the edges are for clipped values.
        let yOf = { (position: Double) -> Double in top + plotHeight * (0.96 - 0.92 * position) }
        for tick in scale.ticks {
            let tickY = yOf((tick - scale.low) / (scale.high - scale.low))
            svg.line(left, tickY, left + plotWidth, tickY, stroke: "#eee")
            svg.label(scale.label(tick), x: left - 6, y: tickY + 4, anchor: "end", size: 10, color: "#555")
        }
        let labelStep = max(1, SVGDocument.clampedInt(ceil((6.2 * Double(axis.values.map(\.description.count).max() ?? 1) + 8) / step), to: 1...Int.max))
        var tally = Tally()
        var d = ""
        var penDown = false
        for (position, value) in axis.values.enumerated() {
            let x = left + (Double(position) + 0.5) * step
            if position % labelStep == 0 {
                svg.line(x, top + plotHeight, x, top + plotHeight + 4, stroke: "#444")
                svg.label(value.description, x: x, y: top + plotHeight + 16, anchor: "middle", size: 10, color: "#555")
            }
            guard let configurationIndex = index.index([name: value]) else { continue }
            let record = records[configurationIndex]
            let key = record?.key ?? grid.configuration(at: configurationIndex).key
            let headline = record?.result.headline.value
            let placed: (position: Double, placement: Placement, kind: String) = record == nil ? (0, .missing, "missing") : scale.place(headline)
            if placed.placement != .drawn { tally.count(placed.placement, placed.kind) }
            let y = placed.placement == .drawn ? yOf(placed.position) : placed.placement == .above ? top : top + plotHeight
            let shown = record == nil ? "no record" : NumberFormat.short(headline, missing: "none")
            switch placed.placement {
            case .drawn:
                d += (penDown ? " L" : (d.isEmpty ? "M" : " M")) + "\(SVGDocument.number(x)) \(SVGDocument.number(y))"
                penDown = true
                svg.add("circle", ["class": "point", "data-key": key, "data-value": shown, "cx": SVGDocument.number(x), "cy": SVGDocument.number(y),
                                   "r": "3.5", "fill": SVGDocument.palette[0]])
            case .below, .above:
                penDown = false
                let tip = placed.placement == .below ? y - 1 : y + 1, base = placed.placement == .below ? y - 10 : y + 10
                svg.add("polygon", ["class": placed.placement.rawValue, "data-key": key, "data-value": shown,
                                    "points": points([(x - 5, base), (x + 5, base), (x, tip)]), "fill": "#ffffff", "stroke": "#111111"])
            case .noValue:
                penDown = false
                let n = SVGDocument.number, base = top + plotHeight - 8
                svg.add("path", ["class": "no-value", "data-key": key, "d": "M\(n(x - 4)) \(n(base - 4)) L\(n(x + 4)) \(n(base + 4)) M\(n(x - 4)) \(n(base + 4)) L\(n(x + 4)) \(n(base - 4))",
                                 "stroke": crossColour, "stroke-width": "1.8", "fill": "none"])
            case .missing:
                penDown = false
                svg.add("rect", ["class": "missing", "data-key": key, "x": SVGDocument.number(x - 4), "y": SVGDocument.number(top + plotHeight - 12),
                                 "width": "8", "height": "8", "fill": "#e2e2e2", "stroke": "#888"])
            }
        }
        svg.add("path", ["class": "headline", "d": d, "fill": "none", "stroke": SVGDocument.palette[0], "stroke-width": "2"])
        svg.label(axis.title, x: left + plotWidth / 2, y: top + plotHeight + 34, anchor: "middle", size: 11, color: "#333")
        let titleX = 18.0, titleY = top + plotHeight / 2
        svg.add("text", ["x": SVGDocument.number(titleX), "y": SVGDocument.number(titleY), "text-anchor": "middle", "font-size": "11", "fill": "#333",
                         "transform": "rotate(-90 \(SVGDocument.number(titleX)) \(SVGDocument.number(titleY)))"], text: scale.title)
        if name == "weight-variance" {
            var critical = CriticalPoints()
            let (value, label) = critical.weightVariance(grid.configuration(at: 0).settings)
            if let value, let position = axis.position(of: value), position >= -0.5, position <= Double(count) - 0.5 {
                let x = left + (position + 0.5) * step
                svg.add("line", ["class": "critical", "x1": SVGDocument.number(x), "y1": SVGDocument.number(top), "x2": SVGDocument.number(x),
                                 "y2": SVGDocument.number(top + plotHeight), "stroke": "#111111", "stroke-width": "1.5", "stroke-dasharray": "5,4"])
                svg.add("text", ["class": "critical-label", "x": SVGDocument.number(x - 4), "y": SVGDocument.number(top + 14), "text-anchor": "end",
                                 "font-size": "10", "fill": "#333333", "stroke": "#ffffff", "stroke-width": "3", "paint-order": "stroke"],
                        text: "critical σ_w² ≈ \(NumberFormat.short(value))")
            } else if let value {
                svg.notes.append("The critical σ_w² = \(NumberFormat.short(value)) (\(label)) lies outside the plotted weight variances and is not marked.")
            } else {
                svg.notes.append("No critical σ_w² is marked for \(label): mean-field theory finds none (q* diverges first).")
            }
        }
        svg.notes += tally.notes(item: "point", kind: grid.kind, headline: scale.headline)
        return svg
    }

    // MARK: - Captions

    /// What the heat map shows, for its caption (HTML).
    static func heatMapCaption(_ merge: SweepMerge) -> String {
        guard let plan = HeatMapPlan(merge, withCurve: false) else { return "" }
        let e = SVGDocument.escape
        var text = "One cell per configuration: \(e(plan.x.name)) across, \(e(plan.y.name)) up, coloured by \(e(plan.scale.headline)) on \(e(plan.scale.rangeDescription))."
        if !plan.others.isEmpty {
            text += " One panel per combination of \(e(plan.others.map(\.name).joined(separator: ", ")))."
        }
        text += plan.x.isNumeric && plan.y.isNumeric
            ? " Axis values are evenly spaced (not to scale), in ascending order."
            : " Axis values are evenly spaced (not to scale): numbers in ascending order, names as written in the grid."
        if plan.curve != nil {
            text += " The white line is \(e(overlayLabel)): the depth 6 &xi;<sub>c</sub> at each &sigma;<sub>w</sub><sup>2</sup>, beyond which signals"
                + " cannot cross the network and it should not train (Schoenholz et al. 2017), placed between the cells' positions by linear interpolation"
                + " along both axes."
        }
        if plan.x.name == "weight-variance" {
            text += " The dashed line marks the critical &sigma;<sub>w</sub><sup>2</sup>, the edge of chaos where &xi;<sub>c</sub> diverges"
                + " (mean-field theory): \(e(criticalWeightVariances(merge.grid)))."
        }
        return text
    }

    /// The critical `sigma_w^2` of each activation and `bias-variance` of `grid` (at most 12), as text.
    static func criticalWeightVariances(_ grid: SweepGrid) -> String {
        let base = grid.configuration(at: 0).settings
        let activations = grid.axes["activation"] ?? [base["activation"] ?? .text("tanh")]
        let biases = grid.axes["bias-variance"] ?? [base["bias-variance"] ?? .number(0)]
        var critical = CriticalPoints()
        var entries: [String] = []
        for activation in activations.prefix(12) {
            for bias in biases.prefix(12) where entries.count < 12 {
                let (value, label) = critical.weightVariance(["activation": activation, "bias-variance": bias])
                entries.append("\(value.map { "≈ " + NumberFormat.short($0) } ?? "none") for \(label)")
            }
        }
        return entries.joined(separator: "; ") + (activations.count * biases.count > entries.count ? "; ..." : "")
    }

    /// What the line figure shows, for its caption (HTML).
    static func linesCaption(_ merge: SweepMerge) -> String {
        guard let name = merge.grid.axisNames.first, merge.grid.axisNames.count == 1 else { return "" }
        let scale = scale(merge)
        let e = SVGDocument.escape
        var text = "\(e(scale.headline)) of each configuration against \(e(name)) (evenly spaced values), on \(e(scale.rangeDescription))."
        if name == "weight-variance" {
            text += " The dashed line marks the critical &sigma;<sub>w</sub><sup>2</sup>, the edge of chaos where &xi;<sub>c</sub> diverges (mean-field theory)."
        }
        return text
    }
}
