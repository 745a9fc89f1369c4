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
    /// Integer-only SIMD code (ten unrolled rounds), which the compiler keeps in vector registers.
    @inline(__always)
    func words(group: Int) -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
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

    /// Writes the words of groups `groups`: word `j` of block `8g + l` goes to
    /// `destinations.j[stride * (g - groups.lowerBound) + l]`. With `destinations = (w, w + 8,
    /// w + 16, w + 24)` and `stride = 32` that is element order. Unoptimized builds compute the
    /// same words one block at a time (SIMD code is slow there).
    func writeWords(
        groups: Range<Int>,
        to destinations: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>,
                          UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>),
        stride: Int
    ) {
        if _isDebugAssertConfiguration() {
            writeWordsScalar(groups: groups, to: destinations, stride: stride)
        } else {
            writeWordsSIMD(groups: groups, to: destinations, stride: stride)
        }
    }

    /// `writeWords` in element order into `words`.
    func writeWords(groups: Range<Int>, inElementOrderTo words: UnsafeMutablePointer<UInt32>) {
        writeWords(groups: groups, to: (words, words + 8, words + 16, words + 24), stride: 32)
    }

    func writeWordsScalar(
        groups: Range<Int>,
        to destinations: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>,
                          UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>),
        stride: Int
    ) {
        let key = (key0, key1)
        for (offset, group) in groups.enumerated() {
            let start = offset * stride
            for lane in 0..<8 {
                let block = UInt64(truncatingIfNeeded: group) &* 8 &+ UInt64(lane) &+ blockOffset
                let word = Philox4x32.block(
                    counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), stream0, stream1),
                    key: key)
                destinations.0[start + lane] = word.0
                destinations.1[start + lane] = word.1
                destinations.2[start + lane] = word.2
                destinations.3[start + lane] = word.3
            }
        }
    }

    func writeWordsSIMD(
        groups: Range<Int>,
        to destinations: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>,
                          UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>),
        stride: Int
    ) {
        for (offset, group) in groups.enumerated() {
            let (w0, w1, w2, w3) = self.words(group: group)
            let start = offset * stride
            PhiloxLanes.store(w0, destinations.0 + start)
            PhiloxLanes.store(w1, destinations.1 + start)
            PhiloxLanes.store(w2, destinations.2 + start)
            PhiloxLanes.store(w3, destinations.3 + start)
        }
    }

    /// Eight words at `pointer`, spelled as element stores (LLVM merges them into one vector
    /// store). The generic `storeBytes(of:as:)` can stay an out-of-line call per vector when
    /// SwiftPM's release build compiles files as separate LLVM modules (`-num-threads`).
    @inline(__always)
    static func store(_ words: SIMD8<UInt32>, _ pointer: UnsafeMutablePointer<UInt32>) {
        pointer[0] = words[0]; pointer[1] = words[1]; pointer[2] = words[2]; pointer[3] = words[3]
        pointer[4] = words[4]; pointer[5] = words[5]; pointer[6] = words[6]; pointer[7] = words[7]
    }
}
