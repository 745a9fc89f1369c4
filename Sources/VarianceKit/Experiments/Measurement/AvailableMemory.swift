import Foundation

/// The memory a measurement may use, read before it allocates anything.
public enum AvailableMemory {
    /// The environment variable that, when set to a non-negative integer, replaces `MemAvailable`:
    /// a test (or a user who wants to cap a run below what the machine has) sets it to a small
    /// figure to see a measurement refused without allocating gigabytes. Any other value is ignored.
    public static let overrideVariable = "VARIANCEKIT_MEMORY_AVAILABLE_BYTES"

    /// The bytes available: `VARIANCEKIT_MEMORY_AVAILABLE_BYTES` when set to a non-negative
    /// integer, else `MemAvailable` from `/proc/meminfo` (kibibytes there, bytes here), else `nil`
    /// (no `/proc/meminfo`, as on macOS: nothing is checked then).
    public static func bytes() -> Int? {
        overrideBytes() ?? memAvailable()
    }

    /// Where `bytes()` took its figure from, for messages.
    public static var source: String {
        overrideBytes() == nil ? "MemAvailable in /proc/meminfo" : overrideVariable
    }

    /// `VARIANCEKIT_MEMORY_AVAILABLE_BYTES` when it holds a non-negative integer.
    static func overrideBytes() -> Int? {
        guard let text = ProcessInfo.processInfo.environment[overrideVariable], let bytes = Int(text), bytes >= 0 else { return nil }
        return bytes
    }

    /// `MemAvailable` from `/proc/meminfo` in bytes, or `nil` where the file or the line is missing.
    static func memAvailable() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kibibytes = Int(fields[1]) {
                let bytes = kibibytes.multipliedReportingOverflow(by: 1024)
                return bytes.overflow ? Int.max : bytes.partialValue
            }
        }
        return nil
    }
}
