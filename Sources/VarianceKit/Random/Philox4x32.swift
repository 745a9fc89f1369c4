/// Philox4x32-10, the counter-based random-number generator of Salmon, Moraes, Dror and Shaw,
/// "Parallel Random Numbers: As Easy as 1, 2, 3" (SC11, 2011).
///
/// The generator is a keyed bijection of a 128-bit counter: ten rounds of
/// `(c0, c1, c2, c3) -> (hi(M1*c2) ^ c1 ^ k0, lo(M1*c2), hi(M0*c0) ^ c3 ^ k1, lo(M0*c0))`
/// with `M0 = 0xD2511F53`, `M1 = 0xCD9E8D57`, the key bumped by the Weyl constants
/// `(0x9E3779B9, 0xBB67AE85)` between rounds. It passes BigCrush, and any block can be computed
/// without computing the ones before it, which is what makes the bulk fills parallel and
/// bit-identical whatever the thread count.
///
/// VarianceKit's layout of the 128-bit counter: words 0-1 hold a 64-bit block index, words 2-3 the
/// 64-bit `stream`; the 64-bit `seed` is the key. Every `(seed, stream)` pair is therefore an
/// independent sequence of 2^64 blocks of four 32-bit words. The top bit of the block index is
/// reserved for auxiliary draws (e.g. the positions of the zeros of a sparse initializer).
///
/// As a `RandomNumberGenerator`, `next()` returns the blocks' words in order, two per call
/// (`word0 | word1 << 32`, then `word2 | word3 << 32`).
public struct Philox4x32: RandomNumberGenerator, Sendable {
    /// The key (the seed).
    public let seed: UInt64
    /// The stream number (counter words 2 and 3).
    public let stream: UInt64
    /// The index of the next block `next()` will compute.
    public private(set) var blockIndex: UInt64 = 0
    private var buffered: (UInt64, UInt64) = (0, 0)
    private var bufferedCount = 0

    /// A generator keyed by `seed`, on stream `stream`, positioned at block 0.
    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        if bufferedCount == 0 {
            let block = Philox4x32.block(counter: Philox4x32.counter(block: blockIndex, stream: stream),
                                         key: Philox4x32.key(seed: seed))
            blockIndex &+= 1
            buffered = (UInt64(block.0) | UInt64(block.1) << 32, UInt64(block.2) | UInt64(block.3) << 32)
            bufferedCount = 2
            return buffered.0
        }
        bufferedCount = 0
        return buffered.1
    }

    /// Moves the generator to the start of block `index` (four 32-bit words per block).
    public mutating func seek(toBlock index: UInt64) {
        blockIndex = index
        bufferedCount = 0
    }

    // MARK: - The bijection

    static let multiplier0: UInt32 = 0xD251_1F53
    static let multiplier1: UInt32 = 0xCD9E_8D57
    static let weyl0: UInt32 = 0x9E37_79B9
    static let weyl1: UInt32 = 0xBB67_AE85

    /// The key words of a 64-bit seed: `(low 32 bits, high 32 bits)`.
    @inlinable
    static func key(seed: UInt64) -> (UInt32, UInt32) {
        (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
    }

    /// The counter words of a block index and a stream.
    @inlinable
    static func counter(block: UInt64, stream: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32),
         UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
    }

    /// Philox4x32-10 of one counter under one key (the scalar reference the SIMD path must match).
    static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32))
        -> (UInt32, UInt32, UInt32, UInt32)
    {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 {
                k0 &+= weyl0
                k1 &+= weyl1
            }
            let product0 = UInt64(multiplier0) &* UInt64(c0)
            let product1 = UInt64(multiplier1) &* UInt64(c2)
            let next0 = UInt32(truncatingIfNeeded: product1 >> 32) ^ c1 ^ k0
            let next1 = UInt32(truncatingIfNeeded: product1)
            let next2 = UInt32(truncatingIfNeeded: product0 >> 32) ^ c3 ^ k1
            let next3 = UInt32(truncatingIfNeeded: product0)
            (c0, c1, c2, c3) = (next0, next1, next2, next3)
        }
        return (c0, c1, c2, c3)
    }
}
