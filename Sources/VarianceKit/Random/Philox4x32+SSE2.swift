#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Philox4x32-10 for eight blocks on SSE2, the x86-64 baseline: the same words as
/// `PhiloxLanes.words(group:)`, computed with one `pmuludq` per pair of 32 x 32 -> 64-bit products.
///
/// Each 128-bit register holds one counter word of two blocks, one per 64-bit lane, with the
/// word in the lane's low half. `pmuludq` multiplies exactly those low halves, so a product
/// `(hi, lo)` lands in the lane as `hi << 32 | lo` with no shuffling: the next round's
/// `hi ^ c ^ k` is a 64-bit shift and two XORs, and `lo` is the product itself. The high halves
/// of the lanes then carry garbage, which is harmless: it is only ever XORed (lane by lane, so
/// it never reaches a low half) and `pmuludq` ignores it. Per round and two blocks that is two
/// multiplies, two shifts and four XORs, against the shuffles that a 32-bit-lane layout needs to
/// move operands into the even lanes and products back out.
extension PhiloxLanes {
    typealias Pair = SIMD2<Int64>   // `__m128i`

    /// `words(group:)`: the words of blocks `8 group ..< 8 group + 8`, four blocks at a time
    /// (eight state registers, which leaves SSE's sixteen enough room for the products).
    @inline(__always)
    func wordsSSE2(group: Int) -> GroupWords {
        let firstBlock = UInt64(truncatingIfNeeded: group) &* 8 &+ blockOffset
        // 8 consecutive blocks starting at a multiple of 8 never carry into the high word.
        let low = Int64(UInt32(truncatingIfNeeded: firstBlock))
        let high = Int64(UInt32(truncatingIfNeeded: firstBlock >> 32))
        let first = fourBlocksSSE2(low: low, high: high)
        let second = fourBlocksSSE2(low: low &+ 4, high: high)
        return (SIMD8(lowHalf: first.0, highHalf: second.0), SIMD8(lowHalf: first.1, highHalf: second.1),
                SIMD8(lowHalf: first.2, highHalf: second.2), SIMD8(lowHalf: first.3, highHalf: second.3))
    }

    /// The words of the blocks whose counters are `(low + i, high, stream0, stream1)`, `i < 4`,
    /// word by word (`.j[i]` is word `j` of block `i`).
    @inline(__always)
    func fourBlocksSSE2(low: Int64, high: Int64) -> (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>) {
        // Blocks (0, 1) in the `a` registers, (2, 3) in the `b` registers, one word each.
        var a0 = Pair(low, low &+ 1), b0 = Pair(low &+ 2, low &+ 3)
        var a1 = Pair(repeating: high), b1 = a1
        var a2 = Pair(repeating: Int64(stream0)), b2 = a2
        var a3 = Pair(repeating: Int64(stream1)), b3 = a3
        let keys = roundKeysSSE2
        @inline(__always)
        func round(_ key0: Pair, _ key1: Pair) {
            PhiloxLanes.roundSSE2(&a0, &a1, &a2, &a3, key0, key1)
            PhiloxLanes.roundSSE2(&b0, &b1, &b2, &b3, key0, key1)
        }
        round(keys.first.0, keys.second.0); round(keys.first.1, keys.second.1)
        round(keys.first.2, keys.second.2); round(keys.first.3, keys.second.3)
        round(keys.first.4, keys.second.4); round(keys.first.5, keys.second.5)
        round(keys.first.6, keys.second.6); round(keys.first.7, keys.second.7)
        round(keys.first.8, keys.second.8); round(keys.first.9, keys.second.9)
        return (PhiloxLanes.lowWords(a0, b0), PhiloxLanes.lowWords(a1, b1),
                PhiloxLanes.lowWords(a2, b2), PhiloxLanes.lowWords(a3, b3))
    }

    /// One round on two blocks: `(c0, c1, c2, c3) <- (hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0 c0))`,
    /// where only the low half of each 64-bit lane is meaningful.
    @inline(__always)
    static func roundSSE2(_ c0: inout Pair, _ c1: inout Pair, _ c2: inout Pair, _ c3: inout Pair, _ k0: Pair, _ k1: Pair) {
        let product0 = _mm_mul_epu32(c0, Pair(repeating: Int64(Philox4x32.multiplier0)))
        let product1 = _mm_mul_epu32(c2, Pair(repeating: Int64(Philox4x32.multiplier1)))
        c0 = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(product1, 32), c1), k0)
        c1 = product1
        c2 = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(product0, 32), c3), k1)
        c3 = product0
    }

    /// The low halves of the lanes of two registers, in order (one `shufps`): one word of four blocks.
    @inline(__always)
    static func lowWords(_ a: Pair, _ b: Pair) -> SIMD4<UInt32> {
        let a = unsafeBitCast(a, to: SIMD4<UInt32>.self), b = unsafeBitCast(b, to: SIMD4<UInt32>.self)
        return SIMD4<UInt32>(a[0], a[2], b[0], b[2])
    }
}

/// The ten round keys of Philox4x32-10, `k + r (0x9E3779B9, 0xBB67AE85)` for `r = 0 ..< 10`,
/// each broadcast to both lanes once per fill rather than once per block.
struct PhiloxRoundKeysSSE2: Sendable {
    typealias Ten = (SIMD2<Int64>, SIMD2<Int64>, SIMD2<Int64>, SIMD2<Int64>, SIMD2<Int64>,
                     SIMD2<Int64>, SIMD2<Int64>, SIMD2<Int64>, SIMD2<Int64>, SIMD2<Int64>)
    /// Key word 0 of rounds 0 ..< 10.
    let first: Ten
    /// Key word 1 of rounds 0 ..< 10.
    let second: Ten

    init(key0: UInt32, key1: UInt32) {
        func rounds(_ key: UInt32, _ weyl: UInt32) -> Ten {
            func round(_ number: UInt32) -> SIMD2<Int64> { SIMD2(repeating: Int64(key &+ number &* weyl)) }
            return (round(0), round(1), round(2), round(3), round(4), round(5), round(6), round(7), round(8), round(9))
        }
        first = rounds(key0, Philox4x32.weyl0)
        second = rounds(key1, Philox4x32.weyl1)
    }
}
#endif
