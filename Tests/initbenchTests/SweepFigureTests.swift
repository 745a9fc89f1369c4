import Foundation
import Testing
@testable import initbench
import VarianceKit

/// The sweep's heat map, line figure and report page, on merges read back from results files
/// written to a temporary directory: real `theory` records, and `train` records with fabricated
/// outcomes (test accuracies and losses chosen to hit every kind of cell).
@Suite struct SweepFigureTests {
    // MARK: - Building merges

    /// A merge of one results file holding `records` of `grid`, written and read back as the sweep does.
    static func merge(_ grid: SweepGrid, _ records: [SweepRecord]) throws -> SweepMerge {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-figure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("part.jsonl").path
        do {
            let writer = try SweepResultsWriter(path: path, grid: grid, shard: nil, resume: false)
            for record in records { try writer.append(record) }
        }
        return try SweepMerge([(path, try SweepResultsFile.read(path))])
    }

    static func trainGrid(axes: [String: [JSONValue]], fixed: [String: JSONValue] = [:]) throws -> SweepGrid {
        try SweepGrid(kind: .train, axes: axes,
                      fixed: ["activation": .string("tanh"), "bias-variance": .number(0.05), "steps": .integer(10)].merging(fixed) { $1 })
    }

    static let weightVariances = [1.0, 1.5, 1.75, 2, 2.5, 3]
    static let depths = [2, 8, 32]
    static var weightDepthAxes: [String: [JSONValue]] {
        ["weight-variance": weightVariances.map { .number($0) }, "depth": depths.map { .integer($0) }]
    }

    /// A train record of `configuration` with test accuracy `accuracy` (a classification
    /// dataset) or test loss `loss` (regression); neither: the run diverged.
    static func trainRecord(_ configuration: SweepConfiguration, accuracy: Double? = nil, loss: Double? = nil) -> SweepRecord {
        var training = TrainingRecord()
        training.steps = 10
        if accuracy != nil || loss != nil {
            training.test = Evaluation(loss: loss ?? 1, accuracy: accuracy, samples: 400)
        } else {
            training.status = .diverged
            training.divergence = TrainingDivergence(step: 4, location: "loss")
        }
        return SweepRecord(configuration: configuration, result: SweepOutcome(training: SweepTrainingOutcome(training)), seconds: 0.25)
    }

    // MARK: - Reading figures

    /// The cells of a heat map: every `<rect class="cell">`.
    static func cells(_ svg: SVGElements) -> [[String: String]] { svg.elements("rect", class: "cell") }

    static func count(_ cells: [[String: String]], _ state: String) -> Int { cells.filter { $0["data-state"] == state }.count }

    /// The plot frames (unfilled rectangles wider than the legend's bar), left to right, top to bottom.
    static func frames(_ svg: SVGElements) -> [(x: Double, y: Double, width: Double, height: Double)] {
        svg.elements.filter { $0.name == "rect" && $0.attributes["fill"] == "none" && (Double($0.attributes["width"] ?? "") ?? 0) > 50 }
            .map { (Double($0.attributes["x"]!)!, Double($0.attributes["y"]!)!, Double($0.attributes["width"]!)!, Double($0.attributes["height"]!)!) }
    }

    /// The points of a path's `d` (`M x y L x y ...`).
    static func pathPoints(_ d: String) -> [(Double, Double)] {
        let numbers = d.split(whereSeparator: { " ML".contains($0) }).compactMap { Double($0) }
        return stride(from: 0, to: numbers.count - 1, by: 2).map { (numbers[$0], numbers[$0 + 1]) }
    }

    // MARK: - Heat map

    /// A theory grid (real mean-field records) of weight-variance x bias-variance, two records
    /// left out: one cell per configuration, the two missing ones hatched and counted, the
    /// others coloured on the log scale or marked as the record's value says; no overlay (there
    /// is no depth axis); weight-variance, which has more values, across.
    @Test func theoryGridHasOneCellPerConfiguration() throws {
        let grid = try SweepGrid(kind: .theory, axes: ["weight-variance": [0.5, 1, 1.5, 2, 3].map { .number($0) },
                                                      "bias-variance": [0, 0.05, 0.2].map { .number($0) }], fixed: [:])
        let runner = SweepRunner()
        let left = Set([3, 11])
        let records = try grid.configurations.filter { !left.contains($0.index) }.map { try runner.run($0) }
        let merge = try Self.merge(grid, records)
        let figure = try #require(SweepFigure.heatMap(merge))
        #expect(SweepFigure.lines(merge) == nil)
        let svg = try SVGElements.parse(figure.text)
        #expect(svg.coordinateProblems().isEmpty)
        let cells = Self.cells(svg)
        #expect(cells.count == grid.count)
        #expect(Set(cells.compactMap { $0["data-key"] }) == Set(grid.configurations.map(\.key)))
        let missingKeys = Set(cells.filter { $0["data-state"] == "missing" }.compactMap { $0["data-key"] })
        #expect(missingKeys == Set(left.map { grid.configuration(at: $0).key }))
        #expect(svg.descriptionText.contains("2 cells with no record"))
        // What each record's xi_c should give on a log scale, from its IEEE 754 class.
        let expectedNoValue = merge.records.filter { record in record.result.headline.value.map { $0.isNaN || $0 < 0 } ?? true }.count
        #expect(Self.count(cells, "no-value") == expectedNoValue)
        #expect(svg.elements("path", class: "no-value").count == expectedNoValue)
        #expect(Self.count(cells, "value") + Self.count(cells, "clipped-above") + Self.count(cells, "clipped-below") == merge.records.count - expectedNoValue)
        #expect(svg.elements("path", class: "overlay").isEmpty)
        // Across: weight-variance in ascending order; the leftmost cells are sigma_w^2 = 0.5.
        let byKey = Dictionary(uniqueKeysWithValues: grid.configurations.map { ($0.key, $0) })
        let leftmost = cells.min { Double($0["x"]!)! < Double($1["x"]!)! }!
        #expect(byKey[leftmost["data-key"]!]?["weight-variance"] == .number(0.5))
        #expect(svg.texts.contains("weight-variance σ_w²"))
    }

    /// A train grid of weight-variance x depth with a diverged run, a NaN accuracy and a missing
    /// record: cells, marks and caption counts; the 6 xi_c curve inside the plot and where the
    /// theory puts it; the critical sigma_w^2 between the cells of 1.75 and 2.
    @Test func weightVarianceByDepthHasTheOverlay() throws {
        let grid = try Self.trainGrid(axes: Self.weightDepthAxes)
        var records: [SweepRecord] = []
        for configuration in grid.configurations where configuration.index != 4 {
            switch configuration.index {
            case 7: records.append(Self.trainRecord(configuration))
            case 9: records.append(Self.trainRecord(configuration, accuracy: .nan))
            default: records.append(Self.trainRecord(configuration, accuracy: 0.3 + 0.6 * Double(configuration.index % 5) / 4))
            }
        }
        let merge = try Self.merge(grid, records)
        let svg = try SVGElements.parse(try #require(SweepFigure.heatMap(merge)).text)
        #expect(svg.coordinateProblems().isEmpty)
        let cells = Self.cells(svg)
        #expect(cells.count == 18)
        #expect(Self.count(cells, "missing") == 1)
        #expect(Self.count(cells, "no-value") == 2)
        #expect(svg.elements("path", class: "no-value").count == 2)
        #expect(svg.descriptionText.contains("1 cell with no record"))
        #expect(svg.descriptionText.contains("2 cells with no value"))
        #expect(svg.descriptionText.contains("1 NaN"))
        #expect(svg.descriptionText.contains("1 nil: the run diverged"))
        // Accuracies are on [chance, 1] = [0.25, 1]: none of 0.3 ... 0.9 is clipped.
        #expect(Self.count(cells, "clipped-below") + Self.count(cells, "clipped-above") == 0)

        let frame = try #require(Self.frames(svg).first)
        let overlay = try #require(svg.elements("path", class: "overlay").first)
        let points = Self.pathPoints(overlay["d"] ?? "")
        #expect(points.count > 10)
        for (x, y) in points {
            #expect(x >= frame.x - 0.1 && x <= frame.x + frame.width + 0.1 && y >= frame.y - 0.1 && y <= frame.y + frame.height + 0.1, "(\(x), \(y)) off the plot")
        }
        // At sigma_w^2 = 1, the curve's first point: 6 xi_c placed between the depths' rows.
        let xi = try #require(try MeanFieldTheory(activation: .tanh).analysis(weightScale: 1, biasVariance: 0.05).correlationDepthScale)
        let depth = 6 * xi
        let cellHeight = frame.height / 3, cellWidth = frame.width / 6
        let row: Double = depth <= 8 ? (depth - 2) / 6 : 1 + (depth - 8) / 24
        let expectedY = max(frame.y, min(frame.y + frame.height, frame.y + frame.height - (row + 0.5) * cellHeight))
        #expect(abs(points[0].0 - (frame.x + cellWidth / 2)) < 0.2)
        #expect(abs(points[0].1 - expectedY) < 0.2, "6 xi_c = \(depth): y \(points[0].1), expected \(expectedY)")
        // xi_c diverges at the critical point inside the plotted range: the curve leaves through the top.
        #expect(svg.descriptionText.contains("leaves the plot through the top edge"))
        #expect(svg.texts.contains(SweepFigure.overlayLabel))

        let critical = try #require(svg.elements("line", class: "critical").first)
        let criticalX = Double(critical["x1"]!)!
        let sw2 = try MeanFieldTheory(activation: .tanh).criticalWeightScale(biasVariance: 0.05)
        let expectedX = frame.x + (2 + (sw2 - 1.75) / 0.25 + 0.5) * cellWidth
        #expect(abs(criticalX - expectedX) < 0.2)
        #expect(criticalX > frame.x + 2.5 * cellWidth && criticalX < frame.x + 3.5 * cellWidth)
        #expect(SweepFigure.heatMapCaption(merge).contains("6 ξ_c (mean-field theory)"))
    }

    /// More axes: one panel per value of the third; past `maximumPanels`, only that many, said so.
    @Test func smallMultiples() throws {
        let grid = try Self.trainGrid(axes: Self.weightDepthAxes.merging(["seed": [.integer(0), .integer(1)]]) { $1 })
        let merge = try Self.merge(grid, grid.configurations.map { Self.trainRecord($0, accuracy: 0.5) })
        let svg = try SVGElements.parse(try #require(SweepFigure.heatMap(merge)).text)
        #expect(Self.cells(svg).count == 36)
        #expect(Self.count(Self.cells(svg), "value") == 36)
        #expect(svg.texts.contains("seed=0") && svg.texts.contains("seed=1"))
        #expect(svg.elements("path", class: "overlay").count == 2)
        #expect(!svg.descriptionText.contains("panels"))

        let many = try Self.trainGrid(axes: ["weight-variance": [.number(1), .number(2)], "depth": [.integer(2), .integer(4)],
                                             "seed": (0..<14).map { .integer($0) }])
        let manyMerge = try Self.merge(many, [Self.trainRecord(many.configuration(at: 0), accuracy: 0.7)])
        let manySVG = try SVGElements.parse(try #require(SweepFigure.heatMap(manyMerge)).text)
        let cells = Self.cells(manySVG)
        #expect(cells.count == 4 * SweepFigure.maximumPanels)
        #expect(Self.count(cells, "missing") == 4 * SweepFigure.maximumPanels - 1)
        #expect(manySVG.descriptionText.contains("The grid has 14 panels"))
        #expect(manySVG.descriptionText.contains("only the first 12 are drawn"))
        #expect(!manySVG.texts.contains("seed=12"))
    }

    /// Without weight-variance and depth: the first two numeric axes, the longer one across; a
    /// name axis goes last, as written; no overlay and no critical line.
    @Test func axisChoiceWithoutWeightVariance() throws {
        let grid = try Self.trainGrid(axes: ["width": [.integer(8), .integer(16), .integer(32)], "batch": [.integer(16), .integer(8)],
                                             "optimizer": [.string("sgd"), .string("adam")]])
        let axes = try #require(SweepFigure.plotAxes(grid))
        #expect(axes.x == "width" && axes.y == "batch")
        let merge = try Self.merge(grid, grid.configurations.map { Self.trainRecord($0, accuracy: 0.6) })
        let svg = try SVGElements.parse(try #require(SweepFigure.heatMap(merge)).text)
        #expect(Self.cells(svg).count == grid.count)
        #expect(svg.elements("path", class: "overlay").isEmpty)
        #expect(svg.elements("line", class: "critical").isEmpty)
        #expect(svg.texts.contains("optimizer=sgd") && svg.texts.contains("optimizer=adam"))
        // batch ascending upwards: 8 in the bottom row although written second.
        let byKey = Dictionary(uniqueKeysWithValues: grid.configurations.map { ($0.key, $0) })
        let bottom = Self.cells(svg).max { Double($0["y"]!)! < Double($1["y"]!)! }!
        #expect(byKey[bottom["data-key"]!]?["batch"] == .integer(8))
        // A name axis and a numeric one: the numeric one is chosen before the name.
        let named = try SweepGrid(kind: .train, axes: ["optimizer": [.string("sgd"), .string("adam")], "width": [.integer(8), .integer(16)],
                                                       "steps": [.integer(5), .integer(10)]], fixed: [:])
        let namedAxes = try #require(SweepFigure.plotAxes(named))
        #expect(Set([namedAxes.x, namedAxes.y]) == ["steps", "width"])
    }

    /// Zero, subnormal, infinite, NaN and negative headlines: nothing traps, no coordinate is
    /// NaN or infinite, and every kind is counted in the caption. Test loss (a regression
    /// dataset) is on a log scale; test accuracy on [chance, 1].
    @Test func edgeValuesAreMarkedAndNoted() throws {
        let losses: [Double] = [1, 0, .leastNonzeroMagnitude, 1e-155 * 1e-155, .infinity, .nan, -.infinity, -1, 1e-3, 10, 1e300 * 10, 0.5]
        let regression = try Self.trainGrid(axes: ["weight-variance": [1, 1.5, 2, 2.5].map { .number($0) }, "depth": [.integer(2), .integer(4), .integer(8)]],
                                            fixed: ["dataset": .string("teacher-regression")])
        let lossMerge = try Self.merge(regression, regression.configurations.map { Self.trainRecord($0, loss: losses[$0.index]) })
        #expect(lossMerge.records.map { $0.result.headline.name } == Array(repeating: "test loss", count: 12))
        let lossSVG = try SVGElements.parse(try #require(SweepFigure.heatMap(lossMerge)).text)
        #expect(lossSVG.coordinateProblems().isEmpty)
        let lossCells = Self.cells(lossSVG)
        #expect(lossCells.count == 12)
        // Below the log axis (1e-300): 0 and two subnormals; above its ceiling (1e+300): +inf and 1e301.
        #expect(Self.count(lossCells, "clipped-below") == 3)
        #expect(Self.count(lossCells, "clipped-above") == 2)
        #expect(Self.count(lossCells, "no-value") == 3)
        #expect(lossSVG.elements("polygon", class: "clipped-below").count == 3)
        #expect(lossSVG.elements("polygon", class: "clipped-above").count == 2)
        let lossNotes = lossSVG.descriptionText
        #expect(lossNotes.contains("3 cells below the scale") && lossNotes.contains("1 zero") && lossNotes.contains("2 subnormal"))
        #expect(lossNotes.contains("2 cells above the scale") && lossNotes.contains("1 +inf") && lossNotes.contains("1 above 1e+300"))
        #expect(lossNotes.contains("3 cells with no value") && lossNotes.contains("1 NaN") && lossNotes.contains("1 -inf") && lossNotes.contains("1 negative"))

        let accuracies: [Double] = [0.9, 0, 1e-155 * 1e-155, .infinity, .nan, 0.2, 0.5, 0.6, 0.7, 0.8, 0.95, 1]
        let classification = try Self.trainGrid(axes: ["weight-variance": [1, 1.5, 2, 2.5].map { .number($0) }, "depth": [.integer(2), .integer(4), .integer(8)]])
        let accuracyMerge = try Self.merge(classification, classification.configurations.map { Self.trainRecord($0, accuracy: accuracies[$0.index]) })
        let figure = try #require(SweepFigure.heatMap(accuracyMerge))
        let accuracySVG = try SVGElements.parse(figure.text)
        #expect(accuracySVG.coordinateProblems().isEmpty)
        let cells = Self.cells(accuracySVG)
        // Chance is 1/4 (gaussian-mixture): 0, the subnormal and 0.2 are below it; +inf above.
        #expect(Self.count(cells, "clipped-below") == 3)
        #expect(Self.count(cells, "clipped-above") == 1)
        #expect(Self.count(cells, "no-value") == 1)
        let notes = accuracySVG.descriptionText
        #expect(notes.contains("1 zero") && notes.contains("1 subnormal") && notes.contains("1 below chance") && notes.contains("1 +inf") && notes.contains("1 NaN"))
        #expect(HTMLReport.clippingNotes(figure).contains("1 NaN"))
        #expect(SweepFigure.heatMapCaption(accuracyMerge).contains("chance (1/classes = 25%)"))
    }

    // MARK: - Lines

    /// One axis: a line figure, one marker per value (points, clipped triangles, crosses,
    /// missing squares), the critical sigma_w^2 dashed where it lies in range.
    @Test func oneAxisIsALine() throws {
        let grid = try SweepGrid(kind: .theory, axes: ["weight-variance": [0.5, 0.8, 1.5, 2, 3].map { .number($0) }],
                                 fixed: ["bias-variance": .number(0.05)])
        let runner = SweepRunner()
        let records = try grid.configurations.filter { $0.index != 2 }.map { try runner.run($0) }
        let merge = try Self.merge(grid, records)
        #expect(SweepFigure.heatMap(merge) == nil)
        let svg = try SVGElements.parse(try #require(SweepFigure.lines(merge)).text)
        #expect(svg.coordinateProblems().isEmpty)
        let points = svg.elements("circle", class: "point")
        let missing = svg.elements("rect", class: "missing")
        #expect(missing.count == 1)
        #expect(missing.first?["data-key"] == grid.configuration(at: 2).key)
        let marks = points.count + missing.count + svg.elements("path", class: "no-value").count
            + svg.elements("polygon", class: "clipped-below").count + svg.elements("polygon", class: "clipped-above").count
        #expect(marks == grid.count)
        #expect(svg.descriptionText.contains("1 point with no record"))
        #expect(svg.paths.contains { $0["class"] == "headline" })
        #expect(svg.elements("line", class: "critical").count == 1)

        let regression = try Self.trainGrid(axes: ["depth": (1...6).map { .integer($0) }], fixed: ["dataset": .string("teacher-regression")])
        let values: [Double] = [1, 0, .leastNonzeroMagnitude, .infinity, .nan, 0.1]
        let lossMerge = try Self.merge(regression, regression.configurations.map { Self.trainRecord($0, loss: values[$0.index]) })
        let lossSVG = try SVGElements.parse(try #require(SweepFigure.lines(lossMerge)).text)
        #expect(lossSVG.coordinateProblems().isEmpty)
        #expect(lossSVG.elements("circle", class: "point").count == 2)
        #expect(lossSVG.elements("polygon", class: "clipped-below").count == 2)
        #expect(lossSVG.elements("polygon", class: "clipped-above").count == 1)
        #expect(lossSVG.elements("path", class: "no-value").count == 1)
        #expect(lossSVG.descriptionText.contains("1 zero") && lossSVG.descriptionText.contains("1 subnormal") && lossSVG.descriptionText.contains("1 NaN"))
        #expect(lossSVG.elements("line", class: "critical").isEmpty)
    }

    // MARK: - Page

    /// The report directory: the page with the figure inline and a row for every key (missing
    /// ones marked), the figure's SVG file, the JSON and the CSV; no preset section for a grid
    /// that is not the preset's.
    @Test func pageHoldsFigureAndEveryKey() throws {
        let grid = try Self.trainGrid(axes: Self.weightDepthAxes)
        let records = grid.configurations.filter { $0.index != 5 }.map { Self.trainRecord($0, accuracy: 0.4 + 0.03 * Double($0.index)) }
        let merge = try Self.merge(grid, records)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let document = SweepDocument(merge, sources: ["part.jsonl"])
        let page = try HTMLReport.write(document, merge: merge, to: directory)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(names == [HTMLReport.pageName, HTMLReport.jsonName, HTMLReport.csvName, SweepFigure.heatMapName])
        #expect(names.isSubset(of: HTMLReport.sweepFileNames))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let svgFile = try String(contentsOfFile: directory + "/" + SweepFigure.heatMapName, encoding: .utf8)
        #expect(Self.cells(try SVGElements.parse(svgFile)).count == 18)
        #expect(html.contains("<svg") && html.contains("class=\"cell\""))
        #expect(html.contains("<figcaption>One cell per configuration"))
        #expect(html.contains("1 cell with no record"))
        for configuration in grid.configurations {
            let row = "<tr data-key=\"\(SVGDocument.escape(configuration.key))\""
            #expect(html.components(separatedBy: row).count == 2, "row of \(configuration.key)")
        }
        #expect(html.contains("<tr data-key=\"\(SVGDocument.escape(grid.configuration(at: 5).key))\" class=\"missing\">"))
        #expect(html.contains("<th>BLAS</th><td>\(SVGDocument.escape(document.blasKernel))</td>"))
        #expect(html.contains("Not complete: 1 of 18 configurations have no record"))
        #expect(!html.contains("what it should show"))
    }

    /// Accuracies for the trainability preset: trained where `|sigma_w^2 - 1.75| <= halfWidth(depth)`.
    static func presetMerge(halfWidth: (Int) -> Double) throws -> SweepMerge {
        let grid = SweepPreset.trainability.grid
        let records = grid.configurations.map { configuration -> SweepRecord in
            guard case let .integer(depth)? = configuration["depth"], let weight = configuration["weight-variance"]?.numericValue else {
                return Self.trainRecord(configuration, accuracy: 0.25)
            }
            return Self.trainRecord(configuration, accuracy: abs(weight - 1.75) <= halfWidth(depth) ? 0.9 : 0.25)
        }
        return try Self.merge(grid, records)
    }

    /// The preset's page: what it should show, and a measured sentence that follows the data.
    @Test func trainabilityPresetSentenceIsMeasured() throws {
        let widths: [Int: Double] = [4: 3, 8: 1, 16: 0.5, 24: 0.5, 32: 0.25, 48: 0.25, 64: 0, 80: 0]
        let narrowing = try Self.presetMerge { widths[$0] ?? 0 }
        let html = HTMLReport.html(SweepDocument(narrowing, sources: ["p"]), merge: narrowing, heatMap: nil, lines: nil)
        #expect(html.contains(SVGDocument.escape(SweepPreset.trainability.expectation)))
        #expect(html.contains("Measured:"))
        #expect(html.contains("depth 4: 0.75–4 (14 of 14 measured)"))
        #expect(html.contains("depth 8: 0.75–2.75 (9 of 14 measured)"))
        #expect(html.contains("depth 64: 1.75 (1 of 14 measured)"))
        #expect(html.contains("lies inside the band at 6 of 8 depths (not at depths 64, 80)"))
        #expect(html.contains("The band narrows with depth: from 14 values at depth 4 to 1 value at depth 80"))
        #expect(html.contains("counts as trained at 57.5% or more"))

        let flat = try Self.presetMerge { _ in 10 }
        let flatHTML = HTMLReport.html(SweepDocument(flat, sources: ["p"]), merge: flat, heatMap: nil, lines: nil)
        #expect(flatHTML.contains("The band does not narrow steadily with depth"))
        #expect(flatHTML.contains("lies inside the band at 8 of 8 depths."))
        #expect(!flatHTML.contains("The band narrows"))
    }
}
