// swift-tools-version:6.0
import PackageDescription

// Three layers (docs/architecture.md): Tracking owns the SQL, Learning owns the numerics,
// `track` is the thin command line over both. Imports flow downward only.
let package = Package(
  name: "track",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "track", targets: ["track"]),
    .library(name: "Tracking", targets: ["Tracking"]),
    .library(name: "Learning", targets: ["Learning"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CSQLite", pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
    .systemLibrary(
      name: "CZlib", pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]),

    // What Swift cannot say portably, in C: a small spinning worker pool that shares out one
    // matrix product (atomics, pthreads), and dense-layer kernels for inputs of <= 16
    // features in AVX2+FMA chosen at run time (Learning's BLAS.swift and Dense.swift).
    .target(
      name: "CKernels",
      linkerSettings: [.linkedLibrary("pthread", .when(platforms: [.linux]))]),

    // The matrix summaries (ACC, BWT, FWT, forgetting), written once for both libraries.
    .target(name: "ContinualMetrics", swiftSettings: [.swiftLanguageMode(.v6)]),

    // Storage: runs, params, metrics, matrix, blobs, knowledge base, migrations.
    .target(
      name: "Tracking",
      dependencies: [
        "CSQLite", "ContinualMetrics", .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: [.swiftLanguageMode(.v5)]),

    // Numerics and continual learning. Knows nothing about SQL. No -Ounchecked: it made every
    // precondition vanish in release (a shape bug became silent memory corruption) and
    // measured no faster: NumericsBenchmarks on an AMD EPYC (OpenBLAS Haswell kernel,
    // 1 thread) seed 0.53 s both ways (median of 6), Fashion-MNIST batch 128 within noise.
    .target(
      name: "Learning",
      dependencies: ["COpenBLAS", "CZlib", "CKernels", "ContinualMetrics"],
      swiftSettings: [.swiftLanguageMode(.v6)]),

    // The command line: parse, call the two libraries, render.
    .executableTarget(
      name: "track",
      dependencies: [
        "Tracking", "Learning",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: [.swiftLanguageMode(.v5)]),

    // Benchmarks/continual.sh: runs one learner stream from a JSON spec, without the tracker.
    .executableTarget(
      name: "ContinualBenchmark", dependencies: ["Learning"], path: "Benchmarks/ContinualBenchmark",
      swiftSettings: [.swiftLanguageMode(.v6)]),

    // Release-build benchmarks of the numerics against PyTorch and TensorFlow
    // (Benchmarks/numerics.sh runs them side by side).
    .executableTarget(
      name: "NumericsBenchmarks",
      dependencies: ["Learning", "CZlib", "CHeapStatistics"],
      path: "Benchmarks/NumericsBenchmarks",
      swiftSettings: [.swiftLanguageMode(.v6)]),

    .target(name: "CHeapStatistics", path: "Benchmarks/CHeapStatistics"),

    // Helpers shared by the test targets (temporary directories, fixtures, running the binary).
    .target(name: "TestSupport", swiftSettings: [.swiftLanguageMode(.v5)]),

    // A writer process for the storage concurrency test (several processes, one file).
    .executableTarget(
      name: "tracking-stress", dependencies: ["Tracking"], path: "Tests/TrackingStress",
      swiftSettings: [.swiftLanguageMode(.v5)]),
    // Storage benchmark: our logging vs raw SQLite (run by Benchmarks/storage.sh, release).
    .executableTarget(
      name: "storage-benchmark", dependencies: ["Tracking", "CSQLite"],
      path: "Benchmarks/StorageBenchmark", swiftSettings: [.swiftLanguageMode(.v5)]),

    .testTarget(
      name: "TrackingTests", dependencies: ["Tracking", "TestSupport", "tracking-stress"],
      swiftSettings: [.swiftLanguageMode(.v5)]),
    .testTarget(
      name: "LearningTests", dependencies: ["Learning", "TestSupport"],
      swiftSettings: [.swiftLanguageMode(.v6)]),
    .testTarget(
      name: "TrackTests", dependencies: ["Tracking", "TestSupport", "track"],
      exclude: ["Golden"],
      swiftSettings: [.swiftLanguageMode(.v5)]),
  ]
)
