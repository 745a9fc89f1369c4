extension StepMeasurement {
    /// One bare product timed alone.
    public struct ProductTiming: Sendable, Hashable, Codable {
        /// Which of the layer's three products.
        public var product: Product
        /// `op(A)` is `m x k`, `op(B)` `k x n`.
        public var m: Int
        /// Columns of `op(B)` and of the result.
        public var n: Int
        /// The inner dimension.
        public var k: Int
        /// The product's time.
        public var seconds: Timing
        /// `2 m n k / seconds.median`, in 10⁹ FLOP/s.
        public var gflops: Double { 2 * Double(m) * Double(n) * Double(k) / seconds.median / 1e9 }
    }

    /// The step, its bare products and a probe, timed in turns (`Stopwatch.timings`).
    public struct StepTiming: Sendable, Hashable, Codable {
        /// `step(deterministic: false)`: forward and backward, each product one `sgemm` on
        /// OpenBLAS's threads.
        public var step: Timing
        /// `step(deterministic: true)`: the same with `ThreadPolicy.deterministic`, each product
        /// single-threaded `sgemm` calls on fixed column blocks spread over the runtime's threads.
        public var deterministicStep: Timing
        /// `bareProducts()`: the step's `3 depth - 1` sgemm calls alone.
        public var bareProducts: Timing
        /// `probe(step:)` after the step.
        public var probe: Timing
        /// FLOPs of the step's products: `(3 depth - 1) 2 batch width²`.
        public var productFlops: Double

        /// `step.median / bareProducts.median`: what the network costs beyond its sgemm calls.
        public var stepOverBareProducts: Double { step.median / bareProducts.median }
        /// `deterministicStep.median / step.median`: what determinism costs.
        public var deterministicOverStep: Double { deterministicStep.median / step.median }
        /// `probe.median / step.median`.
        public var probeOverStep: Double { probe.median / step.median }
        /// `productFlops / step.median`, in 10⁹ FLOP/s.
        public var gflops: Double { productFlops / step.median / 1e9 }
    }

    /// Each of `products` at `layer` timed alone, one after the other (`repetitions` runs each
    /// after a warm-up).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `repetitions < 1` or a layer outside
    ///   `0 ..< depth`.
    public func measureProducts(_ products: [Product] = Product.allCases, layer: Int = 0,
                                repetitions: Int) throws -> [ProductTiming] {
        try products.map { product in
            let seconds = try Stopwatch.timing(of: { try run(product, layer: layer) }, repetitions: repetitions)
            let (m, n, k) = product.dimensions(width: configuration.width, batch: configuration.batch)
            return ProductTiming(product: product, m: m, n: n, k: k, seconds: seconds)
        }
    }

    /// The bare products, the step on OpenBLAS's threads, the deterministic step and a probe of
    /// every layer, back to back in every one of `repetitions` rounds (after a warm-up), so that
    /// all four see the same machine load. `ThreadPolicy.deterministic` is as before afterwards.
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for `repetitions < 1`.
    public func measureStep(repetitions: Int) throws -> StepTiming {
        let measured = try Stopwatch.timings(
            of: [{ try self.bareProducts() }, { try self.step(deterministic: false) }, { try self.step(deterministic: true) },
                 { self.probeCount += 1; self.probe(step: self.probeCount) }],
            repetitions: repetitions)
        let (depth, width, batch) = (configuration.depth, configuration.width, configuration.batch)
        return StepTiming(step: measured[1], deterministicStep: measured[2], bareProducts: measured[0], probe: measured[3],
                          productFlops: Double(3 * depth - 1) * 2 * Double(batch) * Double(width) * Double(width))
    }
}
