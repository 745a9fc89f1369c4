import ArgumentParser
import VarianceKit

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
