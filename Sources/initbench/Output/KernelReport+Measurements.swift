import VarianceKit

// The report's rows from the library's measurement results.

extension KernelReport.SgemmTiming {
    init(_ timing: StepMeasurement.ProductTiming) {
        self.init(operation: timing.product.description, m: timing.m, n: timing.n, k: timing.k,
                  seconds: timing.seconds.median, gflops: timing.gflops)
    }
}

extension KernelReport.NetworkTiming {
    init(shape: Kernels.Shape, _ timing: StepMeasurement.StepTiming) {
        self.init(depth: shape.depth, width: shape.width, batch: shape.batch, activation: shape.activation.name,
                  stepSeconds: timing.step.median, sgemmSeconds: timing.bareProducts.median,
                  ratio: timing.stepOverBareProducts, gflops: timing.gflops,
                  deterministicSeconds: timing.deterministicStep.median, deterministicOverStep: timing.deterministicOverStep,
                  probeSeconds: timing.probe.median, probeOverStep: timing.probeOverStep)
    }
}

extension KernelReport.FillTiming {
    init(_ name: InitializerName, _ measurement: FillMeasurement, _ result: FillMeasurement.Result) {
        self.init(init: name.rawValue, rows: measurement.size, columns: measurement.size, threads: measurement.threads,
                  seconds: result.fill.median, bestSeconds: result.fill.best,
                  lapackSeconds: result.compactWY?.median, driversSeconds: result.lapackDrivers?.median)
    }
}

extension KernelReport.OptimizerTiming {
    init(_ measurement: OptimizerMeasurement, _ result: OptimizerMeasurement.Result) {
        self.init(optimizer: measurement.kind.rawValue, parameters: measurement.parameterCount, threads: measurement.threads,
                  seconds: result.step.median, bytesPerSecond: result.bytesPerSecond)
    }
}
