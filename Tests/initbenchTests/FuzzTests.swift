import Foundation
import Testing
@testable import initbench
import VarianceKit

// A seeded random fuzz driver for initbench, run by `make test` for a few seconds and by
// `make fuzz` for longer.
//
// - The command line: every subcommand, from a baseline with tiny sizes (`--depth 1 --width 2
//   --batch 2`, two-sample regressions, 2x2 fills), mutated: values replaced by negative, zero,
//   huge, NaN, inf, empty, unicode and very long strings; flags dropped, repeated, misspelled,
//   unknown, in `--flag=value` form or without their value; subcommands replaced (`theory` with
//   its map settings, `--gain` rules and `--bias-std` included). The executable
//   runs as a child process (killed after `FuzzSettings.caseTimeout`), and must exit 0 or 64,
//   never on a signal, never with `Fatal error` or a sanitizer report on standard error, and with
//   a failure message that starts with `Error:` (ours and ArgumentParser's usage errors alike).
// - The output round trip: valid but extreme settings (seeds 0 and UInt64.max, gains from 1e-30
//   to 1e300 that make runs diverge and the gain rules, bias deviations up to 1e6, aliases and
//   `all`, learning rates that overflow) run once
//   with `--format json` and once with `--format csv`; the JSON decodes into the library's
//   Codable records, re-encodes to the same JSON, reports the settings that were given, and
//   every CSV row (RFC 4180) holds exactly the JSON's numbers, empty where JSON has null.
// - The decoders: that JSON, mutated byte by byte and token by token, decoded in this process;
//   a decoder may throw but must not trap.
//
// Environment: VARIANCEKIT_FUZZ_SECONDS (seconds per test, default 2), VARIANCEKIT_FUZZ_SEED
// (default 20260101), VARIANCEKIT_FUZZ_CASE (replay one case of the command-line test), and
// INITBENCH_BINARY, as for the other end-to-end tests. A failure names the case's seed, index
// and exact command line. There are no file loaders or grid parser in initbench yet: when they
// come, they join the mutated inputs here.

/// The settings of a fuzz run, from the environment.
enum FuzzSettings {
    static let environment = ProcessInfo.processInfo.environment
    static let seconds = environment["VARIANCEKIT_FUZZ_SECONDS"].flatMap(Double.init) ?? 2
    static let seed = environment["VARIANCEKIT_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_260_101
    static let replayCase = environment["VARIANCEKIT_FUZZ_CASE"].flatMap { Int($0) }
    /// A child still running after this long is killed and reported.
    static let caseTimeout: Double = 10

    static var executable: URL {
        if let configured = environment["INITBENCH_BINARY"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/initbench")
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny seeded generator, so that case `index` of seed
/// `seed` is the same case on every machine and can be replayed alone.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64, index: Int = 0) {
        state = seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func pick<T>(_ values: [T]) -> T { values.randomElement(using: &self)! }
}

/// One finished child process.
struct ChildOutcome {
    var status: Int32
    var signal: Int32?
    var timedOut: Bool
    var stdout: String
    var stderr: String
    var seconds: Double
}

/// Runs initbench with `arguments` in `directory` (its only place to write), standard input
/// closed, output captured in files outside `directory`; kills it after `timeout` seconds.
func runInitbenchChild(_ arguments: [String], in directory: URL, timeout: Double = FuzzSettings.caseTimeout) throws -> ChildOutcome {
    let captures = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-fuzz-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: captures, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: captures) }
    let outURL = captures.appendingPathComponent("stdout"), errURL = captures.appendingPathComponent("stderr")
    try Data().write(to: outURL)
    try Data().write(to: errURL)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    defer { try? out.close(); try? err.close() }

    let process = Process()
    process.executableURL = FuzzSettings.executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    let start = Date()
    try process.run()
    var timedOut = false
    while process.isRunning {
        if Date().timeIntervalSince(start) > timeout {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            break
        }
        usleep(2_000)
    }
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    let signaled = process.terminationReason == .uncaughtSignal
    return ChildOutcome(
        status: signaled ? -1 : process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
        timedOut: timedOut,
        stdout: readText(outURL), stderr: readText(errURL), seconds: seconds)
}

/// The whole file as UTF-8 text ("" when it cannot be read). Not `Data(contentsOf:)`: under
/// AddressSanitizer, FoundationEssentials' readBytesFromFile leaks a 4 KiB buffer on some reads
/// (Swift 6.3.1), which LeakSanitizer reports at the test process's exit.
func readText(_ url: URL) -> String {
    guard let handle = try? FileHandle(forReadingFrom: url) else { return "" }
    defer { try? handle.close() }
    return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
}

/// A command line quoted for a POSIX shell, to paste and replay.
func shellQuoted(_ arguments: [String]) -> String {
    (["initbench"] + arguments).map { argument in
        if !argument.isEmpty, argument.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_=.,/+:".contains($0)) }) {
            return argument
        }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
}

/// What is wrong with how initbench ended (nil: nothing): the fuzz oracle.
func contractViolation(_ outcome: ChildOutcome) -> String? {
    if outcome.timedOut { return "still running after \(FuzzSettings.caseTimeout) s (killed)" }
    if let signal = outcome.signal { return "killed by signal \(signal)" }
    for marker in ["Fatal error", "AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "runtime error:"]
    where outcome.stderr.contains(marker) {
        return "\(marker) on standard error"
    }
    guard outcome.status == 0 || outcome.status == 64 else { return "exit status \(outcome.status), expected 0 or 64" }
    if outcome.status == 64, !outcome.stderr.hasPrefix("Error:") {
        return "exit status 64 without a message starting with 'Error:'"
    }
    return nil
}

// MARK: - The command line

/// The kinds of option values, each with its hostile values and its cheap valid ones.
enum ValueKind {
    case size, count, float, gain, seed, threads, initializers, activations, widths, format, loss, file, directory, section

    /// Values that are cheap when valid (tiny sizes) and every kind of invalid one.
    var pool: [String] {
        switch self {
        case .size, .count:
            ["1", "2", "3", "0", "-1", "-0", "+2", "007", "1e3", "0x10", "1.5", " 2", "2 ", "1_000", "\u{FF12}", "\u{0663}",
             "17000", "1001", "65537", "1000001", "100001", "1073741825", "9223372036854775807", "9223372036854775808",
             "-9223372036854775808", "99999999999999999999999", "nan", "inf", "-inf"]
        case .float:
            ["0.5", "1", "0", "-0", "-1", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e39", "-1e39", "1e-46",
             "4.9e-324", "1e300", "1.7976931348623157e308", "3.4028235e38", "0x1p-3", "1,5", ".", "e", "1e", "--1", "1e-30"]
        case .gain:
            ValueKind.float.pool + ["fixed-point", "critical", "of-activation", "activation", "FIXED-POINT", "fixedpoint", "critical,1"]
        case .seed:
            ["0", "1", "42", "18446744073709551615", "18446744073709551616", "-1", "0x10", "1e3", "-0", "+7", "3.0"]
        case .threads:
            ["1", "2", "0", "-1", "257", "256", "64", "9223372036854775807"]
        case .initializers:
            ["standard", "all", "ALL", " all ", "all,standard", "standard,", ",standard", ",,", ",", "Standard", "STANDARD",
             "he_normal", "kaiming", "kaiming-normal", "glorot-uniform", "glorot", "lecun", "xavier,xavier,xavier",
             "he-normal-fan-out,orthogonal,identity", "truncated-normal", "st andard", "st\u{E4}ndard", "\u{1F600}",
             "\u{FF53}tandard", "orthogonal\u{301}", "normal;uniform", "he-normal ,  lecun-uniform", "lsuv", "LSUV,orthogonal"]
        case .activations:
            ["tanh", "relu", "all", "All", "tanh,", ",relu", "TANH", "leaky_relu", "leakyrelu", "lrelu", "swish", "identity",
             "none", "logistic", "selu,elu,gelu,silu,sigmoid,linear", "t anh", "t\u{E4}nh", "\u{1F600}", "relu,relu,relu",
             "tanh\u{301}", "\u{FF54}\u{FF41}\u{FF4E}\u{FF48}"]
        case .widths:
            ["2,1", "2,2,1", "2,,1", "2", "", "0,1", "-1,1", "2,1,", " 2 , 1 ", "2;1", "\u{FF12},1", "65537,1",
             "9999999999999999999,1", "2,3,4,5,1", "1,1", "2,1.5"]
        case .format:
            ["table", "csv", "json", "JSON", "xml", "", "json,csv", " json"]
        case .loss:
            ["readout", "quadratic", "Readout", "", "mse", "\u{1F600}"]
        case .file:
            ["out.json", "out.csv", "missing-dir/out.json", ".", "", " ", "-", "\u{1F4BE}.csv", String(repeating: "f", count: 300),
             "existing-dir", "existing-dir/", "existing-file", "/nonexistent-varkit-dir/out.json"]
        case .directory:
            ["report", "new/nested/report", ".", "", "existing-file", "existing-dir", "\u{1F4CA}",
             String(repeating: "d", count: 300), "/nonexistent-varkit-dir/report"]
        case .section:
            ["fills", "networks", "optimizers", "", "all", "FILLS", "gpu"]
        }
    }
}

/// Values that fit no kind: empty, unicode, control characters, very long, flag-like.
let genericHostileValues: [String] = [
    "", " ", "-", "--", "---", "--depth", "-h", "--help", "\u{1F600}", "\u{202E}evil", "a\tb", "a\nb", "\u{7F}",
    "\u{FEFF}1", "null", String(repeating: "x", count: 10_000), String(repeating: "9", count: 5_000),
    String(repeating: "\u{00E9}", count: 2_000), "'", "\"", "$(echo hi)", "%s%n", "\\",
]

/// One option of a command line: a flag with its value (nil for boolean flags).
struct FuzzOption {
    var flag: String
    var value: String?
    var kind: ValueKind?
    /// Whether leaving it out keeps the run tiny (sizes may not go back to their large defaults).
    var droppable = true
}

/// A subcommand and its tiny baseline.
struct FuzzTemplate {
    var subcommand: [String]
    var options: [FuzzOption]
    /// Options mutation may add (gain, output paths, ...).
    var extras: [FuzzOption]

    static let propagate = FuzzTemplate(subcommand: ["propagate"], options: experiment + run + output, extras: experimentExtras + outputExtras)
    static let report = FuzzTemplate(subcommand: ["report"], options: experiment + run, extras: experimentExtras + [
        FuzzOption(flag: "--output", value: "report", kind: .directory)])
    static let regularize = FuzzTemplate(subcommand: ["regularize"], options: [
        FuzzOption(flag: "--widths", value: "2,2,1", kind: .widths, droppable: false),
        FuzzOption(flag: "--teacher-widths", value: "2,1", kind: .widths, droppable: false),
        FuzzOption(flag: "--samples", value: "2", kind: .count, droppable: false),
        FuzzOption(flag: "--steps", value: "2", kind: .count, droppable: false),
        FuzzOption(flag: "--record-every", value: "1", kind: .count),
        FuzzOption(flag: "--learning-rate", value: "0.05", kind: .float),
        FuzzOption(flag: "--adam-learning-rate", value: "0.003", kind: .float),
        FuzzOption(flag: "--lambda", value: "2", kind: .float),
        FuzzOption(flag: "--seed", value: "42", kind: .seed),
    ] + run + output, extras: [FuzzOption(flag: "--normalizer", value: "2", kind: .float)] + outputExtras)
    static let kernels = FuzzTemplate(subcommand: ["kernels"], options: [
        FuzzOption(flag: "--depth", value: "1", kind: .size, droppable: false),
        FuzzOption(flag: "--width", value: "2", kind: .size, droppable: false),
        FuzzOption(flag: "--batch", value: "2", kind: .size, droppable: false),
        FuzzOption(flag: "--activation", value: "tanh", kind: .activations),
        FuzzOption(flag: "--repetitions", value: "1", kind: .count, droppable: false),
        FuzzOption(flag: "--fill-size", value: "2", kind: .size, droppable: false),
        FuzzOption(flag: "--optimizer-parameters", value: "16", kind: .size, droppable: false),
        FuzzOption(flag: "--orthogonal-size", value: "2", kind: .size, droppable: false),
        FuzzOption(flag: "--seed", value: "1", kind: .seed),
    ] + run + output, extras: [FuzzOption(flag: "--only", value: "fills", kind: .section)] + outputExtras)
    /// `compare` (and initbench without a subcommand) always runs the full default comparison,
    /// seconds even in a release build; its cases keep an option it refuses, so that only its
    /// parsing and validation run.
    static let compare = FuzzTemplate(subcommand: ["compare"], options: [
        FuzzOption(flag: "--seed", value: "1", kind: .seed), FuzzOption(flag: "--format", value: "json", kind: .format),
        FuzzOption(flag: "--output", value: "report", kind: .directory),
    ] + run, extras: [])
    static let theory = FuzzTemplate(subcommand: ["theory"], options: [
        FuzzOption(flag: "--activation", value: "tanh", kind: .activations),
        FuzzOption(flag: "--weight-variance", value: "1", kind: .float),
        FuzzOption(flag: "--bias-variance", value: "0", kind: .float),
        FuzzOption(flag: "--depth", value: "2", kind: .size),
        FuzzOption(flag: "--input-variance", value: "1", kind: .float),
        FuzzOption(flag: "--initial-correlation", value: "0.5", kind: .float),
    ] + output, extras: [FuzzOption(flag: "--critical-bias-variance", value: "0", kind: .float)] + outputExtras)
    static let info = FuzzTemplate(subcommand: ["info"], options: [], extras: [])

    static let all: [FuzzTemplate] = [propagate, propagate, report, theory, regularize, regularize, kernels, compare, info]

    static let experiment = [
        FuzzOption(flag: "--init", value: "standard", kind: .initializers),
        FuzzOption(flag: "--activation", value: "tanh", kind: .activations),
        FuzzOption(flag: "--depth", value: "1", kind: .size, droppable: false),
        FuzzOption(flag: "--width", value: "2", kind: .size, droppable: false),
        FuzzOption(flag: "--batch", value: "2", kind: .size, droppable: false),
        FuzzOption(flag: "--seed", value: "1", kind: .seed),
    ]
    static let experimentExtras = [
        FuzzOption(flag: "--gain", value: "1", kind: .gain), FuzzOption(flag: "--bias", value: nil, kind: nil),
        FuzzOption(flag: "--bias-std", value: "0.1", kind: .float),
        FuzzOption(flag: "--lsuv-tolerance", value: "0.05", kind: .float),
        FuzzOption(flag: "--lsuv-max-iterations", value: "3", kind: .count),
        FuzzOption(flag: "--loss", value: "quadratic", kind: .loss),
    ]
    static let run = [FuzzOption(flag: "--threads", value: "1", kind: .threads), FuzzOption(flag: "--quiet", value: nil, kind: nil)]
    static let output = [FuzzOption(flag: "--format", value: "json", kind: .format)]
    static let outputExtras = [FuzzOption(flag: "--output", value: "out.json", kind: .file)]
}

/// Case `index` of the command-line fuzz: a template and one to four mutations.
func commandLineCase(seed: UInt64, index: Int) -> [String] {
    var rng = SplitMix64(seed: seed, index: index)
    // A few fixed forms first: help, version, completion scripts, the hidden dump.
    let fixed: [[String]] = [
        ["--help"], ["--version"], ["help"], ["help", "propagate"], ["propagate", "--help"], ["-h"],
        ["--generate-completion-script", "bash"], ["--generate-completion-script", "\u{1F600}"], ["--experimental-dump-help"],
        ["help", "no-such-command"], [""], ["-"], ["--", "--depth"],
    ]
    if index < fixed.count { return fixed[index] }

    let template = rng.pick(FuzzTemplate.all)
    var subcommand = template.subcommand
    var options = template.options
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
        switch Int.random(in: 0..<12, using: &rng) {
        case 0...3: // a hostile value of the option's kind
            let candidates = options.indices.filter { options[$0].kind != nil }
            if let i = candidates.randomElement(using: &rng) { options[i].value = rng.pick(options[i].kind!.pool) }
        case 4: // a value that fits no kind
            let candidates = options.indices.filter { options[$0].value != nil }
            if let i = candidates.randomElement(using: &rng) { options[i].value = rng.pick(genericHostileValues) }
        case 5: // an extra option, with a hostile value
            if var extra = template.extras.randomElement(using: &rng) {
                if let kind = extra.kind, rng.chance(0.5) { extra.value = rng.pick(kind.pool) }
                options.insert(extra, at: Int.random(in: 0...options.count, using: &rng))
            }
        case 6: // drop an option
            let candidates = options.indices.filter { options[$0].droppable }
            if let i = candidates.randomElement(using: &rng) { options.remove(at: i) }
        case 7: // repeat an option with another value
            if var copy = options.randomElement(using: &rng) {
                if let kind = copy.kind { copy.value = rng.pick(kind.pool) }
                options.append(copy)
            }
        case 8: // an unknown or misspelled flag
            let flag = rng.pick(["--no-such-option", "-x", "---depth", "--dept", "--Depth", "--depth_", "--in it", "--\u{1F600}",
                                 "-\u{E9}", "--=", "--init=", "-ddd", "--quiet=yes", "--bias=false", "--help=no"])
            let unknown = FuzzOption(flag: flag, value: rng.chance(0.5) ? rng.pick(genericHostileValues) : nil, kind: nil)
            options.insert(unknown, at: Int.random(in: 0...options.count, using: &rng))
        case 9: // `--flag=value`, or the flag without its value
            let candidates = options.indices.filter { options[$0].value != nil }
            if let i = candidates.randomElement(using: &rng) {
                if rng.chance(0.5) {
                    options[i].flag += "=" + options[i].value!
                    options[i].value = nil
                } else {
                    options[i].value = nil
                }
            }
        case 10: // the subcommand, never another runnable one: the options would not keep it tiny
            let name = template.subcommand.first ?? "info"
            subcommand = rng.pick([[], [name.uppercased()], [String(name.dropLast())], [name, name], ["help"], ["\u{1F600}"],
                                   ["info"], ["--", name], ["help", name]])
        default: // shuffle
            options.shuffle(using: &rng)
        }
    }
    var arguments = subcommand
    for option in options {
        arguments.append(option.flag)
        if let value = option.value { arguments.append(value) }
    }
    // `compare`, and no subcommand at all, run the whole default comparison: keep one option
    // they refuse (see `FuzzTemplate.compare`).
    if subcommand.isEmpty || subcommand == ["compare"] || subcommand.first == "--" {
        arguments.append(rng.pick(["--depth", "--init", "--no-such-option"]))
    }
    return arguments
}

/// A folder for one case: the child's working directory, with a file and a folder to collide with.
func fuzzSandbox() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("initbench-fuzz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("existing-dir"), withIntermediateDirectories: true)
    try Data("keep\n".utf8).write(to: directory.appendingPathComponent("existing-file"))
    return directory
}

@Suite(.serialized) struct FuzzTests {
    @Test func commandLineNeverTraps() throws {
        let seed = FuzzSettings.seed
        let indices: [Int] = FuzzSettings.replayCase.map { [$0] } ?? Array(0..<1_000_000)
        let start = Date()
        var ran = 0, exits = [Int32: Int]()
        for index in indices {
            if FuzzSettings.replayCase == nil, ran > 0, Date().timeIntervalSince(start) > FuzzSettings.seconds { break }
            let arguments = commandLineCase(seed: seed, index: index)
            let sandbox = try fuzzSandbox()
            defer { try? FileManager.default.removeItem(at: sandbox) }
            let outcome = try runInitbenchChild(arguments, in: sandbox)
            ran += 1
            exits[outcome.status, default: 0] += 1
            if let violation = contractViolation(outcome) {
                Issue.record("""
                    fuzz case \(index) (VARIANCEKIT_FUZZ_SEED=\(seed) VARIANCEKIT_FUZZ_CASE=\(index)): \(violation)
                    command: \(shellQuoted(arguments))
                    stderr: \(outcome.stderr.prefix(2_000))
                    """)
            }
        }
        print("fuzz: \(ran) command lines from seed \(seed) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s; exit statuses \(exits.sorted { $0.key < $1.key })")
        #expect(ran > 0)
    }

    /// Command lines the fuzz driver once found breaking the contract, kept as regression cases.
    static let findings: [[String]] = [
        // Trapped in HistogramBinner (Int of a NaN position: a gradient range narrower than
        // Float resolves gave an infinite scale); fixed on main by binning in Double.
        ["propagate", "--init", " Glorot-Uniform ,xavier-uniform,he-uniform-fan-out", "--activation", "gelu,none,sigmoid",
         "--depth", "1", "--width", "2", "--batch", "2", "--seed", "14440603904141839212", "--quiet", "--gain", "1e30",
         "--format", "json"],
        ["propagate", "--init", "xavier-uniform", "--activation", "sigmoid", "--depth", "1", "--width", "2", "--batch", "2",
         "--gain", "1e30", "--quiet", "--format", "json"],
    ]

    @Test(arguments: FuzzTests.findings) func findingsStayFixed(arguments: [String]) throws {
        let sandbox = try fuzzSandbox()
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let outcome = try runInitbenchChild(arguments, in: sandbox)
        #expect(contractViolation(outcome) == nil, "\(shellQuoted(arguments)): \(outcome.stderr.prefix(2_000))")
    }

    @Test func outputRoundTripsUnderExtremeSettings() throws {
        let seed = FuzzSettings.seed
        let start = Date()
        var ran = 0, roundTrips = 0
        for index in 0..<1_000_000 {
            if ran > 0, Date().timeIntervalSince(start) > FuzzSettings.seconds { break }
            var rng = SplitMix64(seed: seed ^ 0x0DD5_EED5, index: index)
            let compared = index % 3 == 2
                ? try checkRegularizeRoundTrip(RoundTripCase.regularize(&rng), index: index)
                : try checkPropagateRoundTrip(RoundTripCase.propagate(&rng), index: index)
            ran += 1
            if compared { roundTrips += 1 }
        }
        print("fuzz: \(ran) settings from seed \(seed), \(roundTrips) JSON/CSV round trips (the others refused when the run started)")
        #expect(ran > 0)
    }

    @Test func mutatedDocumentsNeverTrapTheDecoders() throws {
        let seed = FuzzSettings.seed
        var documents: [(name: String, text: String, decode: (Data) throws -> Void)] = []
        let sandbox = try fuzzSandbox()
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let propagate = try runInitbenchChild(
            ["propagate", "--init", "xavier-uniform,orthogonal", "--activation", "tanh,relu", "--depth", "2", "--width", "3",
             "--batch", "2", "--gain", "1e30", "--format", "json", "--quiet"], in: sandbox)
        let regularize = try runInitbenchChild(
            ["regularize", "--widths", "2,2,1", "--teacher-widths", "2,1", "--samples", "2", "--steps", "2", "--format", "json",
             "--quiet"], in: sandbox)
        try #require(propagate.status == 0 && regularize.status == 0, "\(propagate.stderr)\(regularize.stderr)")
        let decoder = JSONDecoder()
        documents.append(("propagate", propagate.stdout, { _ = try decoder.decode(PropagateJSON.self, from: $0) }))
        documents.append(("regularize", regularize.stdout, { _ = try decoder.decode(RegularizeJSON.self, from: $0) }))
        let encoder = JSONEncoder()
        let experiment = try PropagationExperiment(initializers: [.heNormal], activations: [.relu], depth: 2, width: 3, batch: 2, seed: 1)
        // A decoded experiment should be one its initializer accepts; the synthesized Decodable
        // conformances do not check, so these are counted and reported, not failed (yet).
        var unchecked: [String] = []
        documents.append(("PropagationExperiment", String(decoding: try encoder.encode(experiment), as: UTF8.self), { data in
            let e = try decoder.decode(PropagationExperiment.self, from: data)
            do {
                _ = try PropagationExperiment(
                    initializers: e.initializers, activations: e.activations, depth: e.depth, width: e.width, batch: e.batch,
                    seed: e.seed, bias: e.bias, biasStandardDeviation: e.biasStandardDeviation, gain: e.gain, loss: e.loss,
                    histogramBins: e.histogramBins,
                    histogramSampleLimit: e.histogramSampleLimit)
            } catch {
                unchecked.append("PropagationExperiment \(String(decoding: data, as: UTF8.self)): \(error)")
            }
        }))
        let regularization = try RegularizationExperiment(
            seed: 1, widths: [2, 2, 1], teacherWidths: [2, 1], samples: 2, steps: 2, recordEvery: 1, learningRate: 0.05,
            adamLearningRate: 0.003, lambda: 2)
        documents.append(("RegularizationExperiment", String(decoding: try encoder.encode(regularization), as: UTF8.self), { data in
            let e = try decoder.decode(RegularizationExperiment.self, from: data)
            do {
                _ = try RegularizationExperiment(
                    seed: e.seed, widths: e.widths, teacherWidths: e.teacherWidths, samples: e.samples, steps: e.steps,
                    recordEvery: e.recordEvery, learningRate: e.learningRate, adamLearningRate: e.adamLearningRate,
                    lambda: e.lambda, normalizer: e.normalizer)
            } catch {
                unchecked.append("RegularizationExperiment \(String(decoding: data, as: UTF8.self)): \(error)")
            }
        }))

        let start = Date()
        var decoded = 0, refused = 0
        var rng = SplitMix64(seed: seed ^ 0xDEC0_DE)
        while decoded + refused == 0 || Date().timeIntervalSince(start) < FuzzSettings.seconds / 2 {
            let document = rng.pick(documents)
            let mutated = mutateJSON(document.text, using: &rng)
            do {
                try document.decode(Data(mutated.utf8))
                decoded += 1
            } catch {
                refused += 1
            }
        }
        print("fuzz: \(decoded + refused) mutated documents decoded in process (\(decoded) accepted, \(refused) refused)")
        if let first = unchecked.first {
            withKnownIssue("Decodable experiments skip their initializers' validation", isIntermittent: true) {
                Issue.record("\(unchecked.count) decoded experiments that their initializer refuses, e.g. \(first)")
            }
        }
    }
}

// MARK: - The output round trip

/// `initbench propagate --format json`, read with the library's Codable records.
struct PropagateJSON: Codable {
    struct Config: Codable {
        var command: String
        var initializers: [String]
        var activations: [String]
        var depth: Int
        var width: Int
        var batch: Int
        var seed: UInt64
        var bias: Bool
        var biasStandardDeviation: Double
        var gain: Gain?
        var loss: String
    }
    var schema: String
    var config: Config
    var runs: [PropagationRun]
}

/// `initbench regularize --format json`, read with the library's Codable records.
struct RegularizeJSON: Codable {
    struct Config: Codable {
        var seed: UInt64
        var widths: [Int]
        var teacherWidths: [Int]
        var samples: Int
        var steps: Int
        var recordedSteps: [Int]
        var learningRate: Float
        var adamLearningRate: Float
        var lambda: Float
        var normalizer: Float
    }
    var schema: String
    var config: Config
    var runs: [RegularizationRun]
}

/// Valid settings at their extremes, and what the documents must then say.
struct RoundTripCase {
    var arguments: [String]
    var seed: UInt64
    var expectedInitializers: [String] = []
    var expectedActivations: [String] = []
    var depth = 0, width = 0, batch = 0
    var gain: Gain?
    var bias = false
    var biasStandardDeviation = 0.0
    var widths: [Int] = [], teacherWidths: [Int] = []
    var steps = 0, recordEvery = 1
    var learningRate: Float = 0

    static func seed(_ rng: inout SplitMix64) -> UInt64 {
        rng.pick([0, 1, UInt64.max, UInt64.max - 1, 1 << 63, rng.next()])
    }

    static func propagate(_ rng: inout SplitMix64) -> RoundTripCase {
        let initializerSpellings = InitializerName.allCases.map(\.rawValue) + InitializerName.aliases.keys.sorted()
            + ["HE_NORMAL", " Glorot-Uniform ", "Kaiming_Normal"]
        let activationSpellings = Activation.allDefaults.map(\.name) + Activation.aliases.keys.sorted() + ["TANH", " ReLU "]
        let allInitializers = rng.chance(0.1)
        let initializers = allInitializers ? ["all"] : (0..<Int.random(in: 1...3, using: &rng)).map { _ in rng.pick(initializerSpellings) }
        // Not `all` twice: 15 x 10 runs take seconds in a debug build.
        let activations = !allInitializers && rng.chance(0.1) ? ["all"]
            : (0..<Int.random(in: 1...3, using: &rng)).map { _ in rng.pick(activationSpellings) }
        var result = RoundTripCase(arguments: [], seed: seed(&rng))
        result.expectedInitializers = allInitializers ? InitializerName.allCases.map(\.rawValue)
            : uniqued(initializers.map { try! InitializerName.named($0).rawValue })
        result.expectedActivations = activations == ["all"] ? Activation.allDefaults.map(\.name)
            : uniqued(activations.map { try! Activation.named($0).name })
        result.depth = Int.random(in: 1...3, using: &rng)
        result.width = Int.random(in: 1...4, using: &rng)
        result.batch = Int.random(in: 1...4, using: &rng)
        result.arguments = ["propagate", "--init", initializers.joined(separator: ","), "--activation", activations.joined(separator: ","),
                            "--depth", "\(result.depth)", "--width", "\(result.width)", "--batch", "\(result.batch)",
                            "--seed", "\(result.seed)", "--quiet"]
        if result.expectedInitializers.allSatisfy({ try! InitializerName.named($0).acceptsGain }), rng.chance(0.6) {
            // Mostly within Float's range (the weights are Float); 1e300 and 5e-324 are refused when the run starts.
            let gain = rng.pick(["1e-30", "1e-3", "0.5", "1", "3", "1e3", "1e15", "1e30", "3e38", "1e300", "5e-324",
                                 "fixed-point", "critical", "of-activation"])
            result.gain = try? Gain(parsing: gain)
            result.arguments += ["--gain", gain]
        }
        if rng.chance(0.5) {
            result.bias = true
            result.arguments.append("--bias")
            if rng.chance(0.5) {
                result.biasStandardDeviation = rng.pick([0, 1e-30, 0.1, 1, 1e3, 1e6])
                result.arguments += ["--bias-std", "\(result.biasStandardDeviation)"]
            }
        }
        if rng.chance(0.5) { result.arguments += ["--loss", "quadratic"] }
        return result
    }

    static func regularize(_ rng: inout SplitMix64) -> RoundTripCase {
        let inputs = Int.random(in: 1...3, using: &rng), outputs = Int.random(in: 1...2, using: &rng)
        var result = RoundTripCase(arguments: [], seed: seed(&rng))
        result.widths = [inputs] + (0..<Int.random(in: 0...2, using: &rng)).map { _ in Int.random(in: 1...3, using: &rng) } + [outputs]
        result.teacherWidths = [inputs, Int.random(in: 1...3, using: &rng), outputs]
        result.steps = Int.random(in: 1...5, using: &rng)
        result.recordEvery = Int.random(in: 1...3, using: &rng)
        result.learningRate = rng.pick([1e-38, 1e-3, 0.05, 0.05, 1, 10, 1e30, Float.greatestFiniteMagnitude])
        result.arguments = ["regularize", "--widths", result.widths.map(String.init).joined(separator: ","),
                            "--teacher-widths", result.teacherWidths.map(String.init).joined(separator: ","),
                            "--samples", "\(Int.random(in: 1...4, using: &rng))", "--steps", "\(result.steps)",
                            "--record-every", "\(result.recordEvery)", "--learning-rate", "\(result.learningRate)",
                            "--lambda", rng.pick(["0", "2", "2", "1e30"]), "--seed", "\(result.seed)", "--quiet"]
        if rng.chance(0.3) { result.arguments += ["--normalizer", rng.pick(["1e-30", "1", "1e30"])] }
        return result
    }
}

func uniqued(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}

/// Runs `arguments` with `--format json` and `--format csv`: both outputs, or nil when initbench
/// refused the settings (recorded as an issue unless it did so as the contract says).
func runBothFormats(_ arguments: [String], index: Int) throws -> (json: String, csv: String)? {
    let sandbox = try fuzzSandbox()
    defer { try? FileManager.default.removeItem(at: sandbox) }
    var texts: [String] = []
    for format in ["json", "csv"] {
        let command = arguments + ["--format", format]
        let outcome = try runInitbenchChild(command, in: sandbox)
        if let violation = contractViolation(outcome) {
            Issue.record("round-trip case \(index): \(violation)\ncommand: \(shellQuoted(command))\nstderr: \(outcome.stderr.prefix(2_000))")
            return nil
        }
        // Settings the parser accepts can still be refused when the run starts (a gain that is
        // finite as a Double but not as a Float, a gradient that overflows): `Error:` and exit
        // 64, which the contract allows; there is no output to compare then.
        guard outcome.status == 0 else { return nil }
        texts.append(outcome.stdout)
    }
    return (texts[0], texts[1])
}

/// The JSON of `value` as initbench writes it (sorted keys), for comparing re-encodings.
func canonicalJSON<Value: Encodable>(_ value: Value) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// A CSV field holds `value` exactly (the shortest round-trip spelling), or is empty when the
/// value is missing or not finite.
func csvField(_ field: String, holds value: Double?) -> Bool {
    guard let value, value.isFinite else { return field.isEmpty }
    return Double(field) == value
}

/// Whether the outputs were compared (false: the settings were refused).
@discardableResult
func checkPropagateRoundTrip(_ testCase: RoundTripCase, index: Int) throws -> Bool {
    guard let (json, csv) = try runBothFormats(testCase.arguments, index: index) else { return false }
    let command = shellQuoted(testCase.arguments)
    let document: PropagateJSON
    do {
        document = try JSONDecoder().decode(PropagateJSON.self, from: Data(json.utf8))
    } catch {
        Issue.record("round-trip case \(index): the JSON does not decode (\(error))\ncommand: \(command) --format json")
        return true
    }
    #expect(document.schema == "initbench.propagate.v1", "\(command)")
    #expect(document.config.seed == testCase.seed, "\(command)")
    let shape: [Int] = [document.config.depth, document.config.width, document.config.batch]
    #expect(shape == [testCase.depth, testCase.width, testCase.batch], "\(command)")
    #expect(document.config.gain == testCase.gain, "\(command)")
    #expect(document.config.bias == testCase.bias && document.config.biasStandardDeviation == testCase.biasStandardDeviation, "\(command)")
    #expect(document.config.initializers == testCase.expectedInitializers, "\(command)")
    #expect(document.config.activations == testCase.expectedActivations, "\(command)")
    #expect(document.runs.count == testCase.expectedInitializers.count * testCase.expectedActivations.count, "\(command)")
    #expect(document.runs.allSatisfy { $0.layers.count == testCase.depth }, "\(command)")
    // Decoding and encoding again changes nothing.
    let once = try canonicalJSON(document.runs)
    let twice = try canonicalJSON(try JSONDecoder().decode([PropagationRun].self, from: Data(once.utf8)))
    #expect(once == twice, "\(command): the runs do not survive a decode and re-encode")

    let table = parseCSV(csv)
    guard let header = table.first else {
        Issue.record("round-trip case \(index): empty CSV\ncommand: \(command) --format csv")
        return true
    }
    #expect(header == CSVFormatter.header, "\(command)")
    let rows = Array(table.dropFirst())
    let layers = document.runs.flatMap { run in run.layers.map { (run, $0) } }
    guard rows.count == layers.count else {
        Issue.record("round-trip case \(index): \(rows.count) CSV rows for \(layers.count) layers in the JSON\ncommand: \(command)")
        return true
    }
    for (row, (run, layer)) in zip(rows, layers) {
        guard row.count == header.count else {
            Issue.record("round-trip case \(index): a CSV row has \(row.count) fields for \(header.count) columns\ncommand: \(command)")
            return true
        }
        let field = Dictionary(uniqueKeysWithValues: zip(header, row))
        let texts = [field["init"] == run.initializer, field["activation"] == run.activation, field["layer"] == "\(layer.index)",
                     field["status"] == run.status.rawValue, field["divergedAtLayer"] == (run.divergedAtLayer.map(String.init) ?? "")]
        let numbers: [(String, Double?)] = [
            ("preactivationMean", layer.preactivationMean), ("preactivationVariance", layer.preactivationVariance),
            ("activationMean", layer.activationMean), ("activationVariance", layer.activationVariance),
            ("gradientVariance", layer.gradientVariance), ("weightGradientVariance", layer.weightGradientVariance),
            ("weightVariance", layer.weightVariance), ("saturatedFraction", layer.saturatedFraction),
            ("deadFraction", layer.deadFraction),
            ("theoryPreactivationVariance", layer.theory.preactivationVariance),
            ("theoryActivationVariance", layer.theory.activationVariance),
            ("theoryGradientVariance", layer.theory.gradientVariance),
            ("theoryWeightGradientVariance", layer.theory.weightGradientVariance),
        ]
        let mismatched = numbers.filter { !csvField(field[$0.0] ?? "?", holds: $0.1) }.map(\.0)
        if texts.contains(false) || !mismatched.isEmpty {
            Issue.record("""
                round-trip case \(index): CSV row \(row) differs from the JSON of \(run.initializer)/\(run.activation) layer \(layer.index) \
                (columns \(mismatched))
                command: \(command)
                """)
            return true
        }
    }
    return true
}

/// Whether the outputs were compared (false: the settings were refused).
@discardableResult
func checkRegularizeRoundTrip(_ testCase: RoundTripCase, index: Int) throws -> Bool {
    guard let (json, csv) = try runBothFormats(testCase.arguments, index: index) else { return false }
    let command = shellQuoted(testCase.arguments)
    let document: RegularizeJSON
    do {
        document = try JSONDecoder().decode(RegularizeJSON.self, from: Data(json.utf8))
    } catch {
        Issue.record("round-trip case \(index): the JSON does not decode (\(error))\ncommand: \(command) --format json")
        return true
    }
    let recorded = Array(stride(from: 0, to: testCase.steps, by: testCase.recordEvery)) + [testCase.steps]
    #expect(document.schema == "initbench.regularize.v1", "\(command)")
    #expect(document.config.seed == testCase.seed, "\(command)")
    #expect(document.config.widths == testCase.widths && document.config.teacherWidths == testCase.teacherWidths, "\(command)")
    #expect(document.config.recordedSteps == recorded, "\(command)")
    #expect(document.config.learningRate == testCase.learningRate, "\(command)")
    #expect(document.runs.count == 6, "\(command)")
    #expect(document.runs.allSatisfy {
        $0.trainingLoss.count == recorded.count && $0.weightNorm.count == recorded.count && $0.heldOutLoss.count == recorded.count
    }, "\(command)")
    let once = try canonicalJSON(document.runs)
    let twice = try canonicalJSON(try JSONDecoder().decode([RegularizationRun].self, from: Data(once.utf8)))
    #expect(once == twice, "\(command): the runs do not survive a decode and re-encode")

    let table = parseCSV(csv)
    let header = ["optimizer", "regularizer", "status", "step", "trainingLoss", "weightNorm", "heldOutLoss", "finalSparsity"]
    #expect(table.first == header, "\(command)")
    let rows = Array(table.dropFirst())
    let expected = document.runs.flatMap { run in recorded.indices.map { (run, $0) } }
    guard rows.count == expected.count else {
        Issue.record("round-trip case \(index): \(rows.count) CSV rows for \(expected.count) recorded steps in the JSON\ncommand: \(command)")
        return true
    }
    for (row, (run, step)) in zip(rows, expected) {
        let matches = row.count == header.count && row[0] == run.optimizer && row[1] == run.regularizer
            && row[2] == run.status.rawValue && row[3] == "\(recorded[step])"
            && csvField(row[4], holds: run.trainingLoss[step]) && csvField(row[5], holds: run.weightNorm[step])
            && csvField(row[6], holds: run.heldOutLoss[step]) && csvField(row[7], holds: run.sparsity)
        if !matches {
            Issue.record("round-trip case \(index): CSV row \(row) differs from the JSON of \(run.optimizer) (\(run.regularizer)) at step \(recorded[step])\ncommand: \(command)")
            return true
        }
    }
    return true
}

/// RFC 4180: fields separated by commas, records by CRLF or LF; a quoted field may hold commas,
/// line breaks and doubled quotes. Written here rather than taken from initbench, so that it
/// checks the writer.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = [], record: [String] = [], field = ""
    var quoted = false, afterQuote = false
    var characters = Array(text).makeIterator()
    var pending: Character? = nil
    func nextCharacter() -> Character? {
        if let p = pending { pending = nil; return p }
        return characters.next()
    }
    while let c = nextCharacter() {
        if quoted {
            if c == "\"" {
                if let n = nextCharacter() {
                    if n == "\"" { field.append("\"") } else { quoted = false; afterQuote = true; pending = n }
                } else { quoted = false }
            } else {
                field.append(c)
            }
            continue
        }
        switch c {
        case "\"" where field.isEmpty && !afterQuote: quoted = true
        case ",": record.append(field); field = ""; afterQuote = false
        case "\n", "\r\n": record.append(field); records.append(record); record = []; field = ""; afterQuote = false
        default: field.append(c)
        }
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}

// MARK: - Mutated documents

/// `text` with one to four mutations: a character flipped, a span deleted or repeated, a token
/// inserted (a number out of every range, `NaN`, `null`, a wrong type), the text cut short.
func mutateJSON(_ text: String, using rng: inout SplitMix64) -> String {
    var scalars = Array(text.unicodeScalars)
    let tokens = ["null", "1e999", "-1e999", "-0", "NaN", "Infinity", "\"\"", "[]", "{}", "18446744073709551616",
                  "-9223372036854775809", "0.5", "-1", "true", "\"\u{1F600}\"", "\"\\ud800\"", ",", ":", "\"", "{", "]",
                  String(repeating: "[", count: 600), String(repeating: "9", count: 400)]
    for _ in 0..<Int.random(in: 1...4, using: &rng) where !scalars.isEmpty {
        let at = Int.random(in: 0..<scalars.count, using: &rng)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:
            scalars[at] = Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng))
        case 1:
            scalars.removeSubrange(at..<min(scalars.count, at + Int.random(in: 1...16, using: &rng)))
        case 2:
            let span = scalars[at..<min(scalars.count, at + Int.random(in: 1...64, using: &rng))]
            scalars.insert(contentsOf: span, at: at)
        case 3:
            scalars.removeSubrange(at...)
        default:
            // Replace a number or a value after a colon with a token.
            let end = scalars[at...].firstIndex(where: { ",}]\n".unicodeScalars.contains($0) }) ?? scalars.count
            let begin = scalars[..<at].lastIndex(where: { ":[,".unicodeScalars.contains($0) }).map { $0 + 1 } ?? at
            scalars.replaceSubrange(begin..<max(begin, end), with: rng.pick(tokens).unicodeScalars)
        }
    }
    var result = String.UnicodeScalarView()
    result.append(contentsOf: scalars)
    return String(result)
}
