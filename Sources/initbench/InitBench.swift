import ArgumentParser
import VarianceKit

@main
struct InitBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "initbench",
        abstract: "Compare neural-network weight initialization schemes (and regularizers) at scale.",
        version: "initbench \(VarianceKit.version) (VarianceKit \(VarianceKit.version), OpenBLAS kernel \(BLAS.kernelName), \(ThreadPolicy.threadCount) BLAS threads)",
        subcommands: [Compare.self, Propagate.self, Report.self, Kernels.self, Regularize.self, Info.self],
        defaultSubcommand: Compare.self
    )
}

/// `initbench info`: what this build runs on.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the VarianceKit version, the OpenBLAS kernel and thread count.")

    func run() throws {
        print("VarianceKit \(VarianceKit.version)")
        print("BLAS kernel: \(BLAS.kernelName)")
        print("BLAS threads: \(ThreadPolicy.threadCount)")
        print("BLAS configuration: \(BLAS.configuration)")
    }
}
