/// Eight Philox4x32-10 blocks at once, one per SIMD lane: the engine of the bulk fills.
///
/// Element layout of a fill (fixed, so the result never depends on how the work is split):
/// elements are grouped 32 at a time; group `g` (elements `32g ..< 32g + 32`) is made of the
/// blocks `8g ..< 8g + 8`, and word `j` of block `8g + l` becomes element `32g + 8j + l`.
/// Threads take whole groups, so any split of the groups yields the same bits.
@usableFromInline
struct PhiloxLanes: Sendable {
    let key0: UInt32
    let key1: UInt32
    let stream0: UInt32
    let stream1: UInt32
    /// Added to every block index (the reserved auxiliary half of the counter space, or 0).
    let blockOffset: UInt64

    #if arch(x86_64)
    /// The round keys, broadcast for the SSE2 kernel.
    let roundKeysSSE2: PhiloxRoundKeysSSE2
    #endif

    init(seed: UInt64, stream: UInt64, blockOffset: UInt64 = 0) {
        (key0, key1) = Philox4x32.key(seed: seed)
        stream0 = UInt32(truncatingIfNeeded: stream)
        stream1 = UInt32(truncatingIfNeeded: stream >> 32)
        self.blockOffset = blockOffset
        #if arch(x86_64)
        roundKeysSSE2 = PhiloxRoundKeysSSE2(key0: key0, key1: key1)
        #endif
    }

    /// The 32 words of group `group`: `words.j[l]` is word `j` of block `8 * group + l`.
    /// On x86-64 the SSE2 kernel of `Philox4x32+SSE2.swift` computes them; elsewhere the
    /// portable SIMD8 code of `wordsGeneric(group:)`.
    @inline(__always)
    func words(group: Int) -> GroupWords {
        #if arch(x86_64)
        return wordsSSE2(group: group)
        #else
        return wordsGeneric(group: group)
        #endif
    }

    /// `words(group:)` in portable SIMD8 code: ten unrolled rounds, 32 x 32 -> 64-bit products as
    /// `SIMD8<UInt64>`, all in vector registers.
    @inline(__always)
    func wordsGeneric(group: Int) -> GroupWords {
        let firstBlock = UInt64(truncatingIfNeeded: group) &* 8 &+ blockOffset
        // 8 consecutive blocks starting at a multiple of 8 never carry into the high word.
        var c0 = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: firstBlock))
            &+ SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        var c1 = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: firstBlock >> 32))
        var c2 = SIMD8<UInt32>(repeating: stream0)
        var c3 = SIMD8<UInt32>(repeating: stream1)
        let w0 = Philox4x32.weyl0, w1 = Philox4x32.weyl1
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0, key1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ w0, key1 &+ w1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ 2 &* w0, key1 &+ 2 &* w1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ 3 &* w0, key1 &+ 3 &* w1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ 4 &* w0, key1 &+ 4 &* w1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ 5 &* w0, key1 &+ 5 &* w1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ 6 &* w0, key1 &+ 6 &* w1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ 7 &* w0, key1 &+ 7 &* w1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ 8 &* w0, key1 &+ 8 &* w1)
        PhiloxLanes.round(&c0, &c1, &c2, &c3, key0 &+ 9 &* w0, key1 &+ 9 &* w1)
        return (c0, c1, c2, c3)
    }

    /// One Philox round on eight counters: 32 x 32 -> 64-bit products split into halves.
    @inline(__always)
    static func round(
        _ c0: inout SIMD8<UInt32>, _ c1: inout SIMD8<UInt32>, _ c2: inout SIMD8<UInt32>, _ c3: inout SIMD8<UInt32>,
        _ k0: UInt32, _ k1: UInt32
    ) {
        let product0 = SIMD8<UInt64>(truncatingIfNeeded: c0) &* SIMD8<UInt64>(repeating: UInt64(Philox4x32.multiplier0))
        let product1 = SIMD8<UInt64>(truncatingIfNeeded: c2) &* SIMD8<UInt64>(repeating: UInt64(Philox4x32.multiplier1))
        c0 = SIMD8<UInt32>(truncatingIfNeeded: product1 &>> 32) ^ c1 ^ SIMD8(repeating: k0)
        c1 = SIMD8<UInt32>(truncatingIfNeeded: product1)
        c2 = SIMD8<UInt32>(truncatingIfNeeded: product0 &>> 32) ^ c3 ^ SIMD8(repeating: k1)
        c3 = SIMD8<UInt32>(truncatingIfNeeded: product0)
    }

    /// The four words of block `8 group + lane`, one block at a time (the scalar reference that
    /// the SIMD paths must match, and what unoptimized builds use: SIMD code is slow there).
    @inline(__always)
    func blockWords(group: Int, lane: Int) -> (UInt32, UInt32, UInt32, UInt32) {
        let block = UInt64(truncatingIfNeeded: group) &* 8 &+ UInt64(truncatingIfNeeded: lane) &+ blockOffset
        return Philox4x32.block(
            counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), stream0, stream1),
            key: (key0, key1))
    }
}

/// The words of the eight blocks of a group, word by word: `.j[l]` is word `j` of block `8g + l`.
typealias GroupWords = (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>)
