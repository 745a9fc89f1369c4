/// The `RandomStream.measurement(k)` of every buffer the measurements fill only to time work on
/// it, assigned in one place so that no two such draws share a stream. (Weights draw from
/// `RandomStream.weight(layer:)`, input batches from `RandomStream.input`.)
enum MeasurementStream {
    /// `StepMeasurement`'s stand-in for `dL/dZ`, the left operand of the bare backward products.
    static let stepOutputGradient = RandomStream.measurement(0)
    /// `FillMeasurement`'s fill, and the Gaussian matrix its orthogonal baselines factor: the same
    /// draw, so that the bare LAPACK calls factor exactly the matrix the orthogonal fill factors.
    static let fill = RandomStream.measurement(1)
    /// `OptimizerMeasurement`'s parameter.
    static let optimizerParameter = RandomStream.measurement(2)
    /// `OptimizerMeasurement`'s gradient.
    static let optimizerGradient = RandomStream.measurement(3)
}
