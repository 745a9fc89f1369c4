// swift-tools-version: 6.1
import PackageDescription

// The suites of VarianceKit's tests whose work is split over threads, as a package of their own,
// so that `make sanitize-threaded` (and CI_SANITIZERS=threaded) can build and run them under ThreadSanitizer
// without building the whole test suite. The test files are links to those of Tests/VarianceKitTests and Tests/VarianceKitIOTests.
let package = Package(
    name: "ThreadedTests",
    dependencies: [
        .package(name: "VarianceKit", path: "../.."),
    ],
    targets: [
        .testTarget(
            name: "ThreadedTests",
            dependencies: [.product(name: "VarianceKit", package: "VarianceKit")],
            path: "ThreadedTests"
        ),
    ]
)
