import Foundation

/// Scalar draws for the synthetic datasets: uniform and standard-normal `Double`s and exact
/// bounded integers from one Philox4x32-10 sequence, positioned at a chosen counter block.
///
/// The bulk fills of the synthetic datasets (inputs, noise) go through `RandomFill`'s lanes at
/// block offset 0 of their stream; the few parameters they need (mixture means, regression
/// coefficients, Shapeset's shapes) come from this generator, positioned in the auxiliary half of
/// the counter space (block index `>= 2^63`) or in a block range of their own, so the two never
/// share counter blocks.
struct SyntheticDraws {
    private var generator: Philox4x32
    private var spareNormal: Double?

    /// Draws from `(seed, stream)` starting at counter block `block`.
    init(seed: UInt64, stream: RandomStream, block: UInt64) {
        generator = Philox4x32(seed: seed, stream: stream.id)
        generator.seek(toBlock: block)
    }

    /// Uniform on `[0, 1)` with 53 random bits.
    mutating func uniform() -> Double {
        Double(generator.next() >> 11) * 0x1p-53
    }

    /// Uniform on `[low, high)`.
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniform()
    }

    /// A standard normal by the Box-Muller transform in `Double` (`r = sqrt(-2 ln u1)`,
    /// `u1` uniform on `(0, 1]`, angle `2 pi u2`); the second value of each pair is kept for the
    /// next call.
    mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let radius = (-2 * log(1 - uniform())).squareRoot()
        let angle = 2 * Double.pi * uniform()
        spareNormal = radius * sin(angle)
        return radius * cos(angle)
    }

    /// A uniform integer in `0 ..< bound` (`bound >= 1`), exactly.
    mutating func integer(below bound: Int) -> Int {
        Int(generator.nextBounded(UInt64(bound)))
    }
}

/// The limits every synthetic dataset checks its parameters against.
public enum SyntheticLimits {
    /// Sample counts accepted.
    public static let sampleRange = 1...10_000_000
    /// Feature counts (and layer widths) accepted.
    public static let featureRange = 1...65_536
    /// Class counts accepted by the Gaussian mixture.
    public static let classRange = 2...65_536

    /// The largest noise standard deviation accepted (so that every noise sample is a finite `Float`).
    public static let maximumNoise: Float = 1e6

    /// Throws unless `noise` is finite and in `0 ... maximumNoise`.
    static func requireNoise(_ noise: Float, _ name: String = "noise standard deviation") throws {
        guard noise.isFinite, noise >= 0, noise <= maximumNoise else {
            throw VarianceKitError.invalidParameter(name: name, value: "\(noise)", expected: "a finite number in 0...\(maximumNoise)")
        }
    }

    /// Throws unless `value` lies in `range`, naming `name`.
    static func require(_ value: Int, in range: ClosedRange<Int>, _ name: String) throws {
        guard range.contains(value) else {
            throw VarianceKitError.invalidParameter(
                name: name, value: "\(value)", expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
    }

    /// `a * b` saturating at `Int.max` (both `>= 0`).
    static func product(_ a: Int, _ b: Int) -> Int {
        let result = a.multipliedReportingOverflow(by: b)
        return result.overflow ? Int.max : result.partialValue
    }

    /// The bytes of `a * b` `Float`s, saturating at `Int.max`.
    static func floatBytes(_ a: Int, _ b: Int) -> Int {
        product(product(a, b), MemoryLayout<Float>.stride)
    }

    /// The bytes of `count` labels (`Int`), saturating at `Int.max`.
    static func labelBytes(_ count: Int) -> Int {
        product(count, MemoryLayout<Int>.stride)
    }

    /// The sum of `parts`, saturating at `Int.max`.
    static func sum(_ parts: [Int]) -> Int {
        parts.reduce(0) { total, part in
            let sum = total.addingReportingOverflow(part)
            return sum.overflow ? Int.max : sum.partialValue
        }
    }
}
