import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import VarianceKit

/// A scratch directory for the file tests, removed afterwards.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("variancekit-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let target = file(name)
        try Data(bytes).write(to: target)
        return target
    }

    @discardableResult
    func write(_ name: String, text: String) throws -> URL {
        try write(name, Array(text.utf8))
    }

    /// Names in the directory, hidden ones included.
    var names: Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []) }

    /// Leftover temporary files of the library's writes.
    var temporaries: [String] { names.filter { $0.contains(".variancekit-") && $0.hasSuffix(".tmp") }.sorted() }
}

/// What a thrown `VarianceKitError.malformedFile` or `.fileAccess` says, for checks.
struct FileErrorReport {
    var path: String
    var location: String
    var found: String
    var expected: String
    var isAccess: Bool
    var description: String
}

/// Runs `body`, which must throw `.malformedFile` (or `.fileAccess` when `access` is true);
/// returns its fields (nil, after recording an issue, when it does not).
@discardableResult
func fileError(access: Bool = false, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> FileErrorReport? {
    do {
        try body()
        Issue.record("expected a \(access ? "fileAccess" : "malformedFile") error, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as VarianceKitError {
        switch error {
        case let .malformedFile(path, location, found, expected) where !access:
            return FileErrorReport(path: path, location: location, found: found, expected: expected, isAccess: false, description: error.description)
        case let .fileAccess(path, operation, reason) where access:
            return FileErrorReport(path: path, location: operation, found: reason, expected: "", isAccess: true, description: error.description)
        default:
            Issue.record("expected a \(access ? "fileAccess" : "malformedFile") error, got \(error)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a VarianceKitError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// What every broken-file case checks of its refusal: it names `url`'s path and `location`,
/// and its description contains `words`; `name` labels the case in failures.
func expectRefusal(_ report: FileErrorReport, names url: URL, at location: String, saying words: String, case name: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(report.path == url.path, "\(name)", sourceLocation: sourceLocation)
    #expect(report.location == location, "\(name): \(report.description)", sourceLocation: sourceLocation)
    #expect(report.description.contains(words), "\(name): \(report.description)", sourceLocation: sourceLocation)
}

/// gzip made independently of the code under test: deflate "stored" blocks (RFC 1951 §3.2.4,
/// no compression) in a gzip member (RFC 1952) whose CRC-32 is computed bit by bit.
enum HandMadeGzip {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func member(_ bytes: [UInt8], blockSize: Int = 1000) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
        var start = 0
        repeat {
            let end = min(start + blockSize, bytes.count)
            let length = UInt16(end - start)
            out.append(end == bytes.count ? 1 : 0)
            out += [UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8(~length >> 8)]
            out += bytes[start..<end]
            start = end
        } while start < bytes.count
        let crc = crc32(bytes), size = UInt32(truncatingIfNeeded: bytes.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return out
    }
}

/// IDX bytes built in the test: magic, big-endian dimensions, then `payload`.
func idxBytes(type: UInt8, dimensions: [UInt32], payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for size in dimensions { bytes += [UInt8(size >> 24), UInt8((size >> 16) & 0xff), UInt8((size >> 8) & 0xff), UInt8(size & 0xff)] }
    return bytes + payload
}

/// python3 with NumPy, when this machine has them.
enum Python {
    static let hasPython: Bool = (try? run("import gzip").status) == 0
    static let hasNumpy: Bool = (try? run("import numpy").status) == 0

    /// Runs `python3 -c script` with `arguments`; returns its status and output.
    static func run(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

/// Versions of `bytes` for fuzzing: every truncation (up to `limit` of them, evenly spread) and
/// `flips` copies with one random byte replaced.
func mutations(of bytes: [UInt8], limit: Int = 200, flips: Int = 200, seed: UInt64) -> [[UInt8]] {
    var random = TestRandom(seed: seed)
    let step = max(1, bytes.count / limit)
    var result = stride(from: 0, to: bytes.count, by: step).map { Array(bytes[..<$0]) }
    for _ in 0..<flips {
        var copy = bytes
        let index = random.below(copy.count)
        copy[index] = UInt8(truncatingIfNeeded: random.nextUInt64()) | (copy[index] == 0 ? 1 : 0)
        result.append(copy)
    }
    return result
}
