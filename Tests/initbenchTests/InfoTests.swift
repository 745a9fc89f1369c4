import Foundation
import Testing

/// Runs the initbench executable (INITBENCH_BINARY when set, else the debug build) and returns
/// its exit status, standard output and standard error.
func runInitbench(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let path = ProcessInfo.processInfo.environment["INITBENCH_BINARY"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/initbench").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

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
