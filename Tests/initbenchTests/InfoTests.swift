import Foundation
import Testing

@Suite struct InfoTests {
    @Test func versionNamesKernelAndThreads() throws {
        let result = try runInitbench(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("initbench"))
        #expect(result.stdout.contains("OpenBLAS kernel"))
        #expect(result.stdout.contains("BLAS threads"))
    }

    @Test func infoPrintsKernelAndThreadCount() throws {
        let result = try runInitbench(["info"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("BLAS kernel: "))
        #expect(result.stdout.range(of: #"BLAS threads: \d+"#, options: .regularExpression) != nil)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The best instruction set the flags of /proc/cpuinfo list (AVX-512: F, BW, DQ and VL).
    static var instructionSetFromCPUInfo: String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "AVX-512" }
        return flags.contains("avx2") ? "AVX2" : "SSE2"
    }

    /// OPENBLAS_CORETYPE names the kernel that runs (matched without regard to case), and the
    /// table says it was forced, with the OPENBLAS_L2_SIZE given.
    @Test(arguments: [("Sandybridge", "Sandybridge"), ("haswell", "Haswell")])
    func infoTableSaysTheCoreTypeForcedTheKernel(coreType: String, kernel: String) throws {
        let result = try runInitbench(["info"], environment: ["OPENBLAS_CORETYPE": coreType, "OPENBLAS_L2_SIZE": "256"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("BLAS kernel: \(kernel) (forced)\n"), "\(result.stdout)")
        #expect(result.stdout.contains("Why: forced by OPENBLAS_CORETYPE=\(coreType) on an "))
        #expect(result.stdout.contains("OPENBLAS_CORETYPE: \(coreType)\n"))
        #expect(result.stdout.contains("OPENBLAS_L2_SIZE: 256\n"))
        let instructionSet = try #require(Self.instructionSetFromCPUInfo)
        #expect(result.stdout.contains("Processor: \(instructionSet)\n"))
    }

    /// With both variables unset OpenBLAS chooses for itself: not forced, both null in the JSON,
    /// the kernel named in its configuration, the processor's instruction set from /proc/cpuinfo.
    @Test func infoJSONWithoutTheVariablesSaysOpenBLASChose() throws {
        let result = try runInitbench(["info", "--format", "json"], unsetting: ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try Self.json(result.stdout)
        #expect(root["schema"] as? String == "initbench.info.v1")
        #expect(root["threads"] as? Int ?? 0 >= 1)
        #expect(root["deterministic"] as? Bool == false)
        let blas = try #require(root["blas"] as? [String: Any])
        let kernel = try #require(blas["kernel"] as? String)
        #expect(!kernel.isEmpty && (blas["configuration"] as? String ?? "").contains(kernel))
        #expect(blas["forced"] as? Bool == false)
        #expect(blas["coreType"] is NSNull && blas["level2CacheSize"] is NSNull)
        #expect(blas["instructionSet"] as? String == Self.instructionSetFromCPUInfo)
        #expect((blas["reason"] as? String ?? "").hasPrefix("chosen by OpenBLAS for an "))
    }

    /// One header line and one row; an OPENBLAS_CORETYPE OpenBLAS does not hold forces nothing.
    @Test func infoCSVHasOneRow() throws {
        let result = try runInitbench(["info", "--format", "csv"], environment: ["OPENBLAS_CORETYPE": "NoSuchCore"],
                                      unsetting: ["OPENBLAS_L2_SIZE"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        #expect(lines[0] == "varianceKit,swift,threads,deterministic,blasKernel,instructionSet,coreType,level2CacheSize,forced,reason,blasConfiguration")
        #expect(lines[1].contains(",NoSuchCore,,false,\"chosen by OpenBLAS for an "), "\(lines[1])")
        #expect(lines[1].contains("names no kernel it holds, OPENBLAS_L2_SIZE unset\""))
    }

    /// `kernels` names the kernel and why in its header and in its JSON configuration, and says
    /// when the run was deterministic; each network step is also timed deterministically.
    @Test func kernelsHeaderNamesTheKernelAndWhy() throws {
        let arguments = ["kernels", "--only", "networks", "--depth", "2", "--width", "8", "--batch", "4", "--repetitions", "1", "--quiet"]
        let environment = ["OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "512"]
        let table = try runInitbench(arguments + ["--deterministic"], environment: environment)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count > 2)
        #expect(lines[0].hasPrefix("BLAS Haswell, ") && lines[0].hasSuffix(", deterministic"), "\(lines[0])")
        #expect(lines[1].hasPrefix("BLAS kernel Haswell: forced by OPENBLAS_CORETYPE=Haswell on an "), "\(lines[1])")
        #expect(lines[1].contains("OPENBLAS_L2_SIZE=512; processor "))
        #expect(table.stdout.contains("deterministic/step"))

        let json = try runInitbench(arguments + ["--format", "json"], environment: environment)
        #expect(json.status == 0, "\(json.stderr)")
        let root = try Self.json(json.stdout)
        let config = try #require(root["config"] as? [String: Any])
        #expect(config["deterministic"] as? Bool == false)
        let blas = try #require(config["blas"] as? [String: Any])
        #expect(blas["kernel"] as? String == "Haswell" && blas["forced"] as? Bool == true)
        let network = try #require((root["networks"] as? [[String: Any]])?.first)
        let step = try #require(network["stepSeconds"] as? Double), deterministic = try #require(network["deterministicSeconds"] as? Double)
        #expect(step > 0 && deterministic > 0)
        #expect(Swift.abs((network["deterministicOverStep"] as? Double ?? 0) - deterministic / step) < 1e-9 * deterministic / step)
    }

    @Test func unknownSubcommandExits64() throws {
        let result = try runInitbench(["no-such-command"])
        #expect(result.status == 64)
    }
}
