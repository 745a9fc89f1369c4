import Foundation

/// A value that several threads share, read and changed only with its lock held:
/// `withLock` runs its body on the value, borrowed mutably, and no other thread's body runs on it
/// meanwhile.
///
/// The lock is a pthread mutex (Foundation's `NSLock`), the kind ThreadSanitizer intercepts, so
/// a sanitized run sees the order the lock imposes. VarianceKit uses this type, not the standard
/// library's `Synchronization.Mutex`, for every value that threads share: on Linux, `Mutex` takes
/// and releases a contended lock inside the kernel (priority-inheritance futexes), where
/// ThreadSanitizer cannot see it, and it then reports races on the very data the mutex protects.
package final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` on the value with the lock held, and returns what it returns.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
