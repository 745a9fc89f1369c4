import Foundation

/// Runs the initbench executable (INITBENCH_BINARY when set, else the debug build) and returns
/// its exit status, standard output and standard error; `environment` is added to this process's,
/// and the variables named in `unsetting` are removed from it.
func runInitbench(_ arguments: [String], environment: [String: String] = [:],
                  unsetting: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: initbenchBinaryPath())
    process.arguments = arguments
    if !environment.isEmpty || !unsetting.isEmpty {
        var merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        for name in unsetting { merged[name] = nil }
        process.environment = merged
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Standard error is drained on another thread while standard output is read here, so a
    // child that fills one pipe's buffer (64 KiB) while the other is being waited on cannot block.
    let errData = DrainedPipe()
    let errHandle = err.fileHandleForReading
    Thread.detachNewThread {
        errData.data = errHandle.readDataToEndOfFile()
        errData.done.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    errData.done.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData.data, as: UTF8.self))
}

/// What a pipe held, read to its end on another thread; `done` is signalled when it was.
private final class DrainedPipe: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}

/// The initbench executable the tests run: `INITBENCH_BINARY` when set, else the debug build.
func initbenchBinaryPath() -> String {
    let configured = ProcessInfo.processInfo.environment["INITBENCH_BINARY"].flatMap { $0.isEmpty ? nil : $0 }
    return configured
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/initbench").path
}
