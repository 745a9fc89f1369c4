/// The normal truncated to `[lower, upper]` standard deviations by rejection from a fixed number
/// of counter slots per element, with inversion where every slot is rejected: the truncated fill
/// for bounds that hold most of the normal's mass (`applies(lower:upper:)`).
///
/// Layout: group `g` of the fill (elements `32g ..< 32g + 32`) owns the Philox groups
/// `(K + 1) g + s`, `s = 0 ... K` with `K = slotCount`. The candidate of slot `s < K` for element
/// `32g + i` is the standard normal `z` that the normal fill (`NormalTransform` with mean 0 and
/// standard deviation 1, as `x r` of `NormalTransform.polar`) puts at position `i` of Philox
/// group `(K + 1) g + s`. The element is `mean + sd z` for the first candidate with
/// `lower <= z <= upper`; if none is, it is the inversion `TruncatedNormalTransform.value(w)` of
/// word `w` of slot `K` at position `i` (word `i / 8` of block `8 ((K + 1) g + K) + i % 8`).
/// Results are kept inside `[mean + sd lower, mean + sd upper]` against rounding.
///
/// Why this is exactly the truncated normal: each candidate is a standard normal independent of
/// the others (Box-Muller pairs are independent, and no two candidates of an element share a
/// word), so the first accepted one is distributed as `z` given `lower <= z <= upper`; the
/// inversion uniform comes from words no candidate used, so it is independent of the event that
/// all `K` candidates were rejected, and inversion gives the truncated normal too. The mixture
/// of the two is therefore the truncated normal. The two elements that share a Box-Muller pair
/// in a slot (positions `i` and `i + 8`, `i % 16 < 8`) stay independent: each one's value is a
/// function of its own coordinate of each pair and of its own fallback word.
///
/// Each element is a fixed function of `(seed, stream)`, the bounds and its index, so fills are
/// bit-identical for any thread count. The candidates inherit Box-Muller's reach (`|z| <= 5.77`):
/// bounds beyond it lose the normal's mass there, at most `Phi(-5.77) / 0.8 = 5e-9` of the
/// truncated distribution given `applies`.
struct TruncatedNormalRejection: FillTransform {
    /// Candidate slots per element, `K`: with mass `Z = Phi(upper) - Phi(lower)` an element falls
    /// back to inversion with probability `(1 - Z)^K` (`4.3e-6` for `[-2, 2]`).
    static let slotCount = 4

    /// The least mass `Z` for which the fill rejects rather than inverts: every slot then costs a
    /// Box-Muller pair, and at `Z = 0.8` the elements take `1/Z = 1.25` candidates on average.
    static let minimumMass = 0.8

    let lower: Float
    let upper: Float
    let mean: Float
    let standardDeviation: Float
    let lowerValue: Float
    let upperValue: Float
    /// The fallback: inversion of one word.
    let inversion: TruncatedNormalTransform

    static let fillEntry: ParallelJobEntry = { FillJob<TruncatedNormalRejection>.fillShare($0, $1, $2) }

    /// Whether the truncated fill of `[lower, upper]` samples by rejection: its mass
    /// `Phi(upper) - Phi(lower)` is at least `minimumMass`.
    static func applies(lower: Float, upper: Float) -> Bool {
        StandardNormal.probability(between: Double(lower), and: Double(upper)) >= minimumMass
    }

    init(mean: Float, standardDeviation: Float, lower: Float, upper: Float) {
        self.lower = lower
        self.upper = upper
        self.mean = mean
        self.standardDeviation = standardDeviation
        inversion = TruncatedNormalTransform(mean: mean, standardDeviation: standardDeviation, lower: lower, upper: upper)
        lowerValue = inversion.lowerValue
        upperValue = inversion.upperValue
    }

    /// The Philox group of slot `slot` of fill group `group`: `(K + 1) group + slot`.
    @inline(__always)
    static func slotGroup(_ group: Int, slot: Int) -> Int {
        group &* (slotCount + 1) &+ slot
    }

    /// `z sd + mean`, kept in `[lowerValue, upperValue]` (the forms of `maxps`, then `minps`).
    @inline(__always)
    func scaled(_ z: Float) -> Float {
        let value = z * standardDeviation + mean
        let aboveLower = value > lowerValue ? value : lowerValue
        return aboveLower < upperValue ? aboveLower : upperValue
    }

    /// The standard candidate at `position` (`0 ..< 32`) of Philox group `philoxGroup`.
    @inline(__always)
    static func candidate(philoxGroup: Int, position: Int, lanes: PhiloxLanes) -> Float {
        let block = lanes.blockWords(group: philoxGroup, lane: position & 7)
        let word = position >> 3
        let polar = word < 2 ? NormalTransform.polar(block.0, block.1) : NormalTransform.polar(block.2, block.3)
        return (word & 1 == 0 ? polar.x : polar.y) * polar.radius
    }

    /// Element `position` of group `group`: the first candidate of slots `0 ..< K` inside the
    /// bounds, else the fallback.
    func element(group: Int, position: Int, lanes: PhiloxLanes) -> Float {
        for slot in 0..<Self.slotCount {
            let z = Self.candidate(philoxGroup: Self.slotGroup(group, slot: slot), position: position, lanes: lanes)
            if z >= lower && z <= upper { return scaled(z) }
        }
        return fallback(group: group, position: position, lanes: lanes)
    }

    /// The inversion of the word at `position` of slot `K` of group `group`.
    func fallback(group: Int, position: Int, lanes: PhiloxLanes) -> Float {
        let block = lanes.blockWords(group: Self.slotGroup(group, slot: Self.slotCount), lane: position & 7)
        let word: UInt32 = switch position >> 3 {
        case 0: block.0
        case 1: block.1
        case 2: block.2
        default: block.3
        }
        return inversion.value(word)
    }

    func storeScalar(group: Int, lanes: PhiloxLanes, to output: UnsafeMutablePointer<Float>) {
        for position in 0..<32 {
            output[position] = element(group: group, position: position, lanes: lanes)
        }
    }

    /// On AVX2 and AVX-512 the whole fill runs in C (`AVX2Kernels.philoxTruncatedNormal`,
    /// `AVX512Kernels.philoxTruncatedNormal`), chunk by chunk, the rare fallbacks patched here
    /// (`fillChunks`); on SSE2 group by group in eight-lane SIMD code (`storeSIMD`). An AVX-512
    /// fill large enough to stream (`StreamingStore`) draws each chunk into a staging buffer that
    /// stays in the L1 cache, where the retries and fallbacks patch it, and streams the chunk out
    /// whole: patching the output after non-temporal stores would read almost every line back
    /// from memory, since about one element in twenty is retried.
    func fillSIMD(_ base: UnsafeMutablePointer<Float>, groups: Range<Int>, lanes: PhiloxLanes, path: FillPath) {
        switch path {
        case .sse2:
            for group in groups { storeSIMD(group: group, lanes: lanes, to: base + group &* 32) }
        case .avx2:
            fillChunks(base, groups: groups, lanes: lanes, path: .avx2, streaming: false)
        case .avx512:
            fillChunks(base, groups: groups, lanes: lanes, path: .avx512,
                       streaming: Self.streamsAVX512(base + groups.lowerBound &* 32, count: groups.count &* 32))
        }
    }

    /// The fill of `groups` by the C kernel of `path` (`.avx2` or `.avx512`), chunk by chunk;
    /// with `streaming` (AVX-512 only; then `base + 32 g` is 64-byte aligned) through the staging
    /// buffer and non-temporal stores, fenced at the end.
    func fillChunks(_ base: UnsafeMutablePointer<Float>, groups: Range<Int>, lanes: PhiloxLanes, path: FillPath, streaming: Bool) {
        precondition(path != .sse2 && (!streaming || path == .avx512), "fillChunks runs the AVX2 or AVX-512 kernel; only AVX-512 streams")
        let chunkElements = RandomFill.groupsPerChunk * 32
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: chunkElements + 16) { buffer in
            withUnsafeTemporaryAllocation(byteCount: streaming ? chunkElements * 4 : 0, alignment: 64) { stagingBytes in
                let fallbacks = buffer.baseAddress!
                let staging = stagingBytes.baseAddress?.bindMemory(to: Float.self, capacity: chunkElements)
                var start = groups.lowerBound
                while start < groups.upperBound {
                    let end = min(start + RandomFill.groupsPerChunk, groups.upperBound)
                    let output = base + start &* 32
                    let target = streaming ? staging! : output
                    let count = path == .avx512
                        ? AVX512Kernels.philoxTruncatedNormal(lanes, groups: start..<end, truncation: self,
                                                              to: target, fallback: fallbacks)
                        : AVX2Kernels.philoxTruncatedNormal(lanes, groups: start..<end, truncation: self,
                                                            to: target, fallback: fallbacks)
                    for index in 0..<count {
                        let offset = Int(fallbacks[index])
                        target[offset] = fallback(group: start &+ offset >> 5, position: offset & 31, lanes: lanes)
                    }
                    if streaming { AVX512Kernels.streamCopy(from: target, to: output, count: (end - start) &* 32) }
                    start = end
                }
            }
        }
        if streaming { StreamingStore.fence() }
    }

    /// One group in eight-lane SIMD code: the candidates of all 32 elements from slot 0, then,
    /// while some are outside the bounds, those of the next slot in their place; the elements
    /// rejected in every slot by `fallback` one by one.
    @inline(__always)
    func storeSIMD(group: Int, lanes: PhiloxLanes, to output: UnsafeMutablePointer<Float>) {
        var z = candidates(philoxGroup: Self.slotGroup(group, slot: 0), lanes: lanes)
        var pending = (outside(z.0), outside(z.1), outside(z.2), outside(z.3))
        var slot = 1
        while slot < Self.slotCount && VectorMath.any(pending.0 | pending.1 | pending.2 | pending.3) {
            let next = candidates(philoxGroup: Self.slotGroup(group, slot: slot), lanes: lanes)
            let nextOutside = (outside(next.0), outside(next.1), outside(next.2), outside(next.3))
            z = (VectorMath.select(pending.0, next.0, z.0), VectorMath.select(pending.1, next.1, z.1),
                 VectorMath.select(pending.2, next.2, z.2), VectorMath.select(pending.3, next.3, z.3))
            pending = (pending.0 & nextOutside.0, pending.1 & nextOutside.1, pending.2 & nextOutside.2, pending.3 & nextOutside.3)
            slot += 1
        }
        ActivationMath.store(scaled(z.0), output)
        ActivationMath.store(scaled(z.1), output + 8)
        ActivationMath.store(scaled(z.2), output + 16)
        ActivationMath.store(scaled(z.3), output + 24)
        if VectorMath.any(pending.0 | pending.1 | pending.2 | pending.3) {
            patchFallbacks(pending, group: group, lanes: lanes, to: output)
        }
    }

    /// The standard candidates of the 32 positions of Philox group `philoxGroup`, eight at a time.
    @inline(__always)
    func candidates(philoxGroup: Int, lanes: PhiloxLanes) -> (VectorMath.Lanes, VectorMath.Lanes, VectorMath.Lanes, VectorMath.Lanes) {
        let words = lanes.words(group: philoxGroup)
        let first = NormalTransform.polars(words.0, words.1)
        let second = NormalTransform.polars(words.2, words.3)
        return (first.x * first.radius, first.y * first.radius, second.x * second.radius, second.y * second.radius)
    }

    /// All ones where `z < lower` or `z > upper`.
    @inline(__always)
    func outside(_ z: VectorMath.Lanes) -> VectorMath.Words {
        VectorMath.lessThan(z, VectorMath.Lanes(repeating: lower)) | VectorMath.lessThan(VectorMath.Lanes(repeating: upper), z)
    }

    /// `scaled(_:)` lane by lane.
    @inline(__always)
    func scaled(_ z: VectorMath.Lanes) -> VectorMath.Lanes {
        let value = z * standardDeviation + mean
        let aboveLower = VectorMath.maximum(value, VectorMath.Lanes(repeating: lowerValue))
        return VectorMath.minimum(aboveLower, VectorMath.Lanes(repeating: upperValue))
    }

    /// The fallbacks of the lanes set in `pending` (kept out of line so that the vector code
    /// stays vector code).
    @inline(never)
    func patchFallbacks(_ pending: (VectorMath.Words, VectorMath.Words, VectorMath.Words, VectorMath.Words),
                        group: Int, lanes: PhiloxLanes, to output: UnsafeMutablePointer<Float>) {
        for lane in 0..<8 {
            if pending.0[lane] != 0 { output[lane] = fallback(group: group, position: lane, lanes: lanes) }
            if pending.1[lane] != 0 { output[8 + lane] = fallback(group: group, position: 8 + lane, lanes: lanes) }
            if pending.2[lane] != 0 { output[16 + lane] = fallback(group: group, position: 16 + lane, lanes: lanes) }
            if pending.3[lane] != 0 { output[24 + lane] = fallback(group: group, position: 24 + lane, lanes: lanes) }
        }
    }
}
