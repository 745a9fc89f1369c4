internal import CKernels

/// Keeps the helper threads of a parallel loop off the processor of the thread that started it.
///
/// Why: after each sgemm, OpenBLAS's worker threads keep polling for the next job (calling
/// `sched_yield` for about 2^28 cycles) before they sleep. A helper woken in that window may be
/// placed on the starting thread's processor. Every processor then has a runnable thread, so the
/// scheduler sees nothing to balance and leaves the two threads sharing one processor, while the
/// other runs only OpenBLAS's poller. Moved off the caller's processor, the helper runs beside a
/// poller that yields to it.
enum ThreadPlacement {
    /// The processor the calling thread runs on (-1 where unknown).
    static var currentProcessor: Int32 { vk_current_cpu() }

    /// The number of processors the calling thread may run on (0 where unknown).
    static var allowedProcessorCount: Int { Int(vk_allowed_cpu_count()) }

    /// Runs `body` on the calling thread, first moved off `processor` when it runs there and may
    /// run elsewhere; its affinity is restored afterwards. Allocates nothing on the heap.
    static func awayFrom<Result>(processor: Int32, _ body: () throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(byteCount: vk_affinity_mask_size(), alignment: 16) { saved in
            let moved = vk_leave_cpu(processor, saved.baseAddress) != 0
            defer { if moved { vk_restore_affinity(saved.baseAddress) } }
            return try body()
        }
    }
}
