import ArgumentParser
import VarianceKit

@main
struct InitBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "initbench",
        abstract: "Compare neural-network weight initialization schemes (and regularizers) at scale.",
        version: "initbench \(VarianceKit.version) (VarianceKit \(VarianceKit.version), OpenBLAS kernel \(BLAS.kernelName), \(ThreadPolicy.threadCount) BLAS threads)",
        subcommands: [Compare.self, Propagate.self, Report.self, Theory.self, Train.self, Sweep.self, Merge.self, Kernels.self, Regularize.self, Info.self],
        defaultSubcommand: Compare.self
    )
}
