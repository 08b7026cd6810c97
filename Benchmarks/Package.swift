// swift-tools-version: 6.0
// Benchmarks live in their own package so the main build and CI stay fast.
// Run: swift run -c release --package-path Benchmarks scalesim-bench
import Foundation
import PackageDescription

// A path dependency is named after its folder, which is whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "scalesim-benchmarks",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "scalesim-bench",
            dependencies: [.product(name: "ScaleSim", package: root)]
        ),
    ]
)
