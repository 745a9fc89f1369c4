import Foundation
internal import ZIPFoundation

/// Reading and writing NumPy `.npz` archives: a ZIP file of `.npy` entries (see `NumpyFile`), one
/// per named array, as `numpy.savez` and `numpy.savez_compressed` write them. The array named
/// `weights` is the entry `weights.npy`.
///
/// Read: entries stored or deflated, each a `.npy` file; its CRC-32 is checked. Written: entries
/// stored (uncompressed), in the order of the sorted names, the archive built in memory and
/// written atomically (`AtomicWrite`).
public enum NumpyArchive {
    /// The arrays in the `.npz` archive at `url`, by name (the entry name less `.npy`).
    ///
    /// - Throws: `VarianceKitError.fileAccess` for a file that cannot be read;
    ///   `.malformedFile` naming the file (and the entry) for a file that is not a ZIP archive, an
    ///   entry that is not a `.npy` file, a corrupt entry (a bad CRC-32 or deflate stream), or an
    ///   entry that `NumpyFile` rejects (with the byte offset in the entry);
    ///   `.insufficientMemory` for an entry larger than the memory available.
    public static func read(from url: URL) throws -> [String: NumpyArray] {
        try readEntries(from: url, acceptingOthers: false).arrays
    }

    /// The arrays of the `.npz` archive at `url`, and its other entries (those not named
    /// `NAME.npy`, such as a JSON description) as raw bytes, by entry name.
    ///
    /// - Throws: as `read(from:)`, but entries that are not `.npy` files are returned, not refused.
    public static func readWithEntries(from url: URL) throws -> (arrays: [String: NumpyArray], entries: [String: Data]) {
        try readEntries(from: url, acceptingOthers: true)
    }

    private static func readEntries(from url: URL, acceptingOthers: Bool) throws -> (arrays: [String: NumpyArray], entries: [String: Data]) {
        let path = url.path
        // The archive is read from the file, not from memory: ZIPFoundation's in-memory reader
        // traps on offsets past the end of a damaged archive, its file reader does not.
        let magic = try FileContents.prefix(path, count: 4)
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw VarianceKitError.malformedFile(
                path: path, location: "byte 0", found: magic.starts(with: [0x50, 0x4B]) ? "a damaged ZIP archive (\(error))" : "no ZIP archive (its first bytes are \(NumpyFile.hex(magic)))",
                expected: "a ZIP archive of .npy entries, as numpy.savez writes (starting 50 4B 03 04, ending with a central directory)")
        }
        var arrays = [String: NumpyArray]()
        var others = [String: Data]()
        for entry in archive {
            let name = entry.path
            let isArray = entry.type == .file && name.hasSuffix(".npy") && name.count > 4
            guard isArray || (acceptingOthers && entry.type == .file) else {
                throw VarianceKitError.malformedFile(
                    path: path, location: "entry \(name)", found: entry.type == .file ? "an entry not named NAME.npy" : "a directory or link entry",
                    expected: "only .npy file entries")
            }
            let key = isArray ? String(name.dropLast(4)) : name
            guard arrays[key] == nil, others[key] == nil else {
                throw VarianceKitError.malformedFile(path: path, location: "entry \(name)", found: "a second entry \(name)", expected: "one entry per array name")
            }
            guard entry.uncompressedSize <= UInt64(Int.max) else {
                throw VarianceKitError.malformedFile(
                    path: path, location: "entry \(name)", found: "an uncompressed size of \(entry.uncompressedSize) bytes", expected: "an entry that fits in memory")
            }
            let size = Int(entry.uncompressedSize)
            try MemoryBudget.require(size, for: "entry \(name) of \(path)")
            var contents = [UInt8]()
            contents.reserveCapacity(size)
            do {
                let checksum = try archive.extract(entry) { chunk in
                    guard contents.count + chunk.count <= size else {
                        throw VarianceKitError.malformedFile(
                            path: path, location: "entry \(name)", found: "more than the \(size) bytes its header announces", expected: "exactly \(size) bytes")
                    }
                    contents.append(contentsOf: chunk)
                }
                guard checksum == entry.checksum else {
                    throw VarianceKitError.malformedFile(
                        path: path, location: "entry \(name)", found: "data whose CRC-32 is \(NumpyFile.hex32(checksum)) where the archive records \(NumpyFile.hex32(entry.checksum))",
                        expected: "an entry whose CRC-32 matches: the archive is corrupt")
                }
            } catch let error as VarianceKitError {
                throw error
            } catch {
                throw VarianceKitError.malformedFile(
                    path: path, location: "entry \(name)", found: "a corrupt entry (\(error))", expected: "stored or deflated data with a matching CRC-32")
            }
            guard contents.count == size else {
                throw VarianceKitError.malformedFile(
                    path: path, location: "entry \(name)", found: "\(contents.count) bytes", expected: "the \(size) bytes its header announces")
            }
            if isArray {
                arrays[key] = try NumpyFile.decode(contents, path: path, entry: name)
            } else {
                others[key] = Data(contents)
            }
        }
        return (arrays, others)
    }

    /// Writes `arrays` to `url` as an `.npz` archive (entry `NAME.npy` for the array `NAME`),
    /// atomically (see `AtomicWrite`).
    ///
    /// - Throws: `VarianceKitError.invalidParameter` for an empty name or one holding `/` or a
    ///   NUL; `.fileAccess` when the path is refused or writing fails.
    /// `extraEntries` are stored as they are under their own names after the arrays (NumPy's
    /// `load` returns such an entry as `bytes`); a name ending in `.npy` is refused there.
    public static func write(_ arrays: [String: NumpyArray], to url: URL, extraEntries: [String: Data] = [:]) throws {
        for name in arrays.keys.sorted() where name.isEmpty || name.contains("/") || name.contains("\0") {
            throw VarianceKitError.invalidParameter(name: "array name", value: "'\(name)'", expected: "a non-empty name without '/' or NUL")
        }
        for name in extraEntries.keys.sorted() where name.isEmpty || name.contains("/") || name.contains("\0") || name.hasSuffix(".npy")
            || arrays[name] != nil {
            throw VarianceKitError.invalidParameter(name: "entry name", value: "'\(name)'",
                                                    expected: "a non-empty name without '/' or NUL, not ending in .npy, and not an array's name")
        }
        try AtomicWrite.check(url)
        let archive: Archive
        do {
            archive = try Archive(accessMode: .create)
            for name in arrays.keys.sorted() {
                let data = NumpyFile.encode(arrays[name]!)
                try archive.addEntry(with: name + ".npy", type: .file, uncompressedSize: Int64(data.count),
                                     modificationDate: Date(timeIntervalSince1970: 315_532_800), compressionMethod: .none) { position, size in
                    data.subdata(in: Int(position) ..< Int(position) + size)
                }
            }
            for name in extraEntries.keys.sorted() {
                let data = extraEntries[name]!
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                                     modificationDate: Date(timeIntervalSince1970: 315_532_800), compressionMethod: .none) { position, size in
                    data.subdata(in: Int(position) ..< Int(position) + size)
                }
            }
        } catch {
            throw VarianceKitError.fileAccess(path: url.path, operation: "build the ZIP archive", reason: "\(error)")
        }
        guard let data = archive.data else {
            throw VarianceKitError.fileAccess(path: url.path, operation: "build the ZIP archive", reason: "the in-memory archive has no data")
        }
        try AtomicWrite.write(data, to: url)
    }
}
