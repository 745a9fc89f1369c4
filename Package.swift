// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "VarianceKit",
    products: [
        .library(name: "VarianceKit", targets: ["VarianceKit"]),
        .executable(name: "initbench", targets: ["initbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // OpenBLAS (cblas_*) and LAPACKE, found through pkg-config; only BLAS/ and LAPACK/ import it.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // zlib (inflate and deflate for gzip streams), found through pkg-config; only VarianceKit's
        // Files/GzipStream.swift imports it. (Not `CZlib`: ZIPFoundation's module map defines that
        // module name for its own copy of the same header.)
        .systemLibrary(
            name: "CZlibShim",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Implementation details in C: AVX2 and AVX-512 kernels (Philox, Box-Muller, the probes' moments,
        // the layers' element-wise passes, the optimizer steps), chosen at run time, and thread
        // placement; only VarianceKit's Kernels/ imports it.
        .target(name: "CKernels"),
        .target(
            name: "VarianceKit",
            dependencies: [
                "CBLAS", "CKernels", "CZlibShim",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(
            name: "initbench",
            dependencies: [
                "VarianceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "VarianceKitTests",
            dependencies: ["VarianceKit"]
        ),
        // The library's suites whose work is reading and writing (files, storage, datasets, sweep
        // results) and the README tour, as a module of their own: it compiles beside
        // VarianceKitTests on a second core, and unoptimized even in an optimized build (the
        // sanitizer passes), since the work those tests wait on is the library's. Like
        // initbenchTests below, it belongs to no product.
        .testTarget(
            name: "VarianceKitIOTests",
            dependencies: ["VarianceKit"],
            swiftSettings: [.unsafeFlags(["-Onone"], .when(configuration: .release))]
        ),
        // initbench's tests run the executable and check what it writes; their own code does
        // little work, so an optimized build (the sanitizer passes, `make sanitize`) compiles them
        // unoptimized: that compiles in a fraction of the time and runs as fast. A test target
        // belongs to no product, so the flag does not keep packages from depending on this one.
        .testTarget(
            name: "initbenchTests",
            dependencies: ["initbench"],
            swiftSettings: [.unsafeFlags(["-Onone"], .when(configuration: .release))]
        ),
    ]
)
