import Foundation

/// Which compute kernel OpenBLAS runs in this process, and why.
///
/// OpenBLAS built with `DYNAMIC_ARCH` holds kernels for many processors and picks one when it
/// loads: the one `OPENBLAS_CORETYPE` names (matched without regard to case) when that names a
/// kernel it holds, else the one for the processor it detects. `OPENBLAS_L2_SIZE` (in KiB) sets
/// the level-2 cache size it assumes where it cannot read one. The choice is made once per
/// process, so comparing two kernels takes two processes (`Benchmarks/run-both-kernels.sh`).
public struct BLASKernelChoice: Sendable, Hashable, Codable {
    /// The best vector instruction set the processor runs.
    public enum InstructionSet: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// AVX-512 F, BW, DQ and VL.
        case avx512 = "AVX-512"
        /// AVX2 (without the AVX-512 subsets above).
        case avx2 = "AVX2"
        /// SSE2 only, the x86-64 baseline.
        case sse2 = "SSE2"

        /// `"AVX-512"`, `"AVX2"`, `"SSE2"`.
        public var description: String { rawValue }
    }

    /// The kernel OpenBLAS chose (`openblas_get_corename`), e.g. `Haswell`, `SkylakeX`, `Cooperlake`.
    public var kernel: String
    /// OpenBLAS's build configuration (`openblas_get_config`): version, `DYNAMIC_ARCH`, kernel,
    /// `MAX_THREADS`.
    public var configuration: String
    /// The processor's best instruction set, read from CPUID (whatever `VARIANCEKIT_AVX512` and
    /// `VARIANCEKIT_AVX2` say).
    public var instructionSet: InstructionSet
    /// `OPENBLAS_CORETYPE` as the environment sets it, nil when unset or empty.
    public var coreType: String?
    /// `OPENBLAS_L2_SIZE` as the environment sets it, nil when unset or empty.
    public var level2CacheSize: String?

    /// Whether `OPENBLAS_CORETYPE` forced the choice: it is set and names the kernel that runs.
    public var isForced: Bool {
        guard let coreType else { return false }
        return coreType.caseInsensitiveCompare(kernel) == .orderedSame
    }

    /// Why this kernel runs, in one sentence: forced by `OPENBLAS_CORETYPE`, or chosen by OpenBLAS
    /// for the processor (noting an `OPENBLAS_CORETYPE` it did not recognize), with the
    /// `OPENBLAS_L2_SIZE` in effect.
    public var reason: String {
        var sentence: String
        if isForced, let coreType {
            sentence = "forced by OPENBLAS_CORETYPE=\(coreType) on an \(instructionSet) processor"
        } else if let coreType {
            sentence = "chosen by OpenBLAS for an \(instructionSet) processor; OPENBLAS_CORETYPE=\(coreType) names no kernel it holds"
        } else {
            sentence = "chosen by OpenBLAS for an \(instructionSet) processor (OPENBLAS_CORETYPE unset)"
        }
        sentence += level2CacheSize.map { ", OPENBLAS_L2_SIZE=\($0)" } ?? ", OPENBLAS_L2_SIZE unset"
        return sentence
    }

    /// A choice from its parts (for tests and for reports read back).
    public init(kernel: String, configuration: String, instructionSet: InstructionSet,
                coreType: String?, level2CacheSize: String?) {
        self.kernel = kernel
        self.configuration = configuration
        self.instructionSet = instructionSet
        self.coreType = coreType.flatMap { $0.isEmpty ? nil : $0 }
        self.level2CacheSize = level2CacheSize.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// This process's choice: OpenBLAS's kernel and configuration, the processor's instruction
    /// set and the two environment variables.
    public static var current: BLASKernelChoice {
        let environment = ProcessInfo.processInfo.environment
        let instructionSet: InstructionSet = CPUFeatures.hasAVX512 ? .avx512 : CPUFeatures.hasAVX2 ? .avx2 : .sse2
        return BLASKernelChoice(kernel: BLAS.kernelName, configuration: BLAS.configuration, instructionSet: instructionSet,
                                coreType: environment["OPENBLAS_CORETYPE"], level2CacheSize: environment["OPENBLAS_L2_SIZE"])
    }

    private enum CodingKeys: String, CodingKey {
        case kernel, configuration, instructionSet, coreType, level2CacheSize, forced, reason
    }

    /// Encodes every field, `coreType` and `level2CacheSize` as null when unset, and the derived
    /// `forced` and `reason`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kernel, forKey: .kernel)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(instructionSet, forKey: .instructionSet)
        try container.encode(coreType, forKey: .coreType)
        try container.encode(level2CacheSize, forKey: .level2CacheSize)
        try container.encode(isForced, forKey: .forced)
        try container.encode(reason, forKey: .reason)
    }

    /// Reads the stored fields (the derived `forced` and `reason` are recomputed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kernel: try container.decode(String.self, forKey: .kernel),
                  configuration: try container.decode(String.self, forKey: .configuration),
                  instructionSet: try container.decode(InstructionSet.self, forKey: .instructionSet),
                  coreType: try container.decodeIfPresent(String.self, forKey: .coreType),
                  level2CacheSize: try container.decodeIfPresent(String.self, forKey: .level2CacheSize))
    }
}
