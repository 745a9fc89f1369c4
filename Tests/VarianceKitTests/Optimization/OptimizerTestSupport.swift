import Testing
import VarianceKit

/// A hand-made set of parameters, as a network would hold them.
final class TestParameters: ParameterContainer {
    var ids: [ParameterID]
    var values: [Matrix]
    var gradients: [Matrix]

    init(_ entries: [(ParameterID, Matrix, Matrix)]) {
        ids = entries.map(\.0)
        values = entries.map(\.1)
        gradients = entries.map(\.2)
    }

    func forEachParameter(_ body: (ParameterID, inout Matrix, inout Matrix) throws -> Void) rethrows {
        for index in ids.indices {
            try body(ids[index], &values[index], &gradients[index])
        }
    }

    func values(_ id: ParameterID) -> Matrix { values[ids.firstIndex(of: id)!] }
    func setGradient(_ id: ParameterID, _ gradient: Matrix) { gradients[ids.firstIndex(of: id)!] = gradient }
}

let weight0 = ParameterID(layer: 0, kind: .weight)
let bias0 = ParameterID(layer: 0, kind: .bias)
let weight1 = ParameterID(layer: 1, kind: .weight)

func doubles(_ m: Matrix) -> [Double] { m.elements.map(Double.init) }

/// `true` when every `|a - b| <= tolerance * max(|b|, floor)`; on failure, records the worst
/// element only (a whole buffer would drown the log).
func close(_ a: [Double], _ b: [Double], relative tolerance: Double, floor: Double = 1e-6, record: Bool = true,
           sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard a.count == b.count else {
        Issue.record("\(a.count) values compared with \(b.count)", sourceLocation: sourceLocation)
        return false
    }
    var worst = (index: -1, ratio: 0.0)
    for i in a.indices {
        let ratio = abs(a[i] - b[i]) / (tolerance * max(abs(b[i]), floor))
        if !(ratio <= worst.ratio) { worst = (i, ratio) }
    }
    guard worst.index >= 0, !(worst.ratio <= 1) else { return true }
    guard record else { return false }
    Issue.record("element \(worst.index): \(a[worst.index]) vs reference \(b[worst.index]) (\(worst.ratio) x the tolerance)",
                 sourceLocation: sourceLocation)
    return false
}

func sgn(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }

extension Optimizer {
    /// `step(parameter:gradient:id:)` on a copy of `gradient` (the step consumes its gradient buffer).
    @discardableResult
    func step(parameter: inout Matrix, gradientCopy: Matrix, id: ParameterID) throws -> ParameterStepStatistics {
        var gradient = gradientCopy
        return try step(parameter: &parameter, gradient: &gradient, id: id)
    }
}
