import Foundation
import Testing
@testable import VarianceKit

/// `IDXFile`: files written byte by byte in the tests, plain and gzip-compressed, and each kind
/// of broken file.
@Suite struct IDXFileTests {
    /// A 2 x 3 x 2 unsigned-byte array whose element `(i, j, k)` is `i * 100 + j * 10 + k`, in C order.
    static let pixels: [UInt8] = [0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]
    static let plain = idxBytes(type: 0x08, dimensions: [2, 3, 2], payload: pixels)

    @Test func readsUnsignedBytes() throws {
        let scratch = try ScratchDirectory()
        let array = try IDXFile.read(from: scratch.write("images-idx3-ubyte", Self.plain))
        #expect(array.shape == [2, 3, 2])
        #expect(array.elementType == .unsignedByte)
        var expected = [UInt8]()
        for i in 0..<2 { for j in 0..<3 { for k in 0..<2 { expected.append(UInt8(i * 100 + j * 10 + k)) } } }
        #expect(array.elements == .unsignedBytes(expected))
    }

    @Test(arguments: [
        (UInt8(0x09), [UInt8(0xff), 0x80, 0x7f], [-1.0, -128, 127]),
        (UInt8(0x0B), [UInt8(0xff), 0xfe, 0x01, 0x00], [-2.0, 256]),
        (UInt8(0x0C), [UInt8(0x00), 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff], [65536.0, -1]),
        (UInt8(0x0D), [UInt8(0x3f), 0xc0, 0x00, 0x00, 0xc1, 0x20, 0x00, 0x00], [1.5, -10]),
        (UInt8(0x0E), [UInt8(0x40), 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18], [3.141592653589793]),
    ])
    func readsEveryElementTypeBigEndian(type: UInt8, payload: [UInt8], expected: [Double]) throws {
        let scratch = try ScratchDirectory()
        let array = try IDXFile.read(from: scratch.write("a.idx", idxBytes(type: type, dimensions: [UInt32(expected.count)], payload: payload)))
        #expect(array.elementType.rawValue == type)
        #expect(array.shape == [expected.count])
        #expect(array.doubleElements == expected)
    }

    @Test func gzipIsFoundByItsMagicNotItsName() throws {
        let scratch = try ScratchDirectory()
        // Hand-made stored blocks, zlib's own deflate, and two members one after another.
        let handMade = HandMadeGzip.member(Self.plain, blockSize: 7)
        let zlib = Gzip.compress(Self.plain)
        let twoMembers = HandMadeGzip.member(Array(Self.plain[..<9])) + HandMadeGzip.member(Array(Self.plain[9...]))
        let plainArray = try IDXFile.read(from: scratch.write("plain.gz", Self.plain))
        for (name, bytes) in [("hand-made", handMade), ("zlib", zlib), ("two-members", twoMembers)] {
            #expect(try IDXFile.read(from: scratch.write(name, bytes)) == plainArray, "\(name)")
        }
    }

    @Test(.enabled(if: Python.hasPython, "needs python3 (its gzip module writes the file)"))
    func readsPythonsGzip() throws {
        let scratch = try ScratchDirectory()
        let plain = try scratch.write("images", Self.plain)
        let compressed = scratch.file("images.gz")
        let result = try Python.run("import gzip, sys; open(sys.argv[2], 'wb').write(gzip.compress(open(sys.argv[1], 'rb').read()))",
                                    [plain.path, compressed.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(try IDXFile.read(from: compressed) == IDXFile.read(from: plain))
    }

    @Test func missingOrUnreadableFilesNameThePath() throws {
        let scratch = try ScratchDirectory()
        let missing = scratch.file("missing")
        let report = fileError(access: true) { _ = try IDXFile.read(from: missing) }
        #expect(report?.path == missing.path)
        #expect(report?.description.contains("no such file or directory (ENOENT)") == true)
        let directory = fileError(access: true) { _ = try IDXFile.read(from: scratch.url) }
        #expect(directory?.description.contains("a directory; expected a regular file") == true)
    }

    /// Each broken file, the location its error must name, and words its message must hold.
    static let broken: [(String, [UInt8], String, String)] = [
        ("empty", [], "byte 0", "truncated"),
        ("header cut in the magic", [0, 0], "byte 2", "truncated"),
        ("header cut in the dimensions", Array(plain[..<9]), "byte 9", "truncated"),
        ("data cut", Array(plain.dropLast(5)), "byte \(plain.count - 5)", "truncated"),
        ("bytes after the data", plain + [1, 2], "byte \(plain.count)", "2 more bytes"),
        ("wrong magic", [0x12, 0x34] + plain.dropFirst(2), "byte 0", "12 34 08 03"),
        ("unknown element type", [0, 0, 0x07, 3] + plain.dropFirst(4), "byte 2", "0x07"),
        ("no dimensions", [0, 0, 0x08, 0], "byte 3", "at least 1 dimension"),
        ("dimensions that overflow", idxBytes(type: 0x08, dimensions: [65536, 65536, 65536, 65536], payload: []), "byte 16", "64-bit"),
    ]

    @Test(arguments: 0..<broken.count)
    func brokenFilesAreRefusedNamingFileAndOffset(index: Int) throws {
        let (name, bytes, location, words) = Self.broken[index]
        let scratch = try ScratchDirectory()
        let url = try scratch.write("broken", bytes)
        let report = try #require(fileError { _ = try IDXFile.read(from: url) }, "\(name)")
        expectRefusal(report, names: url, at: location, saying: words, case: name)
        #expect(report.description.hasPrefix(url.path + ": " + location), "\(name)")
    }

    @Test func brokenGzipFilesAreRefused() throws {
        let scratch = try ScratchDirectory()
        let good = HandMadeGzip.member(Self.plain)
        // A stored block's length and its complement disagree; the CRC is wrong; the trailer is cut.
        var badLength = good
        badLength[13] ^= 0xff
        var badChecksum = good
        badChecksum[good.count - 6] ^= 0x01
        let cases: [(String, [UInt8], String)] = [
            ("bad block length", badLength, "corrupt gzip stream"),
            ("bad CRC", badChecksum, "corrupt gzip stream"),
            ("cut trailer", Array(good.dropLast(4)), "truncated"),
            ("cut deflate data", Array(good.prefix(20)), "truncated"),
            ("garbage after the member", good + [0x00, 0x01], "after the end of the gzip data"),
        ]
        for (name, bytes, words) in cases {
            let url = try scratch.write(name, bytes)
            let report = try #require(fileError { _ = try IDXFile.read(from: url) }, "\(name)")
            #expect(report.path == url.path)
            #expect(report.location.hasPrefix("byte "), "\(name): \(report.description)")
            #expect(report.description.contains(words), "\(name): \(report.description)")
        }
        // Decompressed data shorter than its header announces: the offset is in the decompressed data.
        let short = try scratch.write("short.gz", HandMadeGzip.member(Array(Self.plain.dropLast(3))))
        let report = try #require(fileError { _ = try IDXFile.read(from: short) })
        #expect(report.location == "byte \(Self.plain.count - 3) of the decompressed data")
    }

    @Test func sizesBeyondMemoryAreRefusedBeforeAllocating() throws {
        let scratch = try ScratchDirectory()
        // 65535^3 bytes (281 TB) announced by a tiny gzip file: refused before any allocation.
        let url = try scratch.write("huge.gz", HandMadeGzip.member(idxBytes(type: 0x08, dimensions: [65535, 65535, 65535], payload: [1, 2, 3])))
        #expect {
            _ = try IDXFile.read(from: url)
        } throws: { error in
            guard case let .insufficientMemory(required, _, purpose) = error as? VarianceKitError else { return false }
            return required == 65535 * 65535 * 65535 && purpose.contains(url.path)
        }
    }

    @Test func truncationsAndByteFlipsNeverTrap() throws {
        let scratch = try ScratchDirectory()
        let sources = [Self.plain, HandMadeGzip.member(Self.plain), Gzip.compress(Self.plain)]
        for (index, source) in sources.enumerated() {
            for (number, bytes) in mutations(of: source, seed: UInt64(index + 1)).enumerated() {
                let url = try scratch.write("fuzz-\(index)-\(number)", bytes)
                do {
                    let array = try IDXFile.read(from: url)
                    #expect(array.doubleElements.count == array.shape.reduce(1, *))
                } catch let error as VarianceKitError {
                    #expect(error.description.contains(url.path) || { if case .insufficientMemory = error { return true } else { return false } }())
                }
            }
        }
    }
}
