// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
/// The proxy's request path (HTTP, Proxy): release builds skip the run-time exclusivity checks, which
/// cost ~4 % of its CPU (a thread-local access set per class property access; debug builds and the
/// test suite keep them, so a violation is still caught there), and let Proxy inline HTTP's small
/// functions (cross-module optimization).
let hotPath: [SwiftSetting] =
    strict + [
        .unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release))
    ]

let package = Package(
    name: "Switchboard",
    products: [
        .executable(name: "router", targets: ["Router"]),
        .executable(name: "announcer", targets: ["Announcer"]),
    ],
    targets: [
        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),
        .target(name: "Platform", dependencies: ["CSystem"], swiftSettings: strict),
        .target(name: "Formats", swiftSettings: strict),
        .target(name: "HTTP", dependencies: ["Platform"], swiftSettings: hotPath),
        .target(name: "KV", dependencies: ["HTTP", "Platform", "Formats"], swiftSettings: strict),
        .target(name: "Templates", dependencies: ["Formats"], swiftSettings: strict),
        .target(name: "Proxy", dependencies: ["KV", "HTTP", "Platform"], swiftSettings: hotPath),
        .target(
            name: "Sync", dependencies: ["KV", "Templates", "HTTP", "Platform", "Formats"], swiftSettings: strict),
        .executableTarget(
            name: "Router", dependencies: ["Sync", "Proxy", "KV", "HTTP", "Platform", "Formats", "Templates"],
            swiftSettings: strict),
        .executableTarget(name: "Announcer", dependencies: ["KV", "HTTP", "Platform"], swiftSettings: strict),
        // Benchmarks live in bench/ (never timed tests); built in release by their run scripts.
        .executableTarget(
            name: "store-bench", dependencies: ["KV", "HTTP", "Platform"], path: "bench/store/Sources",
            swiftSettings: strict),
        .executableTarget(
            name: "templates-bench", dependencies: ["Templates", "Formats"], path: "bench/templates/swift",
            swiftSettings: strict),
        .executableTarget(
            name: "sync-bench", dependencies: ["Sync", "Templates", "Platform"], path: "bench/sync/Sources",
            swiftSettings: strict),
        .target(name: "TestSupport", dependencies: ["Platform"], path: "Tests/TestSupport", swiftSettings: strict),
        .target(
            name: "KVTestSupport", dependencies: ["KV", "HTTP", "Platform", "TestSupport"], path: "Tests/KVTestSupport",
            swiftSettings: strict),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "FormatsTests", dependencies: ["Formats"], swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Platform", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "KVTests", dependencies: ["KV", "HTTP", "Platform", "Formats", "TestSupport", "KVTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ProxyTests", dependencies: ["Proxy", "KV", "HTTP", "Platform", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "SyncTests", dependencies: ["Sync", "KV", "Templates", "Platform", "Formats", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates", "Formats"], swiftSettings: strict),
        .testTarget(
            name: "RouterTests", dependencies: ["Router", "HTTP", "Platform", "TestSupport", "KVTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "AnnouncerTests", dependencies: ["Announcer", "KV", "Platform", "TestSupport", "KVTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Sync", "KV", "HTTP", "Platform", "Formats", "TestSupport", "KVTestSupport"],
            swiftSettings: strict),
    ]
)
