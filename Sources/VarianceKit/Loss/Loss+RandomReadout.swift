extension Loss {
    /// TEMPORARY until the initializers land: R ~ N(0,1) by Box-Muller on SplitMix64.
    static func drawReadout(seed: UInt64, rows: Int, columns: Int) throws -> Matrix {
        var state = seed
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (Double((z ^ (z >> 31)) >> 11) + 0.5) / Double(1 << 53)
        }
        var result = Matrix(validatedRows: rows, columns: columns)
        result.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<buffer.count {
                buffer[i] = Float((-2 * Foundation.log(next())).squareRoot() * Foundation.cos(2 * Double.pi * next()))
            }
        }
        return result
    }
}
import Foundation
