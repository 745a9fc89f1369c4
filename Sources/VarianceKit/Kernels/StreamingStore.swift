#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
internal import CKernels

/// Non-temporal stores for fills larger than the caches: `movntps` writes whole cache lines
/// to memory without first reading them, which a normal store must do, so a fill that is limited
/// by memory bandwidth moves half the bytes. Only on x86-64, for 16-byte-aligned destinations.
enum StreamingStore {
    /// Fills of at least this many elements (16 MiB) stream; smaller ones are likely to be read
    /// again soon from the cache that streaming would bypass.
    static let minimumElements = 1 << 22

    /// Whether a fill of `count` elements at `base` should stream.
    static func pays(for base: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        #if arch(x86_64)
        return count >= minimumElements && Int(bitPattern: base) & 15 == 0
        #else
        return false
        #endif
    }

    /// Eight floats at the 16-byte-aligned `pointer`, non-temporally.
    @inline(__always)
    static func put(_ values: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        _mm_stream_ps(pointer, values.lowHalf)
        _mm_stream_ps(pointer + 4, values.highHalf)
        #else
        ActivationMath.store(values, pointer)
        #endif
    }

    /// Orders the streamed stores before whatever follows (`sfence`).
    static func fence() {
        vk_store_fence()   // `_mm_sfence` is a compiler builtin that Swift cannot call directly
    }
}
