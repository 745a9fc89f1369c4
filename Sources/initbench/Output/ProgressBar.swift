import Foundation

/// A one-line progress bar on standard error, drawn only when standard error is a terminal, the
/// user did not pass `--quiet`, and the work has already taken more than a second.
final class ProgressBar {
    private let enabled: Bool
    private let start = Date()
    private var drawn = false

    init(quiet: Bool) {
        self.enabled = !quiet && isatty(2) == 1
    }

    /// Shows `completed` of `total` with a label (what is running now).
    func update(_ completed: Int, of total: Int, _ label: String) {
        guard enabled, Date().timeIntervalSince(start) > 1 else { return }
        let total = max(total, 1)
        let width = 30
        let filled = min(width, completed * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        StandardError.write("\r\u{1B}[2K[\(bar)] \(completed)/\(total) \(label)")
        drawn = true
    }

    /// Clears the line.
    func finish() {
        guard drawn else { return }
        StandardError.write("\r\u{1B}[2K")
        drawn = false
    }
}
