import Foundation
import VarianceKit

/// The losses of `Loss`, restated in Double from their formulas.
enum ReferenceLoss {
    case meanSquaredError([[Double]])
    case softmaxCrossEntropy([Int])
    case randomReadout([[Double]])
    case quadratic

    func value(_ a: [[Double]]) -> Double {
        let batch = Double(a.count)
        switch self {
        case .meanSquaredError(let t):
            var sum = 0.0
            for i in a.indices { for j in a[i].indices { sum += (a[i][j] - t[i][j]) * (a[i][j] - t[i][j]) } }
            return sum / (batch * Double(a[0].count))
        case .softmaxCrossEntropy(let labels):
            var sum = 0.0
            for i in a.indices {
                let m = a[i].max()!
                let logSum = m + Foundation.log(a[i].reduce(0) { $0 + Foundation.exp($1 - m) })
                sum += logSum - a[i][labels[i]]
            }
            return sum / batch
        case .randomReadout(let r):
            var sum = 0.0
            for i in a.indices { for j in a[i].indices { sum += r[i][j] * a[i][j] } }
            return sum / batch
        case .quadratic:
            var sum = 0.0
            for row in a { for v in row { sum += v * v } }
            return 0.5 * sum / batch
        }
    }

    func gradient(_ a: [[Double]]) -> [[Double]] {
        let batch = Double(a.count)
        switch self {
        case .meanSquaredError(let t):
            let scale = 2 / (batch * Double(a[0].count))
            return a.indices.map { i in a[i].indices.map { j in scale * (a[i][j] - t[i][j]) } }
        case .softmaxCrossEntropy(let labels):
            return a.indices.map { i in
                let m = a[i].max()!
                let e = a[i].map { Foundation.exp($0 - m) }
                let s = e.reduce(0, +)
                return e.indices.map { j in (e[j] / s - (j == labels[i] ? 1 : 0)) / batch }
            }
        case .randomReadout(let r):
            return r.map { $0.map { $0 / batch } }
        case .quadratic:
            return a.map { $0.map { $0 / batch } }
        }
    }
}

/// A dense network in Double with naive loops: forward, analytic backward and central finite
/// differences of the loss, independent of VarianceKit's kernels.
struct ReferenceNetwork {
    var weights: [[[Double]]]      // [layer][output][input]
    var biases: [[Double]?]        // [layer][output]
    var activations: [Activation]

    /// Copies a VarianceKit network's parameters.
    init(_ network: Network) {
        weights = network.layers.map { layer in
            (0..<layer.outputs).map { o in (0..<layer.inputs).map { i in Double(layer.weight[o, i]) } }
        }
        biases = network.layers.map { layer in layer.bias.map { b in (0..<layer.outputs).map { Double(b[0, $0]) } } }
        activations = network.layers.map(\.activation)
    }

    /// `(Z, A)` per layer.
    func forward(_ x: [[Double]]) -> (z: [[[Double]]], a: [[[Double]]]) {
        var zs: [[[Double]]] = []
        var as_: [[[Double]]] = []
        var current = x
        for l in weights.indices {
            let z = current.map { row in
                weights[l].indices.map { o in
                    var sum = biases[l]?[o] ?? 0
                    for i in row.indices { sum += weights[l][o][i] * row[i] }
                    return sum
                }
            }
            let a = z.map { $0.map { ActivationReference.value(activations[l], $0) } }
            zs.append(z)
            as_.append(a)
            current = a
        }
        return (zs, as_)
    }

    func loss(_ x: [[Double]], _ loss: ReferenceLoss) -> Double {
        loss.value(forward(x).a.last!)
    }

    /// Analytic back-propagation: `(dZ, dW, db)` per layer.
    func backward(_ x: [[Double]], _ loss: ReferenceLoss) -> (dz: [[[Double]]], dw: [[[Double]]], db: [[Double]]) {
        let (zs, as_) = forward(x)
        var dzs = [[[Double]]](repeating: [], count: weights.count)
        var dws = [[[Double]]](repeating: [], count: weights.count)
        var dbs = [[Double]](repeating: [], count: weights.count)
        var da = loss.gradient(as_.last!)
        for l in weights.indices.reversed() {
            let dz = da.indices.map { b in da[b].indices.map { o in da[b][o] * ActivationReference.derivative(activations[l], zs[l][b][o]) } }
            let input = l == 0 ? x : as_[l - 1]
            dws[l] = weights[l].indices.map { o in
                weights[l][o].indices.map { i in dz.indices.reduce(0.0) { $0 + dz[$1][o] * input[$1][i] } }
            }
            dbs[l] = weights[l].indices.map { o in dz.reduce(0.0) { $0 + $1[o] } }
            dzs[l] = dz
            da = dz.map { row in
                weights[l][0].indices.map { i in row.indices.reduce(0.0) { $0 + row[$1] * weights[l][$1][i] } }
            }
        }
        return (dzs, dws, dbs)
    }

    /// Central differences of the loss with respect to every weight and bias (step `h`).
    func numericGradients(_ x: [[Double]], _ loss: ReferenceLoss, h: Double = 1e-6) -> (dw: [[[Double]]], db: [[Double]]) {
        var copy = self
        var dws = weights.map { $0.map { $0.map { _ in 0.0 } } }
        var dbs = weights.map { $0.map { _ in 0.0 } }
        for l in weights.indices {
            for o in weights[l].indices {
                for i in weights[l][o].indices {
                    let original = copy.weights[l][o][i]
                    copy.weights[l][o][i] = original + h
                    let plus = copy.loss(x, loss)
                    copy.weights[l][o][i] = original - h
                    let minus = copy.loss(x, loss)
                    copy.weights[l][o][i] = original
                    dws[l][o][i] = (plus - minus) / (2 * h)
                }
                if biases[l] != nil {
                    let original = copy.biases[l]![o]
                    copy.biases[l]![o] = original + h
                    let plus = copy.loss(x, loss)
                    copy.biases[l]![o] = original - h
                    let minus = copy.loss(x, loss)
                    copy.biases[l]![o] = original
                    dbs[l][o] = (plus - minus) / (2 * h)
                }
            }
        }
        return (dws, dbs)
    }
}

/// `‖actual - expected‖ / ‖expected‖` over flattened values (with a floor on the denominator).
func relativeError(_ actual: [Double], _ expected: [Double]) -> Double {
    precondition(actual.count == expected.count)
    var difference = 0.0
    var norm = 0.0
    for i in actual.indices {
        difference += (actual[i] - expected[i]) * (actual[i] - expected[i])
        norm += expected[i] * expected[i]
    }
    return difference.squareRoot() / max(norm.squareRoot(), 1e-12)
}

extension Matrix {
    /// Rows as Double arrays.
    var doubleRows: [[Double]] { (0..<rows).map { r in (0..<columns).map { Double(self[r, $0]) } } }
    /// Elements as Doubles, row-major.
    var doubleElements: [Double] { elements.map(Double.init) }
}

enum NetworkFixture {
    /// A network with explicit weights `U[-s, s]`, `s = 1.7/sqrt(fanIn)` (so `Z` is of order 1),
    /// and biases `U[-0.5, 0.5]`, drawn from `TestRandom(seed)`.
    static func make(widths: [Int], activations: [Activation], bias: Bool, seed: UInt64) throws -> Network {
        var random = TestRandom(seed: seed)
        var layers: [Dense] = []
        for l in 0..<(widths.count - 1) {
            let layer = try Dense(inputs: widths[l], outputs: widths[l + 1], activation: activations[l], bias: bias)
            let scale = 1.7 / Float(widths[l]).squareRoot()
            try layer.setWeight(Matrix(rows: widths[l + 1], columns: widths[l],
                                       elements: random.array(widths[l] * widths[l + 1]).map { $0 * scale }))
            if bias {
                try layer.setBias(Matrix(rows: 1, columns: widths[l + 1], elements: random.array(widths[l + 1]).map { $0 * 0.5 }))
            }
            layers.append(layer)
        }
        return try Network(layers: layers)
    }
}
