import Testing
@testable import VarianceKit

@Suite struct MatrixTests {
    @Test func rowMajorLayoutAndElementAccess() throws {
        var m = try Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
        #expect(m[0, 2] == 3)
        #expect(m[1, 0] == 4)
        m[1, 2] = 60
        #expect(m.elements == [1, 2, 3, 4, 5, 60])
        #expect(m.row(1) == [4, 5, 60])
        #expect(m.count == 6)
        #expect(m.shape == (rows: 2, columns: 3))
    }

    @Test func storageIs64ByteAligned() throws {
        for (rows, columns) in [(1, 1), (3, 5), (17, 33), (0, 4)] {
            let m = try Matrix(rows: rows, columns: columns)
            m.withUnsafeBufferPointer { buffer in
                #expect(Int(bitPattern: buffer.baseAddress) % 64 == 0)
                #expect(buffer.count == rows * columns)
            }
        }
    }

    @Test func valueSemanticsCopyOnWrite() throws {
        let a = try Matrix(rows: 2, columns: 2, elements: [1, 2, 3, 4])
        var b = a
        b[0, 0] = 100
        #expect(a[0, 0] == 1)
        #expect(b[0, 0] == 100)
        var c = a
        c.withUnsafeMutableBufferPointer { $0[3] = -1 }
        #expect(a[1, 1] == 4)
        #expect(c[1, 1] == -1)
    }

    @Test func zeroSizedShapes() throws {
        for (rows, columns) in [(0, 0), (0, 7), (7, 0)] {
            let m = try Matrix(rows: rows, columns: columns)
            #expect(m.count == 0)
            #expect(m.elements.isEmpty)
            #expect(try m.transposed().shape == (rows: columns, columns: rows))
        }
        #expect(try Matrix([]).shape == (rows: 0, columns: 0))
    }

    /// `makeUniqueStorage()` copies a shared buffer (so later writes leave the other matrix
    /// alone and allocate nothing) and does nothing to a buffer already unique.
    @Test func makeUniqueStorageUnsharesBeforeWriting() throws {
        let original = try Matrix([[1, 2], [3, 4]])
        var copy = original
        #expect(copy.withUnsafeBufferPointer { $0.baseAddress } == original.withUnsafeBufferPointer { $0.baseAddress })
        try copy.makeUniqueStorage()
        let unshared = copy.withUnsafeBufferPointer { $0.baseAddress }
        #expect(unshared != original.withUnsafeBufferPointer { $0.baseAddress })
        #expect(copy.elements == original.elements)
        try copy.makeUniqueStorage()
        #expect(copy.withUnsafeBufferPointer { $0.baseAddress } == unshared, "a unique buffer is kept")
        copy[0, 0] = 9
        #expect(copy.withUnsafeBufferPointer { $0.baseAddress } == unshared, "the write needed no copy")
        #expect(original[0, 0] == 1)
    }

    @Test func transposeAndNestedInit() throws {
        let m = try Matrix([[1, 2, 3], [4, 5, 6]])
        let t = try m.transposed()
        #expect(t.shape == (rows: 3, columns: 2))
        #expect(t.elements == [1, 4, 2, 5, 3, 6])
        #expect(try Matrix.identity(3).elements == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test func codableRoundTrip() throws {
        let m = try Matrix(rows: 2, columns: 2, elements: [1.5, -2, 0, 3])
        let data = try JSONEncoder().encode(m)
        #expect(try JSONDecoder().decode(Matrix.self, from: data) == m)
    }

    @Test func negativeDimensionsAreRejected() {
        #expect(throws: VarianceKitError.invalidParameter(name: "rows", value: "-1", expected: "an integer >= 0")) {
            try Matrix(rows: -1, columns: 3)
        }
        #expect(throws: VarianceKitError.invalidParameter(name: "columns", value: "-2", expected: "an integer >= 0")) {
            try Matrix(rows: 3, columns: -2, elements: [])
        }
        #expect(throws: VarianceKitError.self) { try Matrix(rows: Int.max, columns: 2) }
    }

    @Test func elementCountMustMatchShape() {
        do {
            _ = try Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5])
            Issue.record("expected a shape mismatch")
        } catch let error as VarianceKitError {
            guard case let .shapeMismatch(mismatch) = error else { Issue.record("wrong case \(error)"); return }
            #expect(mismatch.operand == "elements" && mismatch.actual == [5] && mismatch.expected == [6])
        } catch { Issue.record("unexpected \(error)") }
        #expect(throws: VarianceKitError.self) { try Matrix([[1, 2], [3]]) }
    }

    @Test func outOfBoundsAccessTraps() async {
        await #expect(processExitsWith: .failure) {
            let m = try! Matrix(rows: 2, columns: 2)
            _ = m[2, 0]
        }
    }

    /// `==` compares bit patterns: `0 != -0`, a NaN equals a NaN with the same bits.
    @Test func equalityIsBitwise() throws {
        let zero = try Matrix(rows: 1, columns: 2, elements: [0, 1])
        let negativeZero = try Matrix(rows: 1, columns: 2, elements: [-0.0, 1])
        #expect(zero != negativeZero)
        #expect(zero == (try Matrix(rows: 1, columns: 2, elements: [0, 1])))
        let nan = try Matrix(rows: 2, columns: 1, elements: [.nan, 2])
        #expect(nan == nan)
        var copy = nan
        #expect(copy == nan)
        copy[1, 0] = 2                                     // a separate buffer, the same bits
        #expect(copy == nan)
        #expect(nan == (try Matrix(rows: 2, columns: 1, elements: [.nan, 2])))
        let otherNaN = try Matrix(rows: 2, columns: 1, elements: [Float(nan: 1, signaling: false), 2])
        #expect(nan != otherNaN)
        #expect(try Matrix(rows: 2, columns: 3) != (try Matrix(rows: 3, columns: 2)))
        #expect(try Matrix(rows: 0, columns: 3) == (try Matrix(rows: 0, columns: 3)))
    }
}

import Foundation
