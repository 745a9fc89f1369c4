extension Shapeset {
    /// The three shapes of Shapeset-3x2.
    public enum Kind: Int, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
        case triangle = 0
        case parallelogram = 1
        case ellipse = 2

        /// `triangle`, `parallelogram` or `ellipse`.
        public var description: String {
            switch self {
            case .triangle: "triangle"
            case .parallelogram: "parallelogram"
            case .ellipse: "ellipse"
            }
        }
    }

    /// One shape of an image: a reference shape carried into the image by the affine map
    /// `(a, b) -> origin + a * firstAxis + b * secondAxis`, painted in grey level `grey`.
    ///
    /// Image coordinates: `x` runs along the columns and `y` down the rows, pixel `(row, column)`
    /// covers `[column, column + 1) x [row, row + 1)`, so the image is `[0, 32] x [0, 32]` and a
    /// pixel's centre is `(column + 0.5, row + 0.5)`. The reference shapes and the areas they give:
    ///
    /// | kind | reference shape | `origin`, axes | area |
    /// |---|---|---|---|
    /// | triangle | `a, b >= 0`, `a + b <= 1` | a vertex, the two edges from it | `abs(det) / 2` |
    /// | parallelogram | `abs(a), abs(b) <= 1/2` | the centre, the two sides | `abs(det)` |
    /// | ellipse | `a^2 + b^2 <= 1` | the centre, the two (orthogonal) semi-axes | `pi abs(det)` |
    ///
    /// with `det = firstAxis.x secondAxis.y - firstAxis.y secondAxis.x`. Every shape lies in the
    /// disc of `radius` about `centre` (for a triangle, its circumcircle).
    public struct Shape: Sendable, Hashable {
        /// Which shape.
        public var kind: Kind
        /// The image of the reference shape's origin.
        public var origin: SIMD2<Double>
        /// The image of the reference shape's first unit vector.
        public var firstAxis: SIMD2<Double>
        /// The image of the reference shape's second unit vector.
        public var secondAxis: SIMD2<Double>
        /// The centre of a disc holding the shape.
        public var centre: SIMD2<Double>
        /// The radius of that disc.
        public var radius: Double
        /// The shape's grey level, in `[0, 1]`.
        public var grey: Float

        /// The determinant of `[firstAxis secondAxis]` (non-zero).
        var determinant: Double { firstAxis.x * secondAxis.y - firstAxis.y * secondAxis.x }

        /// The closed-form area (table in the type's documentation), in pixels.
        public var area: Double {
            switch kind {
            case .triangle: abs(determinant) / 2
            case .parallelogram: abs(determinant)
            case .ellipse: Double.pi * abs(determinant)
            }
        }

        /// The corners: three for a triangle, four for a parallelogram (in order around it), none
        /// for an ellipse.
        public var vertices: [SIMD2<Double>] {
            switch kind {
            case .triangle: [origin, origin + firstAxis, origin + secondAxis]
            case .parallelogram:
                [origin - 0.5 * firstAxis - 0.5 * secondAxis, origin + 0.5 * firstAxis - 0.5 * secondAxis,
                 origin + 0.5 * firstAxis + 0.5 * secondAxis, origin - 0.5 * firstAxis + 0.5 * secondAxis]
            case .ellipse: []
            }
        }

        /// Whether `point` lies in the shape (boundary included): its reference coordinates
        /// `(a, b)`, from the 2 x 2 system `point - origin = a firstAxis + b secondAxis`, lie in
        /// the reference shape.
        @inline(__always)
        public func contains(_ point: SIMD2<Double>) -> Bool {
            let offset = point - origin
            let inverse = 1 / determinant
            let a = (offset.x * secondAxis.y - offset.y * secondAxis.x) * inverse
            let b = (firstAxis.x * offset.y - firstAxis.y * offset.x) * inverse
            switch kind {
            case .triangle: return a >= 0 && b >= 0 && a + b <= 1
            case .parallelogram: return abs(a) <= 0.5 && abs(b) <= 0.5
            case .ellipse: return a * a + b * b <= 1
            }
        }

        /// Rows (and, by the same rule, columns) whose pixel centres can fall in the disc of
        /// `radius` about `centre`, clipped to the image.
        func pixelRange(_ coordinate: Double) -> ClosedRange<Int> {
            let low = max(0, Int((coordinate - radius - 0.5).rounded(.down)))
            let high = min(Shapeset.side - 1, Int((coordinate + radius - 0.5).rounded(.up)))
            return low ... max(low, high)
        }

        /// The same shape moved so that its disc is centred at `newCentre`.
        func moved(to newCentre: SIMD2<Double>) -> Shape {
            var shape = self
            shape.origin += newCentre - centre
            shape.centre = newCentre
            return shape
        }

        /// The same shape scaled by `factor` about its centre.
        func scaled(by factor: Double) -> Shape {
            var shape = self
            shape.origin = centre + factor * (origin - centre)
            shape.firstAxis *= factor
            shape.secondAxis *= factor
            shape.radius *= factor
            return shape
        }
    }
}
