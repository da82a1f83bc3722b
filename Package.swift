// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Switchboard",
    products: [
        .executable(name: "router", targets: ["Router"]),
        .executable(name: "announcer", targets: ["Announcer"]),
    ],
    targets: [
        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),
        .target(name: "HTTP", dependencies: ["CSystem"], swiftSettings: strict),
        .target(name: "KV", dependencies: ["HTTP"], swiftSettings: strict),
        .target(name: "Templates", swiftSettings: strict),
        .executableTarget(name: "Router", dependencies: ["KV", "HTTP", "Templates"], swiftSettings: strict),
        .executableTarget(name: "Announcer", dependencies: ["KV", "HTTP"], swiftSettings: strict),
        // Benchmarks live in bench/ (never timed tests); built in release by their run scripts.
        .executableTarget(
            name: "store-bench", dependencies: ["KV", "HTTP"], path: "bench/store/Sources", swiftSettings: strict),
        .target(name: "TestSupport", dependencies: ["KV", "HTTP"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "KVTests", dependencies: ["KV", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates"], swiftSettings: strict),
        .testTarget(name: "RouterTests", dependencies: ["Router", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "AnnouncerTests", dependencies: ["Announcer", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "IntegrationTests", dependencies: ["KV", "HTTP", "TestSupport"], swiftSettings: strict),
    ]
)
