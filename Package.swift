// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "scalesim",
    products: [
        .library(name: "ScaleSim", targets: ["ScaleSim"]),
        .executable(name: "scalesim", targets: ["scalesim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The only C in the project: GSL, reached through one folder (Sources/ScaleSim/GSL).
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .target(
            name: "ScaleSim",
            dependencies: [
                "CGSL",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: [
                // `swift build -Xswiftc -DSCALESIM_CHECKS` turns on the engine's invariant checks.
            ]
        ),
        .executableTarget(
            name: "scalesim",
            dependencies: [
                "ScaleSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ScaleSimTests",
            dependencies: ["ScaleSim", "scalesim"]
        ),
    ]
)
