import ArgumentParser
import VarianceKit

/// `initbench info`: what this build runs on, as an `InfoDocument`.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the VarianceKit version, the OpenBLAS kernel (and why it runs), the processor's instruction set and the thread count.")

    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingFailures {
            try output.emit(InfoDocument(versions: .current, threads: ThreadPolicy.threadCount,
                                         deterministic: ThreadPolicy.deterministic, blas: .current))
        }
    }
}
