import Foundation

/// Shapeset-3x2 (Glorot & Bengio 2010, §2.1): 32 x 32 grey images holding one or two shapes
/// from {triangle, parallelogram, ellipse}, to be classified by which shapes are present.
///
/// Nine classes, in this order (`classKinds`): 0 `{triangle}`, 1 `{parallelogram}`,
/// 2 `{ellipse}`, 3 `{triangle, triangle}`, 4 `{parallelogram, parallelogram}`,
/// 5 `{ellipse, ellipse}`, 6 `{triangle, parallelogram}`, 7 `{triangle, ellipse}`,
/// 8 `{parallelogram, ellipse}`. Sample `i` has class `i mod 9`, so every class holds
/// `floor(n/9)` or `ceil(n/9)` of `n` consecutive samples.
///
/// Sample `i` is a fixed function of `(seed, i)`: its parameters are drawn from Philox4x32-10
/// keyed by `seed` on `RandomStream.synthesis`, from counter block `i * 2^12` (a sample uses far
/// fewer than `2^12` blocks), so it is the same image whether it is made alone
/// (`sample(index:seed:)`) or in any dataset holding it. A `Shapeset` of `samples` samples from
/// `firstIndex` holds samples `firstIndex ..< firstIndex + samples`: disjoint index ranges are
/// independent training and test sets of one infinite distribution.
///
/// Parameters of a sample (all uniform on the ranges given):
/// - grey levels: the background and each shape in `[0, 1]`, every two of them at least
///   `minimumContrast` (0.2) apart, uniform over such assignments (sorted draws spaced by the
///   contrast, then a random permutation);
/// - per shape: radius `s` in `radiusRange` (6 to 10 pixels; the shape lies in the disc of radius
///   `s` about its centre), rotation in `[0, 2 pi)`, centre in `[s, 32 - s]^2` (so the shape lies
///   inside the image), and
///   - triangle: inscribed in that circle, its vertices at angles `0`, `g1`, `g1 + g2` (before
///     rotation) with `g1, g2` in `2 pi/3 ± 0.5`, so every interior angle is at least 31°;
///   - parallelogram: sides `L` and `aspect L` at an angle `phi` in `[pi/3, 2 pi/3]`, `aspect`
///     in `aspectRange` (0.5 to 1), `L` making the longer half-diagonal `s`;
///   - ellipse: semi-axes `s` and `aspect s`;
/// - two shapes: which of the two kinds is painted first is drawn (probability 1/2); the second is
///   painted over the first (it may occlude it). Both shapes are drawn again (kinds and grey levels
///   kept) until at least half of the first shape's pixels stay visible
///   (`minimumVisibleFraction`), so a pair is two independent shapes conditioned on that. A draw
///   is accepted with probability about 3/4 (measured over 40 000 pairs); after
///   `placementAttempts` (64) refused draws, a probability below `10^-30`, both shapes are shrunk
///   to radius at most 7.5 and put side by side, centres at `x = 8` and `x = 24`, where they
///   cannot overlap.
///
/// Rasterization: a pixel takes the grey of the last shape that contains its centre, else the
/// background grey; values are therefore exactly the background and shape grey levels, all in
/// `[0, 1]`. A shape's pixel count is its area up to the lattice error at its boundary.
public struct Shapeset: Sendable, Hashable {
    /// Number of samples, in `SyntheticLimits.sampleRange`.
    public private(set) var samples: Int
    /// The index of the first sample.
    public private(set) var firstIndex: Int
    /// The key of every draw.
    public private(set) var seed: UInt64

    /// Pixels per side.
    public static let side = 32
    /// Features per image: `side * side`, row-major.
    public static let featureCount = side * side
    /// The number of classes.
    public static let classCount = 9
    /// The sample indices accepted.
    public static let indexRange = 0 ..< (1 << 48)
    /// The smallest difference between two grey levels of an image (background and shapes).
    public static let minimumContrast = 0.2
    /// The radius of the disc holding a shape, in pixels.
    public static let radiusRange = 6.0 ... 10.0
    /// The ratio of an ellipse's semi-axes and of a parallelogram's sides.
    public static let aspectRange = 0.5 ... 1.0
    /// The angle between a parallelogram's sides.
    public static let parallelogramAngleRange = Double.pi / 3 ... 2 * Double.pi / 3
    /// The arcs between a triangle's first and second, and second and third, vertices.
    public static let triangleArcRange = 2 * Double.pi / 3 - 0.5 ... 2 * Double.pi / 3 + 0.5
    /// The fraction of the first shape's pixels that must stay visible under the second.
    public static let minimumVisibleFraction = 0.5
    /// Draws of a pair of shapes before the side-by-side layout.
    public static let placementAttempts = 64
    /// Counter blocks reserved for each sample: sample `i` draws from block `i * blocksPerSample`.
    static let blocksPerSample: UInt64 = 1 << 12

    /// The shapes of each class, in class order.
    public static let classKinds: [[Kind]] = [
        [.triangle], [.parallelogram], [.ellipse],
        [.triangle, .triangle], [.parallelogram, .parallelogram], [.ellipse, .ellipse],
        [.triangle, .parallelogram], [.triangle, .ellipse], [.parallelogram, .ellipse],
    ]

    /// The class of an image holding `kinds` (in any order), or nil for no shape or more than two.
    public static func label(of kinds: [Kind]) -> Int? {
        let sorted = kinds.sorted { $0.rawValue < $1.rawValue }
        return classKinds.firstIndex(of: sorted)
    }

    /// Samples `firstIndex ..< firstIndex + samples`.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for a sample count outside
    ///   `SyntheticLimits.sampleRange` or indices outside `indexRange`.
    public init(samples: Int, firstIndex: Int = 0, seed: UInt64) throws {
        try SyntheticLimits.require(samples, in: SyntheticLimits.sampleRange, "samples")
        guard Self.indexRange.contains(firstIndex), Self.indexRange.upperBound - firstIndex >= samples else {
            throw VarianceKitError.invalidParameter(
                name: "first sample index", value: "\(firstIndex)",
                expected: "an index in 0..<2^48 with first index + samples (\(samples)) <= 2^48")
        }
        self.samples = samples
        self.firstIndex = firstIndex
        self.seed = seed
    }

    /// The sample indices, `firstIndex ..< firstIndex + samples`.
    public var indices: Range<Int> { firstIndex ..< firstIndex + samples }

    /// Bytes held at the peak: the images and the labels.
    public var memoryRequirement: Int {
        SyntheticLimits.sum([SyntheticLimits.floatBytes(samples, Self.featureCount), SyntheticLimits.labelBytes(samples)])
    }

    /// The images `[samples, 1024]` (row `r` is sample `firstIndex + r`, pixels row-major) with
    /// their labels, named `shapeset`. Each image is drawn straight into its row of the matrix;
    /// nothing is allocated per sample.
    ///
    /// - Throws: `VarianceKitError.insufficientMemory` before allocating when
    ///   `memoryRequirement` does not fit; allocation errors.
    public func makeDataset() throws -> Dataset {
        try MemoryBudget.require(memoryRequirement, for: "a Shapeset-3x2 dataset of \(samples) images")
        var images = try Matrix(rows: samples, columns: Self.featureCount)
        var labels = [Int](repeating: 0, count: samples)
        let (first, seed) = (firstIndex, self.seed)
        images.withUnsafeMutableBufferPointer { pixels in
            for row in 0 ..< samples {
                let layout = Self.layout(index: first + row, seed: seed)
                labels[row] = layout.label
                Self.render(layout, into: pixels.baseAddress! + row * Self.featureCount)
            }
        }
        return try Dataset(name: SyntheticDatasetName.shapeset.rawValue, features: images,
                           targets: .classes(labels: labels, classCount: Self.classCount))
    }

    /// One image with its parameters.
    public struct Sample: Sendable, Hashable {
        /// Its index.
        public var index: Int
        /// Its class (`classKinds[label]` are its shapes' kinds).
        public var label: Int
        /// The background grey level.
        public var background: Float
        /// One or two shapes, in the order they are painted (the second may occlude the first).
        public var shapes: [Shape]
        /// The 1024 pixels, row-major, in `[0, 1]`.
        public var pixels: [Float]
    }

    /// Sample `index` of the distribution keyed by `seed`: the same as row
    /// `index - firstIndex` of every dataset that holds it.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for an index outside `indexRange`.
    public static func sample(index: Int, seed: UInt64) throws -> Sample {
        guard indexRange.contains(index) else {
            throw VarianceKitError.invalidParameter(name: "sample index", value: "\(index)", expected: "an index in 0..<2^48")
        }
        let layout = layout(index: index, seed: seed)
        var pixels = [Float](repeating: 0, count: featureCount)
        pixels.withUnsafeMutableBufferPointer { render(layout, into: $0.baseAddress!) }
        return Sample(index: index, label: layout.label, background: layout.background,
                      shapes: layout.second.map { [layout.first, $0] } ?? [layout.first], pixels: pixels)
    }

    // MARK: - Drawing

    /// The parameters of one image, without allocation.
    struct Layout {
        var label: Int
        var background: Float
        var first: Shape
        var second: Shape?
    }

    /// The parameters of sample `index` (see the type's documentation for the distribution).
    static func layout(index: Int, seed: UInt64, placementAttempts: Int = placementAttempts) -> Layout {
        var draws = SyntheticDraws(seed: seed, stream: .synthesis, block: UInt64(index) &* blocksPerSample)
        let label = index % classCount
        let kinds = classKinds[label]
        var (firstKind, secondKind) = (kinds[0], kinds.count == 2 ? kinds[1] : nil)
        if let other = secondKind, draws.integer(below: 2) == 1 {
            (firstKind, secondKind) = (other, firstKind)
        }
        // Grey levels: sorted uniforms on [0, 1 - (levels - 1) c], spaced by c, then permuted.
        let levels = secondKind == nil ? 2 : 3
        let contrast = minimumContrast
        var grey = (draws.uniform(0, 1 - Double(levels - 1) * contrast),
                    draws.uniform(0, 1 - Double(levels - 1) * contrast),
                    levels == 3 ? draws.uniform(0, 1 - 2 * contrast) : 2.0)
        if grey.0 > grey.1 { swap(&grey.0, &grey.1) }
        if grey.1 > grey.2 { swap(&grey.1, &grey.2) }
        if grey.0 > grey.1 { swap(&grey.0, &grey.1) }
        grey.1 += contrast
        grey.2 += 2 * contrast
        // A uniform permutation of the levels (Fisher-Yates): background, first, second shape.
        var order = grey
        if levels == 3 {
            switch draws.integer(below: 3) {
            case 0: swap(&order.0, &order.2)
            case 1: swap(&order.1, &order.2)
            default: break
            }
        }
        if draws.integer(below: 2) == 0 { swap(&order.0, &order.1) }
        let background = Float(order.0)
        var first = drawShape(firstKind, grey: Float(order.1), draws: &draws)
        guard let secondKind else {
            return Layout(label: label, background: background, first: first, second: nil)
        }
        var second = drawShape(secondKind, grey: Float(order.2), draws: &draws)
        var attempt = 1
        while !firstStaysVisible(first, under: second) {
            if attempt >= placementAttempts {
                let left = first.scaled(by: min(1, 7.5 / first.radius))
                let right = second.scaled(by: min(1, 7.5 / second.radius))
                return Layout(label: label, background: background,
                              first: left.moved(to: SIMD2(8, first.centre.y.clamped(to: left.radius ... 32 - left.radius))),
                              second: right.moved(to: SIMD2(24, second.centre.y.clamped(to: right.radius ... 32 - right.radius))))
            }
            first = drawShape(firstKind, grey: Float(order.1), draws: &draws)
            second = drawShape(secondKind, grey: Float(order.2), draws: &draws)
            attempt += 1
        }
        return Layout(label: label, background: background, first: first, second: second)
    }

    /// A centre in `[radius, 32 - radius]^2`.
    static func drawCentre(radius: Double, draws: inout SyntheticDraws) -> SIMD2<Double> {
        let extent = Double(side)
        return SIMD2(draws.uniform(radius, extent - radius), draws.uniform(radius, extent - radius))
    }

    /// A shape of `kind` with its parameters drawn as the type's documentation says.
    static func drawShape(_ kind: Kind, grey: Float, draws: inout SyntheticDraws) -> Shape {
        let radius = draws.uniform(radiusRange.lowerBound, radiusRange.upperBound)
        let rotation = draws.uniform(0, 2 * Double.pi)
        let centre = drawCentre(radius: radius, draws: &draws)
        // Rotates a vector of the shape's own frame into the image.
        func rotated(_ x: Double, _ y: Double) -> SIMD2<Double> {
            SIMD2(x * cos(rotation) - y * sin(rotation), x * sin(rotation) + y * cos(rotation))
        }
        switch kind {
        case .triangle:
            let firstArc = draws.uniform(triangleArcRange.lowerBound, triangleArcRange.upperBound)
            let secondArc = draws.uniform(triangleArcRange.lowerBound, triangleArcRange.upperBound)
            let vertex0 = centre + rotated(radius, 0)
            let vertex1 = centre + rotated(radius * cos(firstArc), radius * sin(firstArc))
            let vertex2 = centre + rotated(radius * cos(firstArc + secondArc), radius * sin(firstArc + secondArc))
            return Shape(kind: kind, origin: vertex0, firstAxis: vertex1 - vertex0, secondAxis: vertex2 - vertex0,
                         centre: centre, radius: radius, grey: grey)
        case .parallelogram:
            let aspect = draws.uniform(aspectRange.lowerBound, aspectRange.upperBound)
            let angle = draws.uniform(parallelogramAngleRange.lowerBound, parallelogramAngleRange.upperBound)
            // The longer half-diagonal, |u ± v|/2 with |cos(angle)|, is the radius.
            let length = 2 * radius / (1 + aspect * aspect + 2 * aspect * abs(cos(angle))).squareRoot()
            return Shape(kind: kind, origin: centre, firstAxis: rotated(length, 0),
                         secondAxis: rotated(aspect * length * cos(angle), aspect * length * sin(angle)),
                         centre: centre, radius: radius, grey: grey)
        case .ellipse:
            let aspect = draws.uniform(aspectRange.lowerBound, aspectRange.upperBound)
            return Shape(kind: kind, origin: centre, firstAxis: rotated(radius, 0), secondAxis: rotated(0, aspect * radius),
                         centre: centre, radius: radius, grey: grey)
        }
    }

    /// Whether at least `minimumVisibleFraction` of `first`'s pixels are outside `second`.
    static func firstStaysVisible(_ first: Shape, under second: Shape) -> Bool {
        var (covered, hidden) = (0, 0)
        for row in first.pixelRange(first.centre.y) {
            for column in first.pixelRange(first.centre.x) {
                let point = SIMD2(Double(column) + 0.5, Double(row) + 0.5)
                guard first.contains(point) else { continue }
                covered += 1
                if second.contains(point) { hidden += 1 }
            }
        }
        return Double(covered - hidden) >= minimumVisibleFraction * Double(covered)
    }

    /// Paints `layout` into the 1024 floats at `pixels`: the background, then the shapes in order.
    static func render(_ layout: Layout, into pixels: UnsafeMutablePointer<Float>) {
        pixels.update(repeating: layout.background, count: featureCount)
        paint(layout.first, into: pixels)
        if let second = layout.second { paint(second, into: pixels) }
    }

    /// Sets the pixels whose centres lie in `shape` to its grey level.
    static func paint(_ shape: Shape, into pixels: UnsafeMutablePointer<Float>) {
        for row in shape.pixelRange(shape.centre.y) {
            for column in shape.pixelRange(shape.centre.x)
            where shape.contains(SIMD2(Double(column) + 0.5, Double(row) + 0.5)) {
                pixels[row * side + column] = shape.grey
            }
        }
    }
}

extension Double {
    /// The value limited to `range`.
    fileprivate func clamped(to range: ClosedRange<Double>) -> Double {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
