import VarianceKit

// The JSON that `initbench info --format json` writes:
// {
//   "schema": "initbench.info.v1",
//   "versions": { initbench, varianceKit, swift },
//   "threads": ThreadPolicy.threadCount, "deterministic": ThreadPolicy.deterministic,
//   "blas": { kernel, configuration, instructionSet ("AVX-512", "AVX2", "SSE2"),
//             coreType (OPENBLAS_CORETYPE or null), level2CacheSize (OPENBLAS_L2_SIZE or null),
//             forced (OPENBLAS_CORETYPE named the kernel that runs), reason }
// }

/// What this build runs on: versions, threads, and OpenBLAS's kernel with why it runs.
struct InfoDocument: Codable, Sendable, RenderedDocument {
    var schema = "initbench.info.v1"
    var versions: Versions
    var threads: Int
    var deterministic: Bool
    var blas: BLASKernelChoice

    /// One `name: value` line each.
    var table: String {
        """
        VarianceKit \(versions.varianceKit)
        BLAS kernel: \(blas.kernel) (\(blas.isForced ? "forced" : "chosen by OpenBLAS"))
        Why: \(blas.reason)
        Processor: \(blas.instructionSet)
        OPENBLAS_CORETYPE: \(blas.coreType ?? "unset")
        OPENBLAS_L2_SIZE: \(blas.level2CacheSize ?? "unset")
        BLAS threads: \(threads)
        Deterministic: \(deterministic ? "yes" : "no")
        BLAS configuration: \(blas.configuration)

        """
    }

    /// A header and one row, the JSON's keys flattened.
    var csv: String {
        var writer = CSVWriter(header: [
            "varianceKit", "swift", "threads", "deterministic", "blasKernel", "instructionSet", "coreType",
            "level2CacheSize", "forced", "reason", "blasConfiguration",
        ])
        writer.append([.text(versions.varianceKit), .text(versions.swift), .integer(threads), .text("\(deterministic)"),
                       .text(blas.kernel), .text(blas.instructionSet.rawValue), .text(blas.coreType ?? ""),
                       .text(blas.level2CacheSize ?? ""), .text("\(blas.isForced)"), .text(blas.reason),
                       .text(blas.configuration)])
        return writer.text
    }
}
