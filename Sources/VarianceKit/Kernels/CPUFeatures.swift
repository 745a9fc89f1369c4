internal import CKernels
import Foundation

/// What this processor offers the C kernels of the `CKernels` target (the Swift code is built for
/// baseline x86-64, so its own vector code is SSE2).
enum CPUFeatures {
    /// Whether the AVX2 kernels run (the fills' Philox and Box-Muller, the probes' moments): the
    /// processor runs AVX2 code and the environment variable `VARIANCEKIT_AVX2` is not `0` (set it
    /// to compare the paths).
    static let usesAVX2: Bool = {
        if ProcessInfo.processInfo.environment["VARIANCEKIT_AVX2"] == "0" { return false }
        return vk_cpu_has_avx2() != 0
    }()

    /// The processor runs AVX2 code, whatever `VARIANCEKIT_AVX2` says; for the tests.
    static var hasAVX2: Bool { vk_cpu_has_avx2() != 0 }

    /// Whether the AVX-512 kernels run: the processor runs AVX-512 F, BW, DQ and VL code and
    /// neither `VARIANCEKIT_AVX512` nor `VARIANCEKIT_AVX2` is `0` (set them to compare the paths;
    /// without AVX-512 the AVX2 kernels run where `usesAVX2` holds).
    static let usesAVX512: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if environment["VARIANCEKIT_AVX512"] == "0" || environment["VARIANCEKIT_AVX2"] == "0" { return false }
        return vk_cpu_has_avx512() != 0
    }()

    /// The processor runs AVX-512 F, BW, DQ and VL code, whatever the environment says; for the tests.
    static var hasAVX512: Bool { vk_cpu_has_avx512() != 0 }
}
