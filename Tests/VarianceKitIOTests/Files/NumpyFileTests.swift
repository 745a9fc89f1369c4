import Foundation
import Testing
@testable import VarianceKit

/// `.npy` bytes built in the test: magic, version, little-endian header length, header, data.
func npyBytes(version: UInt8 = 1, header: String, data: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let length = header.utf8.count
    bytes += version == 1 ? [UInt8(length & 0xff), UInt8(length >> 8)]
        : [UInt8(length & 0xff), UInt8((length >> 8) & 0xff), UInt8((length >> 16) & 0xff), UInt8(length >> 24)]
    return bytes + Array(header.utf8) + data
}

/// Little-endian bytes of floats and of 64-bit integers, written out by shifting.
func littleEndian(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt32($0))) } }
}
func littleEndian(_ values: [Int64]) -> [UInt8] {
    values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> (8 * UInt64($0))) } }
}

/// A ZIP archive of stored entries built in the test (APPNOTE 4.3: local headers, central
/// directory, end record), CRC-32 by `HandMadeGzip.crc32`.
func handMadeZip(_ entries: [(String, [UInt8])]) -> [UInt8] {
    func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xff), UInt8((value >> 8) & 0xff)] }
    func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) } }
    var archive = [UInt8](), directory = [UInt8]()
    for (name, data) in entries {
        let offset = UInt32(archive.count), crc = HandMadeGzip.crc32(data), size = UInt32(data.count), nameBytes = Array(name.utf8)
        archive += le32(0x0403_4b50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) + le32(size) + le32(size)
            + le16(nameBytes.count) + le16(0) + nameBytes + data
        directory += le32(0x0201_4b50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) + le32(size) + le32(size)
            + le16(nameBytes.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + nameBytes
    }
    let directoryOffset = UInt32(archive.count)
    return archive + directory + le32(0x0605_4b50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
        + le32(UInt32(directory.count)) + le32(directoryOffset) + le16(0)
}

@Suite struct NumpyFileTests {
    static let floats: [Float] = [0, 1.5, -2.25, 1e-20, 3.4e38, -0.0]
    static let integers: [Int64] = [0, -1, .max, .min, 42, 1 << 40]

    @Test func readsHandMadeFiles() throws {
        let scratch = try ScratchDirectory()
        // Version 1.0 with single quotes; version 2.0 with double quotes, other key order, no trailing comma.
        let v1 = try scratch.write("v1.npy", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   \n", data: littleEndian(Self.floats)))
        let v2 = try scratch.write("v2.npy", npyBytes(version: 2, header: "{\"shape\": (6,), \"fortran_order\": False, \"descr\": \"<i8\"}\n", data: littleEndian(Self.integers)))
        let scalar = try scratch.write("scalar.npy", npyBytes(header: "{'descr':'<f4','fortran_order':False,'shape':()}\n", data: littleEndian([Float(7)])))
        let first = try NumpyFile.read(from: v1)
        #expect(first.shape == [2, 3])
        #expect(first.elements == .float32(Self.floats))
        let second = try NumpyFile.read(from: v2)
        #expect(second.shape == [6])
        #expect(second.elements == .int64(Self.integers))
        #expect(try NumpyFile.read(from: scalar) == NumpyArray(shape: [], elements: .float32([7])))
    }

    @Test func writesNumpysLayout() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.file("out.npy")
        try NumpyFile.write(NumpyArray(shape: [3, 2], elements: .float32(Self.floats)), to: url)
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(Array(bytes[0..<8]) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: bytes[10 ..< 10 + headerLength], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"))
        #expect(header.hasSuffix(" \n"))
        #expect(Array(bytes[(10 + headerLength)...]) == littleEndian(Self.floats))
        #expect(scratch.temporaries == [])
    }

    @Test(arguments: [[], [0], [5], [2, 3], [2, 0, 4], [1, 2, 3]])
    func roundTrips(shape: [Int]) throws {
        let scratch = try ScratchDirectory()
        let count = shape.reduce(1, *)
        let floats = try NumpyArray(shape: shape, elements: .float32((0..<count).map { Float($0) * 0.25 - 1 }))
        let integers = try NumpyArray(shape: shape, elements: .int64((0..<count).map { Int64($0) * -3_000_000_007 }))
        for array in [floats, integers] {
            let url = scratch.file("a.npy")
            try NumpyFile.write(array, to: url)
            #expect(try NumpyFile.read(from: url) == array)
        }
    }

    @Test func longHeadersAreWrittenAsVersion2() throws {
        let scratch = try ScratchDirectory()
        // 22000 dimensions of 1: a header of about 66000 bytes, more than version 1.0's length holds.
        let array = try NumpyArray(shape: Array(repeating: 1, count: 22_000), elements: .int64([5]))
        let url = scratch.file("long.npy")
        try NumpyFile.write(array, to: url)
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(bytes[6] == 2 && bytes[7] == 0)
        let headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        #expect(headerLength > 65535 && (12 + headerLength) % 64 == 0)
        #expect(try NumpyFile.read(from: url) == array)
    }

    @Test func convertsToAndFromMatrix() throws {
        let matrix = try Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
        let array = NumpyArray(matrix)
        #expect(array.shape == [2, 3])
        #expect(try array.matrix() == matrix)
        let column = try NumpyArray(shape: [3], elements: .int64([1, -2, 16_777_216])).matrix()
        #expect(column.shape == (rows: 3, columns: 1) && column.elements == [1, -2, 16_777_216])
        #expect(throws: VarianceKitError.self) { try NumpyArray(shape: [1], elements: .int64([16_777_217])).matrix() }
        #expect(throws: VarianceKitError.self) { try NumpyArray(shape: [1, 1, 1], elements: .float32([1])).matrix() }
        #expect(throws: VarianceKitError.self) { try NumpyArray(shape: [2, 2], elements: .float32([1])) }
        #expect(try NumpyArray([3, 1, 2]).integers() == [3, 1, 2])
    }

    static let goodData = littleEndian([Float(1), 2, 3, 4])
    static let goodHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n"

    /// Each broken file, the location its error must name (counted by hand: the header starts
    /// at byte 10, so `'<f4'` in `{'descr': '<f4'` is at byte 20), and words its message must hold.
    static let broken: [(String, [UInt8], String, String)] = [
        ("empty", [], "byte 0", "truncated"),
        ("wrong magic", Array("PK\u{3}\u{4}NUMPY...".utf8), "byte 0", "magic string"),
        ("cut magic", [0x93, 0x4E, 0x55], "byte 3", "truncated"),
        ("version 4.0", [0x93] + Array("NUMPY".utf8) + [4, 0, 0, 0], "byte 6", "version 1.0, 2.0 or 3.0"),
        ("cut header length", [0x93] + Array("NUMPY".utf8) + [2, 0, 16], "byte 9", "truncated"),
        ("cut header", Array(npyBytes(header: goodHeader, data: goodData).prefix(30)), "byte 30", "truncated"),
        ("not a dict", npyBytes(header: "descr: <f4\n", data: goodData), "byte 10", "'{'"),
        ("no shape", npyBytes(header: "{'descr': '<f4', 'fortran_order': False}\n", data: goodData), "byte 10", "'shape'"),
        ("unknown key", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 'y'}\n", data: goodData), "byte 66", "only the keys"),
        ("float64", npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", data: goodData), "byte 20", "'<f8'"),
        ("big-endian", npyBytes(header: "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }\n", data: goodData), "byte 20", "big-endian"),
        ("fortran order", npyBytes(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", data: goodData), "byte 44", "fortran_order': True"),
        ("bad shape", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }\n", data: goodData), "byte 64", "a dimension"),
        ("overflowing shape", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", data: goodData), "byte 60", "64-bit"),
        ("cut data", npyBytes(header: goodHeader, data: Array(goodData.dropLast(3))), "byte \(10 + goodHeader.utf8.count + 13)", "truncated"),
        ("bytes after the data", npyBytes(header: goodHeader, data: goodData + [0]), "byte \(10 + goodHeader.utf8.count + 16)", "1 more bytes"),
    ]

    @Test(arguments: 0..<broken.count)
    func brokenFilesAreRefusedNamingFileAndOffset(index: Int) throws {
        let (name, bytes, location, words) = Self.broken[index]
        let scratch = try ScratchDirectory()
        let url = try scratch.write("broken.npy", bytes)
        let report = try #require(fileError { _ = try NumpyFile.read(from: url) }, "\(name)")
        expectRefusal(report, names: url, at: location, saying: words, case: name)
    }

    @Test func missingFileNamesThePath() throws {
        let scratch = try ScratchDirectory()
        let report = fileError(access: true) { _ = try NumpyFile.read(from: scratch.file("none.npy")) }
        #expect(report?.path == scratch.file("none.npy").path && report?.location == "open")
    }

    @Test func truncationsAndByteFlipsNeverTrap() throws {
        let scratch = try ScratchDirectory()
        let source = npyBytes(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }\n", data: littleEndian([Int64(1), 2, 3]))
        for (number, bytes) in mutations(of: source, seed: 7).enumerated() {
            let url = try scratch.write("fuzz-\(number).npy", bytes)
            do {
                let array = try NumpyFile.read(from: url)
                #expect(array.count == array.shape.reduce(1, *))
            } catch let error as VarianceKitError {
                #expect(error.description.contains(url.path))
            }
        }
    }
}

@Suite struct NumpyArchiveTests {
    @Test func roundTripsNamedArrays() throws {
        let scratch = try ScratchDirectory()
        let arrays: [String: NumpyArray] = [
            "weights": try NumpyArray(shape: [2, 3], elements: .float32([1, 2, 3, 4, 5, 6])),
            "labels": NumpyArray([4, 0, 2]),
            "empty": try NumpyArray(shape: [0], elements: .float32([])),
        ]
        let url = scratch.file("model.npz")
        try NumpyArchive.write(arrays, to: url)
        #expect(try NumpyArchive.read(from: url) == arrays)
        #expect(scratch.temporaries == [])
        // A zip of .npy entries: the local header signature and the entry names.
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(Array(bytes.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
        #expect(String(decoding: bytes, as: UTF8.self).contains("weights.npy"))
    }

    @Test func readsAHandMadeZip() throws {
        let scratch = try ScratchDirectory()
        let floats = npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", data: littleEndian([Float(1), -1]))
        let url = try scratch.write("hand.npz", handMadeZip([("w.npy", floats), ("n.npy", npyBytes(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (), }\n", data: littleEndian([Int64(5)])))]))
        let arrays = try NumpyArchive.read(from: url)
        #expect(arrays == ["w": try NumpyArray(shape: [2], elements: .float32([1, -1])), "n": try NumpyArray(shape: [], elements: .int64([5]))])
    }

    @Test func brokenArchivesAreRefused() throws {
        let scratch = try ScratchDirectory()
        let entry = npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n", data: littleEndian([Float(1), 2, 3, 4]))
        let good = handMadeZip([("x.npy", entry)])
        // Not a zip at all.
        let notZip = try scratch.write("not.npz", Array("hello, world".utf8))
        let first = try #require(fileError { _ = try NumpyArchive.read(from: notZip) })
        #expect(first.path == notZip.path && first.location == "byte 0" && first.expected.contains("ZIP archive"))
        // A flipped data byte: the CRC-32 no longer matches.
        var flipped = good
        flipped[30 + 5 + entry.count - 2] ^= 0x40
        let corrupt = try scratch.write("corrupt.npz", flipped)
        let second = try #require(fileError { _ = try NumpyArchive.read(from: corrupt) })
        #expect(second.path == corrupt.path && second.location == "entry x.npy", "\(second.description)")
        // An entry that is not a .npy file, and a .npy entry NumpyFile refuses (with its offset).
        let other = try scratch.write("other.npz", handMadeZip([("notes.txt", Array("hi".utf8))]))
        let third = try #require(fileError { _ = try NumpyArchive.read(from: other) })
        #expect(third.location == "entry notes.txt" && third.expected.contains(".npy"))
        let cut = try scratch.write("cut.npz", handMadeZip([("x.npy", Array(entry.dropLast(4)))]))
        let fourth = try #require(fileError { _ = try NumpyArchive.read(from: cut) })
        #expect(fourth.path == cut.path && fourth.location == "entry x.npy, byte \(entry.count - 4)" && fourth.description.contains("truncated"))
    }

    @Test func invalidNamesAreRefused() throws {
        let scratch = try ScratchDirectory()
        #expect(throws: VarianceKitError.self) { try NumpyArchive.write(["a/b": NumpyArray([1])], to: scratch.file("x.npz")) }
        #expect(throws: VarianceKitError.self) { try NumpyArchive.write(["": NumpyArray([1])], to: scratch.file("x.npz")) }
        #expect(scratch.names.isEmpty)
    }

    @Test func truncationsAndByteFlipsNeverTrap() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.file("source.npz")
        try NumpyArchive.write(["a": NumpyArray([1, 2, 3]), "b": try NumpyArray(shape: [1, 2], elements: .float32([0.5, 2]))], to: url)
        let source = try [UInt8](Data(contentsOf: url))
        for (number, bytes) in mutations(of: source, limit: 100, flips: 100, seed: 11).enumerated() {
            let fuzzed = try scratch.write("fuzz-\(number).npz", bytes)
            do {
                _ = try NumpyArchive.read(from: fuzzed)
            } catch let error as VarianceKitError {
                #expect(error.description.contains(fuzzed.path))
            }
        }
    }
}

/// Files NumPy writes are read, and files written here are read by NumPy, value for value.
@Suite(.enabled(if: Python.hasNumpy, "needs python3 with numpy, to write and read the files on NumPy's side"))
struct NumpyInteroperabilityTests {
    @Test func readsWhatNumpyWrites() throws {
        let scratch = try ScratchDirectory()
        let script = """
        import numpy as np, sys
        d = sys.argv[1]
        f = (np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5 - 2).astype('<f4')
        i = (np.arange(5, dtype=np.int64) * -1000000007).astype('<i8')
        np.save(d + '/f.npy', f)
        np.save(d + '/i.npy', i)
        np.savez(d + '/plain.npz', features=f, labels=i)
        np.savez_compressed(d + '/compressed.npz', features=f, labels=i)
        """
        let result = try Python.run(script, [scratch.url.path])
        #expect(result.status == 0, "\(result.output)")
        let expectedFloats = try NumpyArray(shape: [3, 4], elements: .float32((0..<12).map { Float($0) * 0.5 - 2 }))
        let expectedIntegers = try NumpyArray(shape: [5], elements: .int64((0..<5).map { Int64($0) * -1_000_000_007 }))
        #expect(try NumpyFile.read(from: scratch.file("f.npy")) == expectedFloats)
        #expect(try NumpyFile.read(from: scratch.file("i.npy")) == expectedIntegers)
        for name in ["plain.npz", "compressed.npz"] {
            #expect(try NumpyArchive.read(from: scratch.file(name)) == ["features": expectedFloats, "labels": expectedIntegers], "\(name)")
        }
    }

    @Test func numpyReadsWhatIsWrittenHere() throws {
        let scratch = try ScratchDirectory()
        let floats = try NumpyArray(shape: [2, 3], elements: .float32([1.5, -2, 0, 3.25, 1e-30, -7]))
        let integers = try NumpyArray(shape: [4], elements: .int64([9_007_199_254_740_993, -1, 0, 12]))
        try NumpyFile.write(floats, to: scratch.file("f.npy"))
        try NumpyFile.write(integers, to: scratch.file("i.npy"))
        try NumpyArchive.write(["features": floats, "labels": integers], to: scratch.file("a.npz"))
        let script = """
        import numpy as np, sys
        d = sys.argv[1]
        f = np.load(d + '/f.npy')
        i = np.load(d + '/i.npy')
        assert f.dtype == np.dtype('<f4') and f.shape == (2, 3), (f.dtype, f.shape)
        assert i.dtype == np.dtype('<i8') and i.shape == (4,), (i.dtype, i.shape)
        assert (f == np.array([[1.5, -2, 0], [3.25, 1e-30, -7]], dtype=np.float32)).all(), f
        assert (i == np.array([9007199254740993, -1, 0, 12], dtype=np.int64)).all(), i
        with np.load(d + '/a.npz') as a:
            assert sorted(a.files) == ['features', 'labels'], a.files
            assert (a['features'] == f).all() and (a['labels'] == i).all()
        print('ok')
        """
        let result = try Python.run(script, [scratch.url.path])
        #expect(result.status == 0 && result.output.contains("ok"), "\(result.output)")
    }
}
