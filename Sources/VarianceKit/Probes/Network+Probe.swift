extension Network {
    /// The statistics of every layer's `W`, `b`, `Z`, `A`, `dL/dZ`, `dL/dW`, `dL/db` as they stand
    /// after the last forward/backward pass, labelled with `step`; see `NetworkProbe`.
    ///
    /// Cost: one vectorized pass over each tensor, plus a strided histogram sample and, for
    /// saturating or ReLU activations, one counting pass over `A`; no BLAS call. The first probe
    /// that finds a non-finite value records it in `firstNonFinite`, which later probes repeat.
    public func probe(step: Int, options: ProbeOptions = .standard) -> NetworkProbe {
        var layerProbes: [LayerProbe] = []
        layerProbes.reserveCapacity(layers.count)
        let forwardDone = hasForwardPass
        let backwardDone = hasBackwardPass
        for (index, layer) in layers.enumerated() {
            let activationMatrix = forwardDone ? layer.output : nil
            let (saturated, dead) = activationMatrix.map { Network.saturationFractions($0, layer.activation) } ?? (nil, nil)
            layerProbes.append(LayerProbe(
                layer: index, inputs: layer.inputs, outputs: layer.outputs,
                activationName: layer.activation.description,
                weight: TensorStatistics(layer.weight, options: options),
                bias: layer.bias.map { TensorStatistics($0, options: options) },
                preActivation: forwardDone ? TensorStatistics(layer.preActivation, options: options) : nil,
                activation: activationMatrix.map { TensorStatistics($0, options: options) },
                preActivationGradient: backwardDone ? TensorStatistics(layer.delta, options: options) : nil,
                weightGradient: backwardDone ? TensorStatistics(layer.weightGradient, options: options) : nil,
                biasGradient: backwardDone ? layer.biasGradient.map { TensorStatistics($0, options: options) } : nil,
                saturatedFraction: saturated, deadFraction: dead))
        }
        let nonFinite = Network.firstNonFinite(in: layerProbes, step: step)
        if let nonFinite, firstNonFinite == nil || nonFinite.step < firstNonFinite!.step {
            firstNonFinite = nonFinite
        }
        return NetworkProbe(
            step: step, batchSize: batchSize,
            loss: backwardDone ? lastLoss.flatMap { $0.isFinite ? $0 : nil } : nil,
            layers: layerProbes, nonFinite: nonFinite, firstNonFinite: firstNonFinite)
    }

    /// The first non-finite tensor in computation order (see `NetworkProbe.nonFinite`).
    static func firstNonFinite(in probes: [LayerProbe], step: Int) -> NonFiniteLocation? {
        func bad(_ statistics: TensorStatistics?) -> Bool { (statistics?.nonFiniteCount ?? 0) > 0 }
        for probe in probes {
            for (name, statistics) in [("weight", probe.weight), ("bias", probe.bias),
                                       ("preActivation", probe.preActivation), ("activation", probe.activation)]
            where bad(statistics) {
                return NonFiniteLocation(step: step, layer: probe.layer, tensor: name)
            }
        }
        for probe in probes.reversed() {
            for (name, statistics) in [("preActivationGradient", probe.preActivationGradient),
                                       ("weightGradient", probe.weightGradient), ("biasGradient", probe.biasGradient)]
            where bad(statistics) {
                return NonFiniteLocation(step: step, layer: probe.layer, tensor: name)
            }
        }
        return nil
    }

    /// `(saturated, dead)` fractions of the activations `a` (each nil where the activation has none).
    static func saturationFractions(_ a: Matrix, _ activation: Activation) -> (Double?, Double?) {
        guard a.count > 0 else { return (nil, nil) }
        typealias Vector = ActivationMath.Vector
        let predicate: (Vector) -> SIMDMask<SIMD8<Int32>>
        let scalar: (Float) -> Bool
        switch activation {
        case .tanh:
            predicate = { ActivationMath.magnitude($0) .> 0.99 }
            scalar = { abs($0) > 0.99 }
        case .sigmoid:
            predicate = { ($0 .< 0.01) .| ($0 .> 0.99) }
            scalar = { $0 < 0.01 || $0 > 0.99 }
        case .softsign:
            predicate = { ActivationMath.magnitude($0) .> 0.9 }
            scalar = { abs($0) > 0.9 }
        case .relu:
            predicate = { $0 .== 0 }
            scalar = { $0 == 0 }
        default:
            return (nil, nil)
        }
        let matches = a.withUnsafeBufferPointer { buffer in
            Network.count(buffer.baseAddress!, buffer.count, predicate, scalar)
        }
        let fraction = Double(matches) / Double(a.count)
        return activation == .relu ? (nil, fraction) : (fraction, nil)
    }

    /// Number of entries matching `predicate`, eight lanes at a time (lane counters flushed to an
    /// `Int` every 4096 vectors, well below Float's exact-integer limit).
    @inline(__always)
    static func count(
        _ pointer: UnsafePointer<Float>, _ count: Int,
        _ predicate: (ActivationMath.Vector) -> SIMDMask<SIMD8<Int32>>, _ scalar: (Float) -> Bool
    ) -> Int {
        let lanes = ActivationMath.lanes
        let vectorEnd = count - count % lanes
        var total = 0
        var index = 0
        while index < vectorEnd {
            let blockEnd = min(index + 4096 * lanes, vectorEnd)
            var counters = ActivationMath.Vector.zero
            while index < blockEnd {
                counters = counters.replacing(with: counters + 1, where: predicate(ActivationMath.load(pointer + index)))
                index += lanes
            }
            total += Int(counters.sum())
        }
        while index < count {
            if scalar(pointer[index]) { total += 1 }
            index += 1
        }
        return total
    }
}
