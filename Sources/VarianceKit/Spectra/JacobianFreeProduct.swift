import Foundation

/// The wide-limit law of `J Jᵀ / s_w^{2L}` as the free multiplicative product of the layers' `D_l²`
/// (`SquaredDerivativeLaw`, layers of equal `q^l` grouped) and `W_l W_lᵀ / s_w^2`, and the
/// numerical solution of its equations (`SpectrumTheory.density` documents them).
///
/// With `ψ_X(u) = Σ_k E[X^k] u^k` and `χ_X` its inverse, `S_X(z) = χ_X(z) (1 + z) / z`; the
/// S-transforms multiply, `S_{W Wᵀ}` is `1/(1 + z)` (independent entries) or `1` (orthogonal), and
/// `S_{D²}(z) = (1 + z) t(z) / z` with `ψ_{D²}(t) = z`. So `u = χ_{JJᵀ}(z)` reads
///
///     u = z/(1 + z) Π_l t_l (1 + z)^e / z,      ψ_{D_l²}(t_l) = z,      e = 0 (independent), 1 (orthogonal),
///
/// solved for `z = ψ_{JJᵀ}(u)` and the `t_l` together by Newton's method on
/// `log χ(z, t) + log w = 0` (the imaginary part reduced to `(-π, π]`) and `ψ_l(t_l) - z = 0`.
struct JacobianFreeProduct: Sendable {
    let laws: [SquaredDerivativeLaw]
    /// How many layers share each law.
    let counts: [Int]
    let orthogonal: Bool

    /// The mass of `J Jᵀ`'s atom at 0: the largest of the layers' (`μ ⊠ ν ({0}) = max(μ({0}), ν({0}))`).
    var zeroMass: Double { laws.map(\.zeroMass).max() ?? 0 }

    /// The unknowns: `z = ψ_{JJᵀ}(1/w)`, kept as `1 + z` (which is small near `λ = 0`, where
    /// `z → -1`), and one `t` per law.
    struct State: Sendable {
        var onePlusZ: Complex
        var t: [Complex]
        var z: Complex { onePlusZ + (-1) }
    }

    /// `d log χ / dz` at fixed `t`: `1/z - 1/(1 + z) + Σ_l (e/(1 + z) - 1/z)`.
    func logSlope(_ state: State) -> Complex {
        let inverseZ = state.z.reciprocal, inverseOnePlusZ = state.onePlusZ.reciprocal
        var slope = inverseZ - inverseOnePlusZ
        for g in laws.indices {
            let term = (orthogonal ? inverseOnePlusZ : Complex.zero) - inverseZ
            slope += Double(counts[g]) * term
        }
        return slope
    }

    /// The residuals at a state: `log χ + log w` and `ψ_l(t_l) - z`, with the slopes `ψ_l'(t_l)`, and
    /// the sum of their squares (the layers' relative to `|z|`).
    struct Residual {
        var logarithm: Complex
        var layers: [Complex]
        var slopes: [Complex]
        var merit: Double
    }

    func residual(w: Complex, state: State) -> Residual {
        let z = state.z
        let logZ = z.logarithm, logOnePlusZ = state.onePlusZ.logarithm
        var logarithm = logZ - logOnePlusZ + w.logarithm
        var layers = [Complex](), slopes = [Complex]()
        layers.reserveCapacity(laws.count)
        slopes.reserveCapacity(laws.count)
        var merit = 0.0
        // Near z = -1 the residual is formed from 1 + ψ and 1 + z, without cancellation.
        let nearMinusOne = state.onePlusZ.magnitude < 0.5
        let scale = Swift.max(z.magnitude, 1e-300)
        for g in laws.indices {
            var term = state.t[g].logarithm - logZ
            if orthogonal { term += logOnePlusZ }
            logarithm += Double(counts[g]) * term
            let (value, valuePlusOne, slope) = laws[g].transform(state.t[g])
            let layer = nearMinusOne ? valuePlusOne - state.onePlusZ : value - z
            layers.append(layer)
            slopes.append(slope)
            let relative = layer.magnitude / scale
            merit += relative * relative
        }
        let turns = (logarithm.imaginary / (2 * Double.pi)).rounded()
        logarithm.imaginary -= turns * 2 * Double.pi
        merit += logarithm.magnitude * logarithm.magnitude
        return Residual(logarithm: logarithm, layers: layers, slopes: slopes, merit: merit.isFinite ? merit : .infinity)
    }

    /// Newton's method on `z` and the `t_l` together from `start` for the equations at `w`
    /// (`Im w > 0`): `δt_l = (δz - r_l)/ψ_l'` eliminated from the linearized log equation, the step
    /// halved until the sum of squared residuals falls. Converged: that sum is below `1e-26`, or
    /// below the rounding floor when no step lowers it (`1e-18` plus `(1e-13 |t_l ψ_l'| / |z|)²` per
    /// law, for `ψ_l` near its singularities). Nil unless it converges within `maximumIterations`
    /// to a state with `Im z ≤ 0` and every `Im t_l ≤ 0` (the half-plane `ψ` maps `Im u < 0` into).
    /// One layer of orthogonal weights needs no solve: `ψ(1/w) = ψ_{D²}(1/w)`.
    func newton(w: Complex, from start: State, maximumIterations: Int) -> State? {
        if orthogonal, counts == [1] {
            let t = w.reciprocal
            return State(onePlusZ: laws[0].transform(t).valuePlusOne, t: [t])
        }
        func inHalfPlane(_ state: State) -> State? {
            let tolerance = 1e-8
            guard state.z.imaginary <= tolerance * state.z.magnitude,
                  state.t.allSatisfy({ $0.imaginary <= tolerance * $0.magnitude }) else { return nil }
            return state
        }
        var state = start
        var current = residual(w: w, state: state)
        for _ in 0..<maximumIterations {
            if current.merit <= 1e-26 { return inHalfPlane(state) }
            var denominator = logSlope(state), numerator = -current.logarithm
            for g in laws.indices {
                let weight = Double(counts[g]) * (state.t[g] * current.slopes[g]).reciprocal
                denominator += weight
                numerator += weight * current.layers[g]
            }
            let deltaZ = numerator / denominator
            guard deltaZ.isFinite else { return nil }
            var step = 1.0
            var accepted = false
            for _ in 0..<20 {
                var candidate = state
                candidate.onePlusZ = state.onePlusZ + step * deltaZ
                for g in laws.indices {
                    candidate.t[g] = state.t[g] + step * ((deltaZ - current.layers[g]) / current.slopes[g])
                }
                let next = residual(w: w, state: candidate)
                if next.merit < current.merit {
                    state = candidate
                    current = next
                    accepted = true
                    break
                }
                step /= 2
            }
            if !accepted {
                var floor = 1e-18
                let scale = Swift.max(state.z.magnitude, 1e-300)
                for g in laws.indices {
                    let conditioned = 1e-13 * (state.t[g] * current.slopes[g]).magnitude / scale
                    floor += conditioned * conditioned
                }
                return current.merit <= floor ? inHalfPlane(state) : nil
            }
        }
        return nil
    }

    /// The solution at `target`, continued from `state` (the solution at `origin`) along the segment
    /// between them: Newton's method starts from the secant through the last two solutions (then,
    /// if that fails, from the last solution), which keeps it on its branch where the solution
    /// changes fast, as where the density diverges at an edge; a step that neither start closes
    /// is halved, a step that one closes is doubled for the next.
    ///
    /// - Throws: `VarianceKitError.notConverged` when the step falls below `1e-12` of the segment or
    ///   after 200 attempts.
    func continued(from origin: Complex, _ state: State, to target: Complex) throws -> State {
        var state = state
        var position = 0.0, step = 1.0
        var attempts = 0
        // The solution at the last position but one, for the secant predictor.
        var previous: (position: Double, state: State)?
        while position < 1 {
            attempts += 1
            let next = Swift.min(1, position + step)
            let point = origin + next * (target - origin)
            var solved: State?
            if let previous {
                let ratio = (next - position) / (position - previous.position)
                var predicted = state
                predicted.onePlusZ = state.onePlusZ + ratio * (state.onePlusZ - previous.state.onePlusZ)
                for g in laws.indices { predicted.t[g] = state.t[g] + ratio * (state.t[g] - previous.state.t[g]) }
                solved = newton(w: point, from: predicted, maximumIterations: 12)
            }
            if solved == nil { solved = newton(w: point, from: state, maximumIterations: 12) }
            if let solved {
                previous = (position, state)
                state = solved
                position = next
                step *= 2
            } else {
                step /= 2
            }
            guard step >= 1e-12, attempts <= 200 else {
                throw VarianceKitError.notConverged(
                    operation: "SpectrumTheory.density", layer: nil, iterations: attempts, value: point.real,
                    reason: "Newton's method for ψ(1/w) at w = \(point.real) + \(point.imaginary) i failed from the nearest solved point")
            }
        }
        return state
    }

    // MARK: Support edges

    /// On the real axis: `log|χ(z)|`, `d log|χ| / dz` and the sign of `χ`, with every `t_l` on the
    /// branch `inverse` picks.
    func realAxis(_ z: Double, inverse: (SquaredDerivativeLaw, Double) -> Double) -> (logMagnitude: Double, slope: Double, positive: Bool) {
        var logMagnitude = Foundation.log(abs(z)) - Foundation.log(abs(1 + z))
        var positive = (z > 0) == (1 + z > 0)
        var slope = logSlope(State(onePlusZ: Complex(1 + z), t: [])).real
        for g in laws.indices {
            let t = inverse(laws[g], z)
            let psiSlope = laws[g].transform(Complex(t)).slope.real
            let n = Double(counts[g])
            var factor = Foundation.log(abs(t)) - Foundation.log(abs(z))
            var factorPositive = (t > 0) == (z > 0)
            if orthogonal {
                factor += Foundation.log(abs(1 + z))
                if 1 + z < 0 { factorPositive.toggle() }
            }
            logMagnitude += n * factor
            if !factorPositive, counts[g] % 2 == 1 { positive.toggle() }
            slope += n / (t * psiSlope)
        }
        return (logMagnitude, slope, positive)
    }

    /// The root of `slope` between `high` (slope > 0 side) and `low` by the Illinois variant of regula
    /// falsi on `log z` (or on `z` for `linear`), to 1e-13 relative.
    func slopeRoot(between a: Double, _ b: Double, logarithmic: Bool, _ slope: (Double) -> Double) -> Double {
        func map(_ s: Double) -> Double { logarithmic ? Foundation.exp(s) : s }
        var (left, right) = logarithmic ? (Foundation.log(a), Foundation.log(b)) : (a, b)
        var (leftValue, rightValue) = (slope(map(left)), slope(map(right)))
        var side = 0
        for _ in 0..<200 {
            if abs(right - left) <= 1e-13 * Swift.max(abs(left), abs(right), 1e-300) { break }
            var middle = (left * rightValue - right * leftValue) / (rightValue - leftValue)
            if !(middle > Swift.min(left, right) && middle < Swift.max(left, right)) { middle = (left + right) / 2 }
            let value = slope(map(middle))
            if value == 0 { return map(middle) }
            if (value > 0) == (leftValue > 0) {
                (left, leftValue) = (middle, value)
                if side == -1 { rightValue /= 2 }
                side = -1
            } else {
                (right, rightValue) = (middle, value)
                if side == 1 { leftValue /= 2 }
                side = 1
            }
        }
        return map((left + right) / 2)
    }

    /// The upper edge of the support: `1/χ(z_c)` at the maximum `z_c > 0` of `χ` on the branch
    /// `z = ψ(u) > 0` (a square-root edge), or, when `χ` grows up to `z → ∞` (orthogonal weights),
    /// the limit `Π_l (max d_l)`.
    ///
    /// - Throws: `VarianceKitError.notConverged` when independent entries show no maximum.
    func upperEdge() throws -> Double {
        let upper: (SquaredDerivativeLaw, Double) -> Double = { law, z in law.inverseOnUpperBranch(z) }
        var previous = 1e-6
        var z = previous
        while z < 1e16 {
            z = previous * 2
            if realAxis(z, inverse: upper).slope <= 0 {
                let critical = slopeRoot(between: previous, z, logarithmic: true) { realAxis($0, inverse: upper).slope }
                return Foundation.exp(-realAxis(critical, inverse: upper).logMagnitude)
            }
            previous = z
        }
        guard orthogonal else {
            throw VarianceKitError.notConverged(operation: "SpectrumTheory.density", layer: nil, iterations: 74, value: z,
                                                reason: "no upper edge of the support: χ(z) kept growing up to z = 1e16")
        }
        var logEdge = 0.0
        for g in laws.indices { logEdge += Double(counts[g]) * Foundation.log(laws[g].largest) }
        return Foundation.exp(logEdge)
    }

    /// The lower edge of the continuous part: `1/χ(z_c)` at the minimum of `χ` on the branch
    /// `z = ψ(u) < -(1 - p_0)` for `u > 1/lower`, which exists only when every `D_l²` is bounded away
    /// from 0 above its atom; else 0. Edges below `1e-6 upper` are 0: a smooth `φ'` reaches 0 only
    /// in the Gaussian tails, where the quadrature leaves a positive floor.
    func lowerEdge(upper: Double) -> Double {
        guard laws.allSatisfy({ $0.smallestPositive > 0 }) else { return 0 }
        let lower: (SquaredDerivativeLaw, Double) -> Double = { law, z in law.inverseOnLowerBranch(z) }
        let right = -(1 - zeroMass)
        var previousOffset = 0.0
        var offset = 1e-9 * Swift.max(1, abs(right))
        while offset < 1e16 {
            let z = right - offset
            if zeroMass > 0, z <= -1 { return 0 }
            let point = realAxis(z, inverse: lower)
            if !point.positive || !point.slope.isFinite { return 0 }
            if point.slope <= 0 {
                guard previousOffset > 0 else { return 0 }
                let critical = slopeRoot(between: right - previousOffset, z, logarithmic: false) { realAxis($0, inverse: lower).slope }
                let edge = Foundation.exp(-realAxis(critical, inverse: lower).logMagnitude)
                return edge >= 1e-6 * upper && edge < upper ? edge : 0
            }
            previousOffset = offset
            offset *= 2
        }
        return 0
    }
}
