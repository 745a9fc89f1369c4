import Foundation

/// What the machine can give an experiment: `MemAvailable` from `/proc/meminfo`, checked before
/// anything large is allocated so that a run too large for the machine is refused with a typed
/// error instead of failing part-way.
public enum MemoryBudget {
    /// The environment variable that, when set to a whole number of bytes, replaces
    /// `MemAvailable` (to test refusals without exhausting the machine).
    public static let overrideVariable = "VARIANCEKIT_MEMORY_AVAILABLE_BYTES"

    /// Bytes available now: `VARIANCEKIT_MEMORY_AVAILABLE_BYTES` when set, else `MemAvailable`
    /// from `/proc/meminfo`; nil where neither can be read.
    public static func availableBytes() -> Int? {
        if let text = ProcessInfo.processInfo.environment[overrideVariable], let bytes = Int(text), bytes >= 0 {
            return bytes
        }
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kibibytes = Int(fields[1]) { return kibibytes * 1024 }
        }
        return nil
    }

    /// Where `availableBytes()` takes its figure from, for messages.
    public static var source: String {
        ProcessInfo.processInfo.environment[overrideVariable].flatMap(Int.init).map { $0 >= 0 } == true
            ? overrideVariable : "MemAvailable in /proc/meminfo"
    }

    /// Throws unless `bytes` fit in `available` (by default `availableBytes()`; nothing is
    /// checked where it is unknown).
    ///
    /// - Throws: `VarianceKitError.insufficientMemory(required: bytes, available:, purpose:)`.
    public static func require(_ bytes: Int, for purpose: String, available: Int? = availableBytes()) throws {
        guard let available, bytes > available else { return }
        throw VarianceKitError.insufficientMemory(required: bytes, available: available, purpose: purpose)
    }
}
