import ArgumentParser
import Foundation
import VarianceKit

/// A failure found while running (after parsing): printed as `Error: ...` on standard error (the
/// prefix ArgumentParser gives the errors it finds while parsing), with exit status 64
/// (EX_USAGE) for what the user asked for and cannot be done.
enum CommandFailure: Error, CustomStringConvertible {
    case usage(String)

    var description: String {
        switch self {
        case .usage(let message): return message
        }
    }
}

/// Runs `body`, turning a `CommandFailure`, an `OutputPathError` or a `VarianceKitError` into
/// `Error: message` on standard error and exit status 64 (74, EX_IOERR, for an output that could
/// not be written: a full disk, an I/O error); everything else goes to ArgumentParser as usual.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as OutputPathError {
        StandardError.write("Error: \(error.description)\n")
        throw ExitCode(error.isInputOutput ? 74 : 64)
    } catch let failure as CommandFailure {
        StandardError.write("Error: \(failure.description)\n")
        throw ExitCode(64)
    } catch let error as VarianceKitError {
        StandardError.write("Error: \(error.description)\n")
        throw ExitCode(64)
    }
}

/// Unbuffered writes to standard error.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Runs `body`; a refusal for lack of memory gains `hint`, the options that would make the run fit.
func hintingMemory<Result>(_ hint: String, _ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch let error as VarianceKitError {
        guard case .insufficientMemory = error else { throw error }
        throw CommandFailure.usage("\(error.description); \(hint)")
    }
}
