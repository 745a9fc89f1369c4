import Testing
@testable import VarianceKit

@Suite struct PhiloxTests {
    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors):
    /// counter (4 words), key (2 words), expected output (4 words).
    static let knownAnswers: [((UInt32, UInt32, UInt32, UInt32), (UInt32, UInt32), (UInt32, UInt32, UInt32, UInt32))] = [
        ((0, 0, 0, 0), (0, 0), (0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8)),
        ((0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF), (0xFFFF_FFFF, 0xFFFF_FFFF),
         (0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD)),
        ((0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), (0xA409_3822, 0x299F_31D0),
         (0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1)),
    ]

    @Test(arguments: 0..<3)
    func knownAnswerVectors(index: Int) {
        let (counter, key, expected) = PhiloxTests.knownAnswers[index]
        let output = Philox4x32.block(counter: counter, key: key)
        #expect(output == expected)
    }

    @Test func generatorMapsSeedAndStreamOntoKeyAndCounter() {
        // The third vector's key is seed 0x299F31D0_A4093822; its counter is block
        // 0x85A308D3_243F6A88 of stream 0x03707344_13198A2E.
        var generator = Philox4x32(seed: 0x299F_31D0_A409_3822, stream: 0x0370_7344_1319_8A2E)
        generator.seek(toBlock: 0x85A3_08D3_243F_6A88)
        #expect(generator.next() == 0x94FD_CCEB_D16C_FE09)
        #expect(generator.next() == 0x2412_6EA1_5001_E420)
        #expect(generator.blockIndex == 0x85A3_08D3_243F_6A89)
        var zero = Philox4x32(seed: 0)
        #expect(zero.next() == 0xE169_C58D_6627_E8D5)
        #expect(zero.next() == 0x9B00_DBD8_BC57_AC4C)
    }

    @Test func simdLanesMatchScalarBlocks() {
        let seeds: [UInt64] = [0, 42, 0xFFFF_FFFF_FFFF_FFFF, 0x1234_5678_9ABC_DEF0]
        let streams: [UInt64] = [0, 7, 0xFFFF_FFFF_FFFF_FFFF]
        let groups = [0, 1, 12345, (1 << 29) - 1, Int.max / 8]
        for seed in seeds {
            for stream in streams {
                let lanes = PhiloxLanes(seed: seed, stream: stream)
                for group in groups {
                    let words = lanes.words(group: group)
                    for lane in 0..<8 {
                        let block = UInt64(group) &* 8 &+ UInt64(lane)
                        let scalar = Philox4x32.block(counter: Philox4x32.counter(block: block, stream: stream),
                                                      key: Philox4x32.key(seed: seed))
                        #expect(words.0[lane] == scalar.0 && words.1[lane] == scalar.1
                                && words.2[lane] == scalar.2 && words.3[lane] == scalar.3)
                    }
                }
            }
        }
    }

    @Test func streamsAndSeedsGiveDifferentSequences() {
        var a = Philox4x32(seed: 1, stream: 0)
        var b = Philox4x32(seed: 1, stream: 1)
        var c = Philox4x32(seed: 2, stream: 0)
        var again = Philox4x32(seed: 1, stream: 0)
        var equalAB = 0, equalAC = 0
        for _ in 0..<64 {
            let x = a.next()
            if x == b.next() { equalAB += 1 }
            if x == c.next() { equalAC += 1 }
            #expect(x == again.next())
        }
        #expect(equalAB == 0 && equalAC == 0)
    }

    @Test func bitsAreBalanced() {
        // 4096 draws x 64 bits: each bit position is set with probability 1/2 (5 standard errors).
        var generator = Philox4x32(seed: 2024, stream: 3)
        var ones = [Int](repeating: 0, count: 64)
        let draws = 4096
        for _ in 0..<draws {
            let x = generator.next()
            for bit in 0..<64 where (x >> UInt64(bit)) & 1 == 1 { ones[bit] += 1 }
        }
        let standardError = (Double(draws) * 0.25).squareRoot()
        for count in ones { #expect(abs(Double(count) - Double(draws) / 2) < 5 * standardError) }
    }

    @Test func boundedDrawsAreUniform() {
        var generator = Philox4x32(seed: 9)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 { counts[Int(generator.nextBounded(7))] += 1 }
        // Chi-square with 6 degrees of freedom; 22.5 is the 0.999 quantile.
        let chiSquare = counts.reduce(0.0) { $0 + pow2(Double($1) - 1000) / 1000 }
        #expect(chiSquare < 22.5)
    }
}

private func pow2(_ x: Double) -> Double { x * x }
