import Foundation

/// The memory one propagation run needs, estimated before anything is allocated, and what the
/// machine has available (`MemAvailable` in /proc/meminfo).
enum MemoryEstimate {
    /// Bytes for one network of `depth` Dense `width x width` layers and a batch of `batch`, in Float:
    /// per layer the weight and its gradient (`2 width^2`), the pre-activations, activations,
    /// back-propagated gradient and one workspace (`4 batch width`), plus the input batch and the
    /// readout matrix (`2 batch width`); the histograms and statistics are negligible. Runs are
    /// sequential, so this is the peak for a whole comparison.
    static func propagationBytes(depth: Int, width: Int, batch: Int) -> Int {
        let perLayer = 2 * width * width + 4 * batch * width
        let elements = depth.multipliedReportingOverflow(by: perLayer)
        guard !elements.overflow else { return Int.max }
        return (elements.partialValue + 2 * batch * width).multipliedReportingOverflow(by: 4).partialValue
    }

    /// `MemAvailable` from /proc/meminfo in bytes, or `nil` where the file is missing.
    static func availableBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kibibytes = Int(fields[1]) { return kibibytes * 1024 }
        }
        return nil
    }

    static func gibibytes(_ bytes: Int) -> String {
        String(format: "%.2f GiB", Double(bytes) / 1_073_741_824)
    }

    /// Throws a `CommandFailure` (exit status 64) when `bytes` exceed the available memory.
    static func check(_ bytes: Int, depth: Int, width: Int, batch: Int) throws {
        guard let available = availableBytes() else { return }
        if bytes > available {
            throw CommandFailure.usage(
                "a network of depth \(depth), width \(width) with batch \(batch) needs about \(gibibytes(bytes)) "
                + "(weights and gradients 2 x depth x width^2, activations 4 x depth x batch x width, in Float) "
                + "but only \(gibibytes(available)) is available (MemAvailable in /proc/meminfo); "
                + "reduce --depth, --width or --batch")
        }
    }
}
