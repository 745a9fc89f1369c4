import Foundation
import Testing
@testable import VarianceKit

/// `BLASKernelChoice`: forced or chosen, the sentence that says so, and this process's choice
/// against /proc/cpuinfo and the environment.
@Suite struct BLASKernelChoiceTests {
    /// The best instruction set the processor's flags in /proc/cpuinfo list (nil where there is
    /// no /proc/cpuinfo): AVX-512 needs F, BW, DQ and VL.
    static var instructionSetFromCPUInfo: BLASKernelChoice.InstructionSet? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return .avx512 }
        return flags.contains("avx2") ? .avx2 : .sse2
    }

    @Test func aCoreTypeNamingTheKernelForcedIt() {
        let choice = BLASKernelChoice(kernel: "Haswell", configuration: "OpenBLAS 0.3.21 DYNAMIC_ARCH Haswell",
                                      instructionSet: .avx512, coreType: "haswell", level2CacheSize: "512")
        #expect(choice.isForced)
        #expect(choice.reason == "forced by OPENBLAS_CORETYPE=haswell on an AVX-512 processor, OPENBLAS_L2_SIZE=512")
    }

    @Test func anUnknownOrMissingCoreTypeForcedNothing() {
        let unknown = BLASKernelChoice(kernel: "Cooperlake", configuration: "", instructionSet: .avx512,
                                       coreType: "Foo", level2CacheSize: nil)
        #expect(!unknown.isForced)
        #expect(unknown.reason == "chosen by OpenBLAS for an AVX-512 processor; OPENBLAS_CORETYPE=Foo names no kernel it holds, OPENBLAS_L2_SIZE unset")
        let unset = BLASKernelChoice(kernel: "Zen", configuration: "", instructionSet: .avx2, coreType: "", level2CacheSize: "")
        #expect(!unset.isForced && unset.coreType == nil && unset.level2CacheSize == nil)
        #expect(unset.reason == "chosen by OpenBLAS for an AVX2 processor (OPENBLAS_CORETYPE unset), OPENBLAS_L2_SIZE unset")
    }

    /// Encoded with the derived `forced` and `reason`; decoded back to the same choice.
    @Test func roundTripsThroughJSON() throws {
        let choice = BLASKernelChoice(kernel: "SkylakeX", configuration: "c", instructionSet: .avx512,
                                      coreType: "SkylakeX", level2CacheSize: nil)
        let data = try JSONEncoder().encode(choice)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["forced"] as? Bool == true)
        #expect(object["instructionSet"] as? String == "AVX-512")
        #expect(object["level2CacheSize"] is NSNull)
        #expect(try JSONDecoder().decode(BLASKernelChoice.self, from: data) == choice)
    }

    @Test func currentIsThisProcess() throws {
        let choice = BLASKernelChoice.current
        let environment = ProcessInfo.processInfo.environment
        #expect(choice.kernel == BLAS.kernelName && !choice.kernel.isEmpty)
        #expect(choice.configuration.contains(choice.kernel))
        #expect(choice.coreType == environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 })
        #expect(choice.level2CacheSize == environment["OPENBLAS_L2_SIZE"].flatMap { $0.isEmpty ? nil : $0 })
        let expected = try #require(Self.instructionSetFromCPUInfo)
        #expect(choice.instructionSet == expected)
    }
}
