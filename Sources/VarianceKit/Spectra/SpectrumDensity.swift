import Foundation

/// The wide-limit law of the squared singular values `λ = σ²` of the input-output Jacobian `J`
/// (`SpectrumTheory.density(depth:points:)`): a density `ρ(λ)` on a grid spanning its support,
/// and an atom at `λ = 0` apart.
///
/// The grid has `points` points of the support `[lowerEdge, upperEdge]`, with `p = gridExponent`,
///
///     λ_i = lowerEdge + (upperEdge - lowerEdge) c_i^p,   c_i = (1 - cos θ_i) / 2,   θ_i = π (i + 1/2) / points,
///
/// ascending; neither edge is a grid point. With `p = 1` (a support bounded away from 0) these are
/// Chebyshev points, clustered at the square-root edges. A support reaching 0 has `p = 4`: near 0
/// the density of a deep network diverges (as `λ^{-L/(L+1)}` for linear layers of independent
/// entries) and holds much of the mass, and the points there are nearly geometric, down to about
/// `10^-17 upperEdge` for 200 points (fewer points when the solver stops below
/// `SpectrumTheory.densityTruncation upperEdge`). `integral` is the midpoint rule in `θ`,
/// `Σ_i ρ(λ_i) dλ/dθ(θ_i) π/points`, and is `1 - zeroAtomMass` up to the solver's and the rule's
/// errors. In singular values, `ρ_σ(σ) = 2σ ρ(σ²)`, and the density per
/// decade of `σ` is `ρ_σ(σ) σ ln 10 = 2 ln 10 λ ρ(λ)` (`densityPerDecadeOfSingularValue`).
///
/// Plain Codable data; every value is finite.
public struct SpectrumDensity: Codable, Sendable, Equatable {
    /// 1-based: the Jacobian of this layer's output.
    public var depth: Int
    /// The weights' ensemble the law assumes.
    public var ensemble: WeightEnsemble
    /// `λ_i`, ascending (empty when all the mass is in the atom at 0).
    public var squaredSingularValues: [Double]
    /// `ρ(λ_i)`, in units of `1/λ`, for the continuous part (its mass is `1 - zeroAtomMass`).
    public var density: [Double]
    /// The support of the continuous part.
    public var lowerEdge: Double
    public var upperEdge: Double
    /// `p` of the grid: 1 (Chebyshev) when `lowerEdge > 0`, else `gradedExponent`.
    public var gridExponent: Int
    /// The mass of the atom at `λ = 0`: the largest `P(φ'(h_l) = 0)` over the layers (1/2 for ReLU).
    public var zeroAtomMass: Double
    /// `∫ ρ(λ) dλ` over the support by the grid's rule.
    public var integral: Double

    public init(depth: Int, ensemble: WeightEnsemble, squaredSingularValues: [Double], density: [Double],
                lowerEdge: Double, upperEdge: Double, gridExponent: Int, zeroAtomMass: Double, integral: Double) {
        self.depth = depth
        self.ensemble = ensemble
        self.squaredSingularValues = squaredSingularValues
        self.density = density
        self.lowerEdge = lowerEdge
        self.upperEdge = upperEdge
        self.gridExponent = gridExponent
        self.zeroAtomMass = zeroAtomMass
        self.integral = integral
    }

    /// The grid's exponent when the support reaches 0.
    public static let gradedExponent = 4

    /// `σ_i = √λ_i`.
    public var singularValues: [Double] { squaredSingularValues.map { $0.squareRoot() } }

    /// The fraction of singular values per decade of `σ` at each `σ_i`: `2 ln 10 λ_i ρ(λ_i)`.
    public var densityPerDecadeOfSingularValue: [Double] {
        zip(squaredSingularValues, density).map { 2 * Foundation.log(10.0) * $0 * $1 }
    }
}
