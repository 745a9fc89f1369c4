import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A sweep's results file (JSON Lines): a header line naming the schema, the grid and the
/// shard, then one `SweepRecord` per finished configuration, each written with one `write(2)`
/// as its configuration finishes, so that a sweep that is killed keeps every line it finished.
///
/// ```
/// {"grid":{...},"schema":"initbench.sweep.v1","shard":"2/4"}
/// {"index":7,"key":"train/activation=tanh;...","result":{"training":{...}},"seconds":0.41,"settings":{...}}
/// ```
///
/// Reading (`read(_:)`) accepts a last line without its newline as cut off mid-write: it is
/// reported (`truncatedTail`) and never used; `SweepResultsWriter` removes it and redoes its
/// configuration. Any other line that is not a record of the header's grid is an error naming
/// the file and the line.
public struct SweepResultsFile: Sendable {
    /// The schema name of the header line.
    public static let schema = "initbench.sweep.v1"

    /// The grid the file's configurations come from.
    public var grid: SweepGrid
    /// The shard that wrote it (nil: the whole grid).
    public var shard: SweepShard?
    /// The finished configurations, in the order written.
    public var records: [SweepRecord]
    /// Whether the file ended in a line cut off mid-write (ignored).
    public var truncatedTail: Bool
    /// The byte length of the complete lines (where a cut-off tail starts).
    public var completeLength: Int

    /// The header line's fields.
    struct Header: Codable {
        var schema: String
        var grid: JSONValue
        var shard: String?
    }

    /// The header line for `grid` and `shard`, with its newline.
    static func headerLine(grid: SweepGrid, shard: SweepShard?) throws -> Data {
        var line = try SweepRecord.makeEncoder().encode(Header(schema: schema, grid: grid.jsonValue, shard: shard?.description))
        line.append(0x0A)
        return line
    }

    /// Reads the results file at `path`.
    ///
    /// - Throws: `VarianceKitError.fileAccess` when it cannot be read; `.malformedFile` naming the
    ///   line for a header that is not a sweep's, a line that is not a record, or a record
    ///   whose key is not one of the grid's configurations.
    public static func read(_ path: String) throws -> SweepResultsFile {
        let bytes = try FileContents.read(path)
        return try parse(bytes, path: path)
    }

    /// Parses the bytes of a results file (`path` names it in messages).
    static func parse(_ bytes: [UInt8], path: String) throws -> SweepResultsFile {
        let (grid, shard, records, truncatedTail, completeLength) = try parseLines(bytes, path: path, as: SweepRecord.self)
        return SweepResultsFile(grid: grid, shard: shard, records: records, truncatedTail: truncatedTail, completeLength: completeLength)
    }

    /// What identifies a line of a results file: its configuration's key and grid position.
    protocol Line: Decodable {
        var key: String { get }
        var index: Int { get }
    }

    /// A record's key and index only: what a resume needs, decoded without the results.
    struct RecordKey: Line {
        var key: String
        var index: Int

        init(key: String, index: Int) {
            self.key = key
            self.index = index
        }

        /// The key and index read from the start of a line as `SweepResultsWriter` writes it
        /// (sorted keys: `{"index":N,"key":"...",` first), ending in `}`; nil for any other line,
        /// which is then decoded whole. The rest of the line is not parsed: a resume needs only
        /// the key, and `merge` decodes every line whole.
        init?(prefixOf bytes: [UInt8], from start: Int, to end: Int) {
            let indexTag = Array(#"{"index":"#.utf8), keyTag = Array(#","key":""#.utf8)
            guard end - start > indexTag.count + keyTag.count + 2, bytes[end - 1] == UInt8(ascii: "}"),
                  bytes[start ..< start + indexTag.count].elementsEqual(indexTag) else { return nil }
            var position = start + indexTag.count
            var index = 0
            let digitsStart = position
            while position < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]), position - digitsStart < 18 {
                index = index * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                position += 1
            }
            guard position > digitsStart, position + keyTag.count <= end,
                  bytes[position ..< position + keyTag.count].elementsEqual(keyTag) else { return nil }
            position += keyTag.count
            let keyStart = position
            while position < end, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") { position += 1 }
            guard position < end, bytes[position] == UInt8(ascii: "\""), position + 1 < end, bytes[position + 1] == UInt8(ascii: ",") else { return nil }
            self.init(key: String(decoding: bytes[keyStart ..< position], as: UTF8.self), index: index)
        }
    }

    /// The grid, shard and finished keys of the results file at `path`, checked line by line as
    /// `read(_:)` checks them, without decoding the results.
    static func finishedKeys(_ path: String) throws -> (grid: SweepGrid, shard: SweepShard?, keys: Set<String>, truncatedTail: Bool, completeLength: Int) {
        let (grid, shard, records, truncatedTail, completeLength) = try parseLines(try FileContents.read(path), path: path, as: RecordKey.self)
        return (grid, shard, Set(records.map(\.key)), truncatedTail, completeLength)
    }

    private static func parseLines<Record: Line>(_ bytes: [UInt8], path: String, as _: Record.Type) throws
        -> (SweepGrid, SweepShard?, [Record], Bool, Int) {
        var lines: [(start: Int, end: Int)] = []
        var start = 0
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                if buffer[offset] == 0x0A {
                    lines.append((start, offset))
                    start = offset + 1
                }
                offset += 1
            }
        }
        let truncatedTail = start < bytes.count
        guard let first = lines.first else {
            throw VarianceKitError.malformedFile(path: path, location: "line 1", found: truncatedTail ? "a header cut off mid-write" : "an empty file",
                                                 expected: "a header line of schema \(schema)")
        }
        let decoder = SweepRecord.makeDecoder()
        try JSONNesting.check(bytes[first.start..<first.end], path: path, location: "line 1", expected: "a header line of schema \(schema)")
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: Data(bytes[first.start..<first.end]))
        } catch {
            throw VarianceKitError.malformedFile(path: path, location: "line 1", found: "a line that is not a sweep header",
                                                 expected: "a header line of schema \(schema) (is this a sweep's results file?)")
        }
        guard header.schema == schema else {
            throw VarianceKitError.malformedFile(path: path, location: "line 1", found: "schema \"\(header.schema)\"", expected: "schema \(schema)")
        }
        let grid = try SweepGrid(value: header.grid, source: "\(path), line 1", validatingConfigurations: false)
        let shard = try header.shard.map { try SweepShard(parsing: $0) }
        var records: [Record] = []
        for (number, line) in lines.enumerated().dropFirst() {
            let record: Record
            do {
                if Record.self == RecordKey.self, let identity = RecordKey(prefixOf: bytes, from: line.start, to: line.end) as? Record {
                    record = identity
                } else {
                    guard JSONNesting.depth(of: bytes[line.start..<line.end]) <= JSONNesting.maximumDepth else { throw CocoaError(.coderReadCorrupt) }
                    record = try decoder.decode(Record.self, from: Data(bytes[line.start..<line.end]))
                }
            } catch {
                throw VarianceKitError.malformedFile(path: path, location: "line \(number + 1)", found: "a line that is not a sweep record",
                                                     expected: "one JSON record per line (key, index, settings, result, seconds)")
            }
            let (key, index) = (record.key, record.index)
            guard index >= 0, index < grid.count, grid.configuration(at: index).key == key else {
                throw VarianceKitError.malformedFile(path: path, location: "line \(number + 1)", found: "key \"\(key)\" at index \(index)",
                                                     expected: "the key of one of the header grid's \(grid.count) configurations, at its index")
            }
            records.append(record)
        }
        return (grid, shard, records, truncatedTail, lines.last.map { $0.end + 1 } ?? 0)
    }
}

/// Appends records to a sweep's results file, one `write(2)` per line, holding an exclusive
/// `flock` on it so that two sweeps never write one file.
///
/// Opening a file that exists and is not empty needs `resume`: its header must name the same
/// grid and shard, its records are the configurations already finished, and a last line cut
/// off mid-write is cut away so its configuration runs again. The path is checked as
/// `AtomicWrite` checks outputs (symbolic links followed; a directory, device, FIFO or socket,
/// a missing directory, the kernel's file systems refused).
public final class SweepResultsWriter: @unchecked Sendable {
    /// The path as given.
    public let path: String
    /// The keys of the configurations already finished when the file was opened.
    public let finished: Set<String>
    /// Whether a last line cut off mid-write was removed.
    public let removedTruncatedLine: Bool
    /// The open file; `append` writes to it with the lock held, one line at a time.
    private let descriptor: Locked<Int32>
    private let encoder = SweepRecord.makeEncoder()

    /// How long `lockExclusively` waits for a lock that is briefly held.
    static let lockPatience: Duration = .seconds(1)

    /// Takes the exclusive `flock` on `descriptor`, retrying every 5 ms for up to `lockPatience`.
    /// A lock lives as long as any descriptor of the open file: a process being started from this
    /// one (by any thread) holds a copy of every descriptor from `fork` until its `exec` closes
    /// the close-on-exec ones, so a lock just released may stay held for that moment. Another
    /// sweep holds its lock for as long as it runs, and is still refused.
    static func lockExclusively(_ descriptor: Int32) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: lockPatience)
        while true {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
            guard errno == EWOULDBLOCK || errno == EINTR, clock.now < deadline else { return false }
            usleep(5_000)
        }
    }

    /// Opens (creating it with its header, or resuming) the results file at `path`.
    ///
    /// - Throws: `VarianceKitError.fileAccess` for a path that cannot be written, a file another
    ///   sweep holds, or an existing results file without `resume`; `.malformedFile` for a file
    ///   that is not a results file of this grid and shard.
    public init(path: String, grid: SweepGrid, shard: SweepShard?, resume: Bool) throws {
        let target: String
        do {
            guard !path.isEmpty, !path.hasSuffix("/"), path != "-" else { throw OutputPathError.notAFileName(path: path) }
            target = try OutputPath.followingLinks(path)
            var status = stat()
            if lstat(target, &status) == 0 {
                let kind = FileKind(mode: status.st_mode)
                guard kind == .regularFile else { throw OutputPathError.wrongKind(path: path, kind: kind, expected: "a results file or a new file name") }
            } else if errno != ENOENT {
                throw OutputPathError.system(path: path, operation: "lstat", errno: errno)
            }
            try OutputPath.checkDirectory(OutputPath.directory(of: target), for: path)
        } catch let error as OutputPathError {
            throw error.fileAccessError
        }
        let descriptor = open(target, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, AtomicWrite.newFileMode())
        guard descriptor >= 0 else {
            throw VarianceKitError.fileAccess(path: path, operation: "open", reason: OutputPath.reason(errno))
        }
        var opened = false
        defer { if !opened { close(descriptor) } }
        guard Self.lockExclusively(descriptor) else {
            throw VarianceKitError.fileAccess(path: path, operation: "lock",
                                              reason: "another sweep is writing to it; expected a results file no other sweep has open")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw VarianceKitError.fileAccess(path: path, operation: "fstat", reason: OutputPath.reason(errno))
        }
        var finished: Set<String> = []
        var removed = false
        if status.st_size == 0 {
            try Self.write(try SweepResultsFile.headerLine(grid: grid, shard: shard), to: descriptor, path: path)
        } else {
            guard resume else {
                throw VarianceKitError.fileAccess(
                    path: path, operation: "open",
                    reason: "it already holds a sweep's results; expected --resume to continue it, or a new file name")
            }
            let file = try SweepResultsFile.finishedKeys(target)
            guard file.grid.identity == grid.identity else {
                throw VarianceKitError.malformedFile(path: path, location: "line 1", found: "the results of another grid",
                                                     expected: "the results of this grid (its \(grid.count) configurations); name another output to start a new sweep")
            }
            guard file.shard == shard else {
                throw VarianceKitError.malformedFile(path: path, location: "line 1", found: "results of shard \(file.shard?.description ?? "all")",
                                                     expected: "results of shard \(shard?.description ?? "all") (the --shard of this run)")
            }
            if file.truncatedTail {
                guard ftruncate(descriptor, off_t(file.completeLength)) == 0 else {
                    throw VarianceKitError.fileAccess(path: path, operation: "ftruncate", reason: OutputPath.reason(errno))
                }
                removed = true
            }
            finished = file.keys
        }
        self.path = path
        self.descriptor = Locked(descriptor)
        self.finished = finished
        self.removedTruncatedLine = removed
        opened = true
    }

    deinit { descriptor.withLock { _ = close($0) } }

    /// Appends `record` as one line with one `write(2)` (repeated only if the kernel writes part
    /// of it). Safe to call from several threads.
    ///
    /// - Throws: `VarianceKitError.fileAccess` when writing fails (a full disk); what was written
    ///   of the line is cut away, so the file still ends in a complete line.
    public func append(_ record: SweepRecord) throws {
        var line = try encoder.encode(record)
        line.append(0x0A)
        try descriptor.withLock { descriptor in try Self.write(line, to: descriptor, path: path) }
    }

    private static func write(_ data: Data, to descriptor: Int32, path: String) throws {
        var status = stat()
        let before = fstat(descriptor, &status) == 0 ? status.st_size : -1
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure != 0 {
            if before >= 0 { _ = ftruncate(descriptor, before) }
            throw VarianceKitError.fileAccess(path: path, operation: "write", reason: OutputPath.reason(failure))
        }
    }
}
