// swift-tools-version: 6.1
// The benchmark suite, kept out of the root package so that the library builds fast.
// Run from the top level with `make bench` (or `cd Benchmarks && swift package benchmark`).
import PackageDescription

let benchmarkDependencies: [Target.Dependency] = [
    .product(name: "VarianceKit", package: "VarianceKit"),
    .product(name: "Benchmark", package: "benchmark"),
]
let benchmarkPlugins: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "benchmark")]

let package = Package(
    name: "VarianceKitBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "VarianceKit", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "BLASBenchmarks",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/BLASBenchmarks",
            plugins: benchmarkPlugins
        ),
        .executableTarget(
            name: "NetworkBenchmarks",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/NetworkBenchmarks",
            plugins: benchmarkPlugins
        ),
        .executableTarget(
            name: "FillBenchmarks",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/FillBenchmarks",
            plugins: benchmarkPlugins
        ),
        // Plain C fused optimizer loops: the bandwidth reference for OptimizerBenchmarks, compiled
        // for the machine that runs them (AVX-512 where it has it), so that "x% of the C loop"
        // compares against the best plain loop this processor runs. (This nested package is never
        // a dependency of another, so it may carry unsafe flags; the library's Package.swift has none.)
        .target(
            name: "CReferenceLoops",
            path: "Sources/CReferenceLoops",
            cSettings: [.unsafeFlags(["-march=native"])]
        ),
        .executableTarget(
            name: "OptimizerBenchmarks",
            dependencies: benchmarkDependencies + ["CReferenceLoops"],
            path: "Benchmarks/OptimizerBenchmarks",
            plugins: benchmarkPlugins
        ),
        // glibc's count of heap bytes in use, for the memory figures of TrainingBenchmarks.
        .target(
            name: "CHeapInfo",
            path: "Sources/CHeapInfo"
        ),
        // A Trainer next to the bare kernels of its step, shared by TrainingBenchmarks and TrainingLoop.
        .target(
            name: "TrainingFixtures",
            dependencies: [.product(name: "VarianceKit", package: "VarianceKit"), "CHeapInfo"],
            path: "Sources/TrainingFixtures"
        ),
        .executableTarget(
            name: "TrainingBenchmarks",
            dependencies: benchmarkDependencies + ["TrainingFixtures"],
            path: "Benchmarks/TrainingBenchmarks",
            plugins: benchmarkPlugins
        ),
        // The sweep's own cost per configuration beside the configuration's run, and --jobs.
        .executableTarget(
            name: "SweepOverhead",
            dependencies: [.product(name: "VarianceKit", package: "VarianceKit")],
            path: "Sources/SweepOverhead"
        ),
        // The VarianceKit side of peers/compare_training.py.
        .executableTarget(
            name: "TrainingLoop",
            dependencies: ["TrainingFixtures"],
            path: "Sources/TrainingLoop"
        ),
    ]
)
