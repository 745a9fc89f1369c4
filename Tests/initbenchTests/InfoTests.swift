import Foundation
import Testing

@Suite struct InfoTests {
    @Test func versionNamesKernelAndThreads() throws {
        let result = try runInitbench(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("initbench"))
        #expect(result.stdout.contains("OpenBLAS kernel"))
        #expect(result.stdout.contains("BLAS threads"))
    }

    @Test func infoPrintsKernelAndThreadCount() throws {
        let result = try runInitbench(["info"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("BLAS kernel: "))
        #expect(result.stdout.range(of: #"BLAS threads: \d+"#, options: .regularExpression) != nil)
    }

    @Test func unknownSubcommandExits64() throws {
        let result = try runInitbench(["no-such-command"])
        #expect(result.status == 64)
    }
}
