import Foundation
import Testing
import VarianceKit

/// An independent rasterizer for Shapeset's shapes: each kind's inside test from its own
/// geometry (edge half-planes for the polygons, the rotated-frame equation for the ellipse), not
/// from the library's reference coordinates.
enum ShapesetReference {
    static func cross(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double { a.x * b.y - a.y * b.x }

    /// Whether `point` lies in the convex polygon `corners` (either orientation, boundary included).
    static func polygonContains(_ corners: [SIMD2<Double>], _ point: SIMD2<Double>) -> Bool {
        var positive = false, negative = false
        for index in corners.indices {
            let a = corners[index], b = corners[(index + 1) % corners.count]
            let side = cross(b - a, point - a)
            if side > 0 { positive = true }
            if side < 0 { negative = true }
        }
        return !(positive && negative)
    }

    /// The inside test of `shape`, its constants computed once.
    static func insideTest(_ shape: Shapeset.Shape) -> (SIMD2<Double>) -> Bool {
        switch shape.kind {
        case .triangle:
            let corners = [shape.origin, shape.origin + shape.firstAxis, shape.origin + shape.secondAxis]
            return { polygonContains(corners, $0) }
        case .parallelogram:
            let (c, u, v) = (shape.origin, shape.firstAxis / 2, shape.secondAxis / 2)
            let corners = [c - u - v, c + u - v, c + u + v, c - u + v]
            return { polygonContains(corners, $0) }
        case .ellipse:
            let a = (shape.firstAxis.x * shape.firstAxis.x + shape.firstAxis.y * shape.firstAxis.y).squareRoot()
            let b = (shape.secondAxis.x * shape.secondAxis.x + shape.secondAxis.y * shape.secondAxis.y).squareRoot()
            let angle = atan2(shape.firstAxis.y, shape.firstAxis.x)
            let (cosine, sine, centre) = (cos(angle), sin(angle), shape.origin)
            return { point in
                let d = point - centre
                let along = d.x * cosine + d.y * sine
                let across = -d.x * sine + d.y * cosine
                return (along / a) * (along / a) + (across / b) * (across / b) <= 1
            }
        }
    }

    /// The pixels of `shape` over the whole image (pixel centres `(c + 0.5, r + 0.5)`).
    static func mask(_ shape: Shapeset.Shape) -> [Bool] {
        let inside = insideTest(shape)
        return (0 ..< 1024).map { inside(SIMD2(Double($0 % 32) + 0.5, Double($0 / 32) + 0.5)) }
    }

    /// Closed-form areas: the shoelace formula for the polygons, pi a b for the ellipse.
    static func area(_ shape: Shapeset.Shape) -> Double {
        switch shape.kind {
        case .triangle:
            return abs(cross(shape.firstAxis, shape.secondAxis)) / 2
        case .parallelogram:
            let corners = shape.vertices
            var twice = 0.0
            for index in corners.indices { twice += cross(corners[index], corners[(index + 1) % corners.count]) }
            return abs(twice) / 2
        case .ellipse:
            let a = (shape.firstAxis.x * shape.firstAxis.x + shape.firstAxis.y * shape.firstAxis.y).squareRoot()
            let b = (shape.secondAxis.x * shape.secondAxis.x + shape.secondAxis.y * shape.secondAxis.y).squareRoot()
            return Double.pi * a * b
        }
    }

    /// The perimeter (Ramanujan's approximation for the ellipse, exact to 1e-5 relative here).
    static func perimeter(_ shape: Shapeset.Shape) -> Double {
        func length(_ v: SIMD2<Double>) -> Double { (v.x * v.x + v.y * v.y).squareRoot() }
        switch shape.kind {
        case .triangle:
            return length(shape.firstAxis) + length(shape.secondAxis) + length(shape.secondAxis - shape.firstAxis)
        case .parallelogram:
            return 2 * (length(shape.firstAxis) + length(shape.secondAxis))
        case .ellipse:
            let a = length(shape.firstAxis), b = length(shape.secondAxis)
            return Double.pi * (3 * (a + b) - ((3 * a + b) * (a + 3 * b)).squareRoot())
        }
    }
}

@Suite struct ShapesetTests {
    static let seed: UInt64 = 2010

    /// Over 1800 samples (200 per class): each image is exactly the composite of its one or two
    /// shapes over the background (by the independent rasterizer), every shape lies inside the
    /// image and keeps at least half of its pixels visible, the grey levels are in [0, 1] and
    /// pairwise at least the minimum contrast apart, and the label is the class of the shapes' kinds.
    @Test func imagesHoldExactlyTheirShapes() throws {
        var failures: [String] = []
        for index in 0 ..< 1800 {
            let sample = try Shapeset.sample(index: index, seed: Self.seed)
            func fail(_ what: String) { failures.append("sample \(index): \(what)") }
            if sample.pixels.count != 1024 { fail("\(sample.pixels.count) pixels") }
            if sample.shapes.count != (sample.label < 3 ? 1 : 2) { fail("\(sample.shapes.count) shapes for class \(sample.label)") }
            if Shapeset.classKinds[sample.label].sorted(by: { $0.rawValue < $1.rawValue })
                != sample.shapes.map(\.kind).sorted(by: { $0.rawValue < $1.rawValue }) {
                fail("kinds \(sample.shapes.map(\.kind)) for class \(sample.label)")
            }

            let greys = [Double(sample.background)] + sample.shapes.map { Double($0.grey) }
            for (i, a) in greys.enumerated() {
                if !(a >= 0 && a <= 1) { fail("grey \(a)") }
                for b in greys[(i + 1)...] where abs(a - b) < Shapeset.minimumContrast - 1e-6 { fail("greys \(a) and \(b)") }
            }

            var expected = [Float](repeating: sample.background, count: 1024)
            var masks: [[Bool]] = []
            for shape in sample.shapes {
                // Inside the image: the holding disc lies in [0, 32]^2, and the corners in the disc.
                if shape.centre.x - shape.radius < -1e-9 || shape.centre.x + shape.radius > 32 + 1e-9
                    || shape.centre.y - shape.radius < -1e-9 || shape.centre.y + shape.radius > 32 + 1e-9 {
                    fail("disc \(shape.centre) radius \(shape.radius) leaves the image")
                }
                for corner in shape.vertices {
                    let d = corner - shape.centre
                    if d.x * d.x + d.y * d.y > shape.radius * shape.radius * (1 + 1e-9) { fail("corner \(corner) outside the disc") }
                }
                let mask = ShapesetReference.mask(shape)
                masks.append(mask)
                for pixel in 0 ..< 1024 where mask[pixel] { expected[pixel] = shape.grey }
            }
            let wrong = zip(expected, sample.pixels).filter { $0 != $1 }.count
            if wrong != 0 { fail("\(wrong) pixels differ from the reference composite") }
            // Each shape shows: the first keeps at least half of its pixels, the second all of them.
            let firstPixels = masks[0].filter { $0 }.count
            let visible = sample.pixels.filter { $0 == sample.shapes[0].grey }.count
            if firstPixels < 20 || Double(visible) < 0.5 * Double(firstPixels) { fail("\(visible) of \(firstPixels) pixels visible") }
            if sample.shapes.count == 2, sample.pixels.filter({ $0 == sample.shapes[1].grey }).count != masks[1].filter({ $0 }).count {
                fail("the second shape is not whole")
            }
            // Exactly the background and one grey level per shape appear.
            if Set(sample.pixels).count != 1 + sample.shapes.count { fail("\(Set(sample.pixels).count) grey levels") }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
    }

    /// Labels are `i mod 9` and agree with the shapes: 1000 of each class in 9000 consecutive
    /// samples, exactly (stronger than any binomial tolerance), and 100 of each in 900 from another first index.
    @Test func classesAreBalanced() throws {
        for (first, count) in [(0, 9000), (123_457, 900)] {
            let dataset = try Shapeset(samples: count, firstIndex: first, seed: Self.seed).makeDataset()
            let labels = try #require(dataset.labels)
            var perClass = [Int](repeating: 0, count: 9)
            for label in labels { perClass[label] += 1 }
            #expect(perClass == [Int](repeating: count / 9, count: 9))
            #expect(labels.enumerated().allSatisfy { $0.element == ($0.offset + first) % 9 })
        }
        for index in stride(from: 0, to: 900, by: 7) {
            let sample = try Shapeset.sample(index: index, seed: Self.seed)
            #expect(Shapeset.label(of: sample.shapes.map(\.kind)) == sample.label)
        }
    }

    /// A rasterized shape's pixel count is its closed-form area up to the lattice error at its
    /// boundary: within half its perimeter each, within 0.5% summed over 600 shapes of each kind.
    @Test(arguments: [Shapeset.Kind.triangle, .parallelogram, .ellipse])
    func pixelAreaMatchesTheClosedForm(kind: Shapeset.Kind) throws {
        var (pixels, area) = (0.0, 0.0)
        var index = kind.rawValue
        for _ in 0 ..< 600 {
            let sample = try Shapeset.sample(index: index, seed: Self.seed)
            index += 9
            let shape = try #require(sample.shapes.first)
            #expect(shape.kind == kind)
            let exact = ShapesetReference.area(shape)
            #expect(abs(shape.area - exact) <= 1e-9 * exact)
            let count = Double(sample.pixels.filter { $0 == shape.grey }.count)
            #expect(abs(count - exact) <= 0.5 * ShapesetReference.perimeter(shape), "\(kind) \(index - 9): \(count) pixels, area \(exact)")
            pixels += count
            area += exact
        }
        #expect(abs(pixels - area) <= 0.005 * area, "\(kind): \(pixels) pixels for a total area \(area)")
    }

    /// Sample i is the same image alone, in a dataset from 0 and in a dataset from another first index.
    @Test func sampleIsTheSameAloneOrInABatch() throws {
        let dataset = try Shapeset(samples: 50, seed: Self.seed).makeDataset()
        let shifted = try Shapeset(samples: 20, firstIndex: 30, seed: Self.seed).makeDataset()
        #expect(dataset.featureCount == 1024 && dataset.outputCount == 9 && dataset.name == "shapeset")
        for index in 0 ..< 50 {
            let alone = try Shapeset.sample(index: index, seed: Self.seed)
            #expect(dataset.features.row(index) == alone.pixels)
            #expect(dataset.labels?[index] == alone.label)
            if index >= 30 {
                #expect(shifted.features.row(index - 30) == alone.pixels)
                #expect(shifted.labels?[index - 30] == alone.label)
            }
        }
        let values = dataset.features.elements
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func seedsDecideTheImages() throws {
        let a = try Shapeset(samples: 30, seed: 1).makeDataset()
        let b = try Shapeset(samples: 30, seed: 1).makeDataset()
        let c = try Shapeset(samples: 30, seed: 2).makeDataset()
        #expect(a.features == b.features && a.labels == b.labels)
        #expect(a.features != c.features)
        #expect((0 ..< 30).allSatisfy { a.features.row($0) != c.features.row($0) })
        // Far indices work and differ from near ones.
        let far = try Shapeset.sample(index: Shapeset.indexRange.upperBound - 1, seed: 1)
        #expect(far.pixels != (try Shapeset.sample(index: 0, seed: 1)).pixels)
    }

    /// The pair's kinds are painted in either order, about equally often.
    @Test func pairOrderIsDrawn() throws {
        var triangleFirst = 0
        let pairs = 300
        for pair in 0 ..< pairs {
            let sample = try Shapeset.sample(index: 9 * pair + 6, seed: Self.seed)  // {triangle, parallelogram}
            if sample.shapes[0].kind == .triangle { triangleFirst += 1 }
        }
        // Binomial(300, 1/2): standard deviation 8.7; 5 of them.
        #expect(abs(triangleFirst - pairs / 2) <= 44)
    }

    @Test func parametersAreValidated() {
        #expect(throws: VarianceKitError.self) { try Shapeset(samples: 0, seed: 1) }
        #expect(throws: VarianceKitError.self) { try Shapeset(samples: 1, firstIndex: -1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try Shapeset(samples: 2, firstIndex: Shapeset.indexRange.upperBound - 1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try Shapeset.sample(index: -1, seed: 1) }
        #expect(throws: VarianceKitError.self) { try Shapeset.sample(index: 1 << 48, seed: 1) }
        #expect(Shapeset.label(of: []) == nil)
        #expect(Shapeset.label(of: [.ellipse, .triangle]) == 7)
        #expect(Shapeset.label(of: [.ellipse, .ellipse, .ellipse]) == nil)
    }
}
