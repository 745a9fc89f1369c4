import Foundation

/// The law of `d = φ'(√q z)^2`, `z ~ N(0, 1)`: the spectral measure of one layer's `D²` in the
/// wide limit, as `SpectrumTheory.density` needs it.
///
/// It is built from the nodes `z_i` and weights `w_i` of the theory's `GaussianQuadrature`: an atom
/// at 0 of mass `Σ w_i` over the nodes where `φ'` is exactly 0, and, for the other nodes, runs of
/// consecutive nodes on one side of 0 whose values of `d` lie within `1/resolution` of the whole
/// range of `d` (at least two nodes a run, so that a run is an atom only where `d` is constant). Each run becomes a uniform law on `[c - √3 s, c + √3 s]` with the run's mass, mean
/// `c` and standard deviation `s` (a run of equal values is an atom at `c`), so that the mixture has
/// exactly the quadrature's `μ_1 = E[d]` and `μ_2 = E[d²]`; a run whose interval would reach below 0
/// becomes uniform on `[0, 2c]` (same mean). Runs with the same interval (the two sides of an even
/// `φ'`) are merged.
///
/// Its moment generating function `ψ(t) = E[d t / (1 - d t)]` is the sum over the components: for
/// an atom at `a`, `a t / (1 - a t)`; for a uniform on `[a, b]`, with `v = 1 - a t` and
/// `r = (b - a) t / v`,
///
///     ψ(t) = (a t + L(r) - 1) / v,      L(r) = -log(1 - r) / r = 1 + r/2 + r²/3 + …,
///
/// analytic off the rays `t ≥ 1/b`, with the principal logarithm (the boundary value from below the
/// real axis on the cut).
struct SquaredDerivativeLaw: Sendable {
    /// `P(d = 0)`.
    let zeroMass: Double
    /// The components with `upper > 0`, ascending by `lower`: masses, and the intervals `[lower, upper]`
    /// (`lower == upper` for an atom).
    let masses: [Double]
    let lowers: [Double]
    let uppers: [Double]
    /// `E[d]`.
    let mean: Double

    /// The largest `upper`: `ψ` is real and increasing from 0 to ∞ on `(0, 1/largest)`.
    var largest: Double { uppers.max() ?? 0 }
    /// The smallest `lower` of the positive components: when it is above 0, `ψ` is real and increasing
    /// from −∞ to `-(1 - zeroMass)` on `(1/smallestPositive, ∞)`.
    var smallestPositive: Double { lowers.min() ?? 0 }

    /// The largest mass of an atom at a value above 0 (intervals narrower than `1e-9` of their top).
    var largestPositiveAtomMass: Double {
        var largest = 0.0
        for j in masses.indices where uppers[j] - lowers[j] <= 1e-9 * uppers[j] { largest = Swift.max(largest, masses[j]) }
        return largest
    }

    /// The law of `φ'(√q z)^2` under `meanField`'s quadrature.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` when `φ'` is not finite at a node.
    init(meanField: MeanFieldTheory, preactivationVariance q: Double, resolution: Int = 64) throws {
        let nodes = meanField.quadrature.nodes, weights = meanField.quadrature.weights
        let scale = Swift.max(q, 0).squareRoot()
        var values = [Double](repeating: 0, count: nodes.count)
        for i in nodes.indices {
            let derivative = meanField.derivative(scale * nodes[i])
            guard derivative.isFinite else {
                throw VarianceKitError.invalidParameter(
                    name: "preactivationVariance", value: "\(q)",
                    expected: "a variance at which φ' is finite (φ'(\(scale * nodes[i])) = \(derivative))")
            }
            values[i] = derivative * derivative
        }
        let positive = values.filter { $0 > 0 }
        let tolerance = ((positive.max() ?? 0) - (positive.min() ?? 0)) / Double(resolution)
        var zeroMass = 0.0
        var components = [(mass: Double, lower: Double, upper: Double)]()
        var run = [Int]()
        func closeRun() {
            defer { run.removeAll(keepingCapacity: true) }
            var mass = 0.0, first = 0.0
            for i in run { mass += weights[i]; first += weights[i] * values[i] }
            guard mass > 0 else { return }
            let center = first / mass
            var spread = 0.0
            for i in run { spread += weights[i] * (values[i] - center) * (values[i] - center) }
            let halfWidth = (3 * spread / mass).squareRoot()
            components.append(center - halfWidth >= 0 ? (mass, center - halfWidth, center + halfWidth) : (mass, 0, 2 * center))
        }
        var runLow = 0.0, runHigh = 0.0
        for i in nodes.indices {
            if values[i] == 0 {
                closeRun()
                zeroMass += weights[i]
                continue
            }
            if let last = run.last, (nodes[last] < 0) != (nodes[i] < 0) { closeRun() }
            if run.isEmpty { (runLow, runHigh) = (values[i], values[i]) }
            let low = Swift.min(runLow, values[i]), high = Swift.max(runHigh, values[i])
            if run.count >= 2, high - low > tolerance {
                closeRun()
                (runLow, runHigh) = (values[i], values[i])
            } else {
                (runLow, runHigh) = (low, high)
            }
            run.append(i)
        }
        closeRun()
        components.sort { ($0.lower, $0.upper) < ($1.lower, $1.upper) }
        var merged = [(mass: Double, lower: Double, upper: Double)]()
        for component in components {
            if let last = merged.last, abs(last.lower - component.lower) <= 1e-12 * component.upper,
               abs(last.upper - component.upper) <= 1e-12 * component.upper {
                merged[merged.count - 1].mass += component.mass
            } else {
                merged.append(component)
            }
        }
        self.zeroMass = zeroMass
        masses = merged.map(\.mass)
        lowers = merged.map(\.lower)
        uppers = merged.map(\.upper)
        var mean = 0.0
        for j in merged.indices { mean += masses[j] * (lowers[j] + uppers[j]) / 2 }
        self.mean = mean
    }

    /// `ψ(t)`, `1 + ψ(t) = E[1/(1 - d t)]` (each summed in the form without cancellation: `ψ` for
    /// small `t`, `1 + ψ` for large), and `ψ'(t) = E[d / (1 - d t)^2]`.
    func transform(_ t: Complex) -> (value: Complex, valuePlusOne: Complex, slope: Complex) {
        var value = Complex.zero, valuePlusOne = Complex(zeroMass), slope = Complex.zero
        for j in masses.indices {
            let a = lowers[j], width = uppers[j] - lowers[j]
            let v = 1 - a * t
            let inverseV = v.reciprocal
            let r = width * t * inverseV
            // L(r) - 1 and L'(r), by their series near 0 (no cancellation), else in closed form.
            var excess: Complex, derivative: Complex
            if r.magnitude < 0.05 {
                excess = Complex.zero
                derivative = Complex.zero
                var power = Complex.one
                for k in 1...12 {
                    derivative += (Double(k) / Double(k + 1)) * power
                    power = power * r
                    excess += (1 / Double(k + 1)) * power
                }
            } else {
                let ratio = (1 - r).logarithm / r
                excess = -ratio + (-1)
                derivative = ((1 - r).reciprocal + ratio) / r
            }
            let inverseSquare = inverseV * inverseV
            value += masses[j] * ((a * t + excess) * inverseV)
            valuePlusOne += masses[j] * ((excess + 1) * inverseV)
            slope += masses[j] * (width * derivative * inverseSquare * inverseV + a * (excess + 1) * inverseSquare)
        }
        return (value, valuePlusOne, slope)
    }

    /// The real `t` in `(0, 1/largest)` with `ψ(t) = z`, for `z > 0`.
    func inverseOnUpperBranch(_ z: Double) -> Double {
        let top = largest
        let y = Self.monotoneRoot(increasing: true) { y in
            let (value, _, slope) = transform(Complex(y / top))
            return (value.real - z, slope.real / top)
        }
        return y / top
    }

    /// The real `t` in `(1/smallestPositive, ∞)` with `ψ(t) = z`, for `z < -(1 - zeroMass)`
    /// (`smallestPositive > 0`).
    func inverseOnLowerBranch(_ z: Double) -> Double {
        let bottom = smallestPositive
        let y = Self.monotoneRoot(increasing: false) { y in
            let t = 1 / (bottom * y)
            let (value, _, slope) = transform(Complex(t))
            return (value.real - z, -slope.real * t / y)
        }
        return 1 / (bottom * y)
    }

    /// The root in `(0, 1)` of a monotone `f` (its value and slope), by Newton steps kept inside the
    /// bracket and bisection when a step leaves it or `f` is not finite; at most 200 steps.
    static func monotoneRoot(increasing: Bool, _ f: (Double) -> (value: Double, slope: Double)) -> Double {
        var low = 0.0, high = 1.0, y = 0.5
        for _ in 0..<200 {
            let (value, slope) = f(y)
            if value == 0 { return y }
            // A value that is not finite lies at the end where f diverges.
            let below = value.isNaN ? y < 0.5 : ((value < 0) == increasing)
            if below { low = y } else { high = y }
            if high - low <= 1e-16 * Swift.max(high, 1e-300) { break }
            var next = y - value / slope
            if !(next > low && next < high) || !value.isFinite { next = (low + high) / 2 }
            if abs(next - y) <= 1e-15 * y { return next }
            y = next
        }
        return (low + high) / 2
    }
}
