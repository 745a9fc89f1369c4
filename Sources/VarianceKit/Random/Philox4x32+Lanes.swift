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

    init(seed: UInt64, stream: UInt64, blockOffset: UInt64 = 0) {
        (key0, key1) = Philox4x32.key(seed: seed)
        stream0 = UInt32(truncatingIfNeeded: stream)
        stream1 = UInt32(truncatingIfNeeded: stream >> 32)
        self.blockOffset = blockOffset
    }

    /// The 32 words of group `group`: `words.j[l]` is word `j` of block `8 * group + l`.
    @inline(__always)
    func words(group: Int) -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
        let firstBlock = UInt64(truncatingIfNeeded: group) &* 8 &+ blockOffset
        // 8 consecutive blocks starting at a multiple of 8 never carry into the high word.
        var c0 = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: firstBlock))
            &+ SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        var c1 = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: firstBlock >> 32))
        var c2 = SIMD8<UInt32>(repeating: stream0)
        var c3 = SIMD8<UInt32>(repeating: stream1)
        var k0 = key0, k1 = key1
        for round in 0..<10 {
            if round > 0 {
                k0 &+= Philox4x32.weyl0
                k1 &+= Philox4x32.weyl1
            }
            let (high0, low0) = PhiloxLanes.multiplyHighLow(c0, Philox4x32.multiplier0)
            let (high1, low1) = PhiloxLanes.multiplyHighLow(c2, Philox4x32.multiplier1)
            c0 = high1 ^ c1 ^ SIMD8(repeating: k0)
            c1 = low1
            c2 = high0 ^ c3 ^ SIMD8(repeating: k1)
            c3 = low0
        }
        return (c0, c1, c2, c3)
    }

    /// The 64-bit products `a * multiplier`, split into high and low 32-bit halves.
    @inline(__always)
    static func multiplyHighLow(_ a: SIMD8<UInt32>, _ multiplier: UInt32) -> (SIMD8<UInt32>, SIMD8<UInt32>) {
        let wide = SIMD8<UInt64>(truncatingIfNeeded: a) &* SIMD8<UInt64>(repeating: UInt64(multiplier))
        return (SIMD8<UInt32>(truncatingIfNeeded: wide &>> 32), a &* SIMD8(repeating: multiplier))
    }
}
