import Foundation
import VarianceKit

// The JSON that `initbench kernels --format json` writes:
// {
//   "schema": "initbench.kernels.v1",
//   "config": { repetitions, fillSize, optimizerParameters, seed, threads, deterministic,
//               blasKernel, blasConfiguration, blas (BLASKernelChoice, as in `initbench info`),
//               versions },
//   "networks": [ { depth, width, batch, activation,
//                   stepSeconds   (median forward+backward step of the Network, each product
//                                  one sgemm on OpenBLAS's threads),
//                   sgemmSeconds  (median of the same 3 depth - 1 sgemm calls alone),
//                   ratio         (stepSeconds / sgemmSeconds),
//                   gflops        (sgemm FLOPs of the step / stepSeconds),
//                   deterministicSeconds (median of the same step with ThreadPolicy.deterministic),
//                   deterministicOverStep (deterministicSeconds / stepSeconds),
//                   probeSeconds, probeOverStep } ],
//   "sgemm":    [ { operation, m, n, k, seconds, gflops } ],     // one call at each layer shape
//   "fills":    [ { init, rows, columns, threads, seconds, elementsPerSecond } ],
//   "optimizers": [ { optimizer, parameters, threads, seconds,
//                     bytesPerSecond (bytes read + written by one step / seconds) } ]
//                     (bytes per parameter: OptimizerMeasurement.Kind.bytesPerParameter)
// }

/// The speed report.
struct KernelReport: Codable, Sendable, RenderedDocument {
    var schema = "initbench.kernels.v1"
    var config: KernelConfiguration
    var networks: [NetworkTiming] = []
    var sgemm: [SgemmTiming] = []
    var fills: [FillTiming] = []
    var optimizers: [OptimizerTiming] = []

    struct NetworkTiming: Codable, Sendable {
        var depth: Int
        var width: Int
        var batch: Int
        var activation: String
        var stepSeconds: Double
        var sgemmSeconds: Double
        var ratio: Double
        var gflops: Double
        /// The same step with `ThreadPolicy.deterministic`, and its time over `stepSeconds`.
        var deterministicSeconds: Double
        var deterministicOverStep: Double
        /// A probe of every layer (`Network.probe(step:)`) after the step, and its share of the step.
        var probeSeconds: Double
        var probeOverStep: Double
    }

    struct SgemmTiming: Codable, Sendable {
        var operation: String
        var m: Int
        var n: Int
        var k: Int
        var seconds: Double
        var gflops: Double
    }

    struct FillTiming: Codable, Sendable {
        var `init`: String
        var rows: Int
        var columns: Int
        var threads: Int
        /// Median over the repetitions, and the elements it fills per second.
        var seconds: Double
        var elementsPerSecond: Double
        /// Shortest of the repetitions.
        var bestSeconds: Double
        /// Orthogonal only: the median of the bare LAPACK calls it makes (`LAPACK.orthonormalize`,
        /// compact WY: sgeqrt, slarfb, strmm), timed alternately with it.
        var lapackSeconds: Double?
        /// Orthogonal only: the median of LAPACK's drivers sgeqrf + sorgqr on the same matrix, timed
        /// alternately with it: the routines the compact WY code replaces.
        var driversSeconds: Double?

        init(init name: String, rows: Int, columns: Int, threads: Int, seconds: Double, bestSeconds: Double,
             lapackSeconds: Double? = nil, driversSeconds: Double? = nil) {
            self.`init` = name
            self.rows = rows
            self.columns = columns
            self.threads = threads
            self.seconds = seconds
            elementsPerSecond = Double(rows * columns) / seconds
            self.bestSeconds = bestSeconds
            self.lapackSeconds = lapackSeconds
            self.driversSeconds = driversSeconds
        }
    }

    struct OptimizerTiming: Codable, Sendable {
        var optimizer: String
        var parameters: Int
        var threads: Int
        var seconds: Double
        var bytesPerSecond: Double
    }


    /// The sections that were measured, one aligned table each.
    var table: String {
        var sections = [String]()
        if !networks.isEmpty {
            var rows = [["depth", "width", "batch", "activation", "step (s)", "sgemm alone (s)", "step/sgemm", "GFLOP/s",
                         "deterministic (s)", "deterministic/step", "probe (s)", "probe/step"]]
            for n in networks {
                rows.append(["\(n.depth)", "\(n.width)", "\(n.batch)", n.activation, String(format: "%.4f", n.stepSeconds),
                             String(format: "%.4f", n.sgemmSeconds), String(format: "%.3f", n.ratio), String(format: "%.1f", n.gflops),
                             String(format: "%.4f", n.deterministicSeconds), String(format: "%.3f", n.deterministicOverStep),
                             String(format: "%.4f", n.probeSeconds), String(format: "%.3f", n.probeOverStep)])
            }
            sections.append(TableFormatter.aligned(rows, leftAligned: [3]))
        }
        if !sgemm.isEmpty {
            var rows = [["sgemm", "m", "n", "k", "seconds", "GFLOP/s"]]
            for s in sgemm {
                rows.append([s.operation, "\(s.m)", "\(s.n)", "\(s.k)", String(format: "%.5f", s.seconds), String(format: "%.1f", s.gflops)])
            }
            sections.append(TableFormatter.aligned(rows, leftAligned: [0]))
        }
        if !fills.isEmpty {
            var rows = [["fill", "rows", "columns", "threads", "seconds", "elements/s", "best (s)", "best elements/s", "its LAPACK (s)", "vs it", "sgeqrf+sorgqr (s)", "vs them"]]
            for f in fills {
                rows.append([f.`init`, "\(f.rows)", "\(f.columns)", "\(f.threads)", String(format: "%.4f", f.seconds), String(format: "%.3g", f.elementsPerSecond),
                             String(format: "%.4f", f.bestSeconds), String(format: "%.3g", Double(f.rows * f.columns) / f.bestSeconds),
                             f.lapackSeconds.map { String(format: "%.4f", $0) } ?? "-",
                             f.lapackSeconds.map { String(format: "%.3f", f.seconds / $0) } ?? "-",
                             f.driversSeconds.map { String(format: "%.4f", $0) } ?? "-",
                             f.driversSeconds.map { String(format: "%.3f", f.seconds / $0) } ?? "-"])
            }
            sections.append(TableFormatter.aligned(rows, leftAligned: [0]))
        }
        if !optimizers.isEmpty {
            var rows = [["optimizer", "parameters", "threads", "seconds", "GB/s"]]
            for o in optimizers {
                rows.append([o.optimizer, "\(o.parameters)", "\(o.threads)", String(format: "%.4f", o.seconds), String(format: "%.2f", o.bytesPerSecond / 1e9)])
            }
            sections.append(TableFormatter.aligned(rows, leftAligned: [0]))
        }
        let heading = "BLAS \(config.blasKernel), \(config.threads) thread\(config.threads == 1 ? "" : "s"), median of \(config.repetitions)"
            + (config.deterministic ? ", deterministic" : "")
        let kernel = "BLAS kernel \(config.blas.kernel): \(config.blas.reason); processor \(config.blas.instructionSet)"
        return ([heading + "\n" + kernel + "\n"] + sections).joined(separator: "\n")
    }

    /// One CSV with a `section` column (network, sgemm, fill, optimizer) and the union of fields.
    var csv: String {
        var writer = CSVWriter(header: [
            "section", "name", "depth", "width", "batch", "m", "n", "k", "rows", "columns", "parameters", "threads",
            "seconds", "referenceSeconds", "rate", "rateUnit", "bestSeconds", "driversSeconds", "deterministicSeconds",
        ])
        for n in networks {
            writer.append([.text("network"), .text(n.activation), .integer(n.depth), .integer(n.width), .integer(n.batch),
                           .integer(nil), .integer(nil), .integer(nil), .integer(nil), .integer(nil), .integer(nil),
                           .integer(config.threads), .number(n.stepSeconds), .number(n.sgemmSeconds), .number(n.gflops),
                           .text("GFLOP/s"), .number(nil), .number(nil), .number(n.deterministicSeconds)])
        }
        for s in sgemm {
            writer.append([.text("sgemm"), .text(s.operation), .integer(nil), .integer(nil), .integer(nil),
                           .integer(s.m), .integer(s.n), .integer(s.k), .integer(nil), .integer(nil), .integer(nil),
                           .integer(config.threads), .number(s.seconds), .number(nil), .number(s.gflops),
                           .text("GFLOP/s"), .number(nil), .number(nil), .number(nil)])
        }
        for f in fills {
            writer.append([.text("fill"), .text(f.`init`), .integer(nil), .integer(nil), .integer(nil),
                           .integer(nil), .integer(nil), .integer(nil), .integer(f.rows), .integer(f.columns), .integer(nil),
                           .integer(f.threads), .number(f.seconds), .number(f.lapackSeconds), .number(f.elementsPerSecond),
                           .text("elements/s"), .number(f.bestSeconds), .number(f.driversSeconds), .number(nil)])
        }
        for o in optimizers {
            writer.append([.text("optimizer"), .text(o.optimizer), .integer(nil), .integer(nil), .integer(nil),
                           .integer(nil), .integer(nil), .integer(nil), .integer(nil), .integer(nil), .integer(o.parameters),
                           .integer(o.threads), .number(o.seconds), .number(nil), .number(o.bytesPerSecond),
                           .text("bytes/s"), .number(nil), .number(nil), .number(nil)])
        }
        return writer.text
    }
}

struct KernelConfiguration: Codable, Sendable {
    var repetitions: Int
    var fillSize: Int
    var optimizerParameters: Int
    var seed: UInt64
    var threads: Int
    var deterministic: Bool
    var blasKernel: String
    var blasConfiguration: String
    var blas: BLASKernelChoice
    var versions: Versions
}
