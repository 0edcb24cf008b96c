// swift-tools-version:6.0
import PackageDescription

// Layers (docs/architecture.md): `track` (front end) -> Experiments (the application
// library) -> Learning (numerics, no SQL) and Tracking (the storage interface, no neural
// networks) -> TrackingSQLite (the SQLite backend). TrackServer is a second front end (HTTP)
// beside the CLI, over Experiments. Imports flow downward only.
let package = Package(
  name: "track",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "track", targets: ["track"]),
    .library(name: "Tracking", targets: ["Tracking"]),
    .library(name: "TrackingSQLite", targets: ["TrackingSQLite"]),
    .library(name: "Learning", targets: ["Learning"]),
    .library(name: "Experiments", targets: ["Experiments"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    // The PostgreSQL backend's wire protocol (TrackingPostgres); brings swift-nio.
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
    // matrix product (atomics, pthreads), dense-layer kernels for inputs of <= 16 features in
    // AVX-512 or AVX2+FMA chosen at run time (Learning's BLAS.swift and Dense.swift), and
    // OpenBLAS's kernel chosen by CPU features (BlasCore.h).
    .target(
      name: "CKernels",
      linkerSettings: [.linkedLibrary("pthread", .when(platforms: [.linux]))]),

    // The matrix summaries (ACC, BWT, FWT, forgetting), written once for both libraries.
    .target(name: "ContinualMetrics", swiftSettings: [.swiftLanguageMode(.v6)]),

    // The storage interface: value types, the store and live-run protocols, the filter
    // language, errors with codes. Knows no SQL dialect and no neural networks.
    .target(name: "Tracking", dependencies: ["ContinualMetrics"]),

    // The SQLite backend of the interface: connections, statements, migrations, the SQL.
    .target(
      name: "TrackingSQLite",
      dependencies: [
        "Tracking", "CSQLite", "CSQLiteOptions",
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    // The PostgreSQL backend of the interface (a team server): the same tables in PostgreSQL's
    // dialect, through postgres-nio.
    .target(
      name: "TrackingPostgres",
      dependencies: [
        "Tracking",
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    // The SQLite options Swift cannot set itself (sqlite3_db_config is variadic).
    .target(
      name: "CSQLiteOptions", dependencies: ["CSQLite"],
      linkerSettings: [.linkedLibrary("sqlite3")]),

    // Numerics and continual learning. Knows nothing about SQL. No -Ounchecked: it made every
    // precondition vanish in release (a shape bug became silent memory corruption) and
    // measured no faster: NumericsBenchmarks on an AMD EPYC (OpenBLAS Haswell kernel,
    // 1 thread) seed 0.53 s both ways (median of 6), Fashion-MNIST batch 128 within noise.
    .target(
      name: "Learning",
      dependencies: ["COpenBLAS", "CZlib", "CKernels", "ContinualMetrics"],
      swiftSettings: [.swiftLanguageMode(.v6)]),

    // The application library: run a spec end to end (resume, record, finish/kill/fail),
    // spec files, diffs and gates, the stable JSON shapes. The CLI and the server call it.
    .target(
      name: "Experiments",
      dependencies: [
        "Tracking", "TrackingSQLite", "TrackingPostgres", "Learning",
        .product(name: "Yams", package: "Yams"),
      ]),

    // The pictures: the web UI's pages and `track report`, HTML with inline SVG drawn from
    // what Experiments computes (no rules of its own).
    .target(name: "TrackWeb", dependencies: ["Experiments", "Tracking"]),

    // The HTTP front end (`track serve`, `track exec`): MLflow's tracking REST API and
    // track's own endpoints over the storage interface, auth, Prometheus metrics.
    .target(
      name: "TrackServer",
      dependencies: [
        "Experiments", "Tracking", "TrackWeb",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]),

    // The command line: parse arguments, call Experiments, render for a terminal.
    .executableTarget(
      name: "track",
      dependencies: [
        "Experiments", "Tracking", "Learning", "TrackServer", "TrackWeb",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // Benchmarks/continual.sh: runs one learner stream from a JSON spec, without the tracker.
    .executableTarget(
      name: "ContinualBenchmark", dependencies: ["Learning"], path: "Benchmarks/ContinualBenchmark",
      swiftSettings: [.swiftLanguageMode(.v6)]),

    // Release-build benchmarks of the numerics against PyTorch and TensorFlow
    // (Benchmarks/numerics.sh runs them side by side).
    .executableTarget(
      name: "NumericsBenchmarks",
      dependencies: ["Learning", "CKernels", "CZlib", "CHeapStatistics", "CPeak"],
      path: "Benchmarks/NumericsBenchmarks",
      swiftSettings: [.swiftLanguageMode(.v6)]),

    .target(name: "CHeapStatistics", path: "Benchmarks/CHeapStatistics"),
    // This core's measured fp32 FMA peak, the denominator of every "share of peak".
    .target(name: "CPeak", path: "Benchmarks/CPeak"),

    // Helpers shared by the test targets (temporary directories, fixtures, running the binary).
    .target(name: "TestSupport"),
    // The PostgreSQL server the tests use (TRACK_TEST_POSTGRES_URL) and a database per test.
    .target(
      name: "PostgresTestSupport",
      dependencies: ["TrackingPostgres", .product(name: "PostgresNIO", package: "postgres-nio")]),

    // A writer process for the storage concurrency test (several processes, one file).
    .executableTarget(
      name: "tracking-stress", dependencies: ["TrackingSQLite"], path: "Tests/TrackingStress"),
    // Storage benchmark: our logging vs raw SQLite (run by Benchmarks/storage.sh, release).
    .executableTarget(
      name: "storage-benchmark", dependencies: ["TrackingSQLite", "CSQLite"],
      path: "Benchmarks/StorageBenchmark"),

    // PostgreSQL logging benchmark: ours vs psql COPY (run by Benchmarks/postgres.sh, release).
    .executableTarget(
      name: "postgres-benchmark", dependencies: ["Tracking", "TrackingPostgres"],
      path: "Benchmarks/PostgresBenchmark"),
    // The SQLite backend's own tests (migrations, concurrency, the file format).
    // Scale benchmark: builds a store of 10,000 runs and 10 M points (Benchmarks/scale.sh).
    .executableTarget(
      name: "scale-benchmark", dependencies: ["TrackingSQLite"], path: "Benchmarks/ScaleBenchmark"),

    .testTarget(
      name: "TrackingTests",
      dependencies: ["Tracking", "TrackingSQLite", "TestSupport", "tracking-stress"]),
    // The storage interface's conformance suite, written once, run against every backend.
    .testTarget(
      name: "StoreConformanceTests",
      dependencies: [
        "Tracking", "TrackingSQLite", "TestSupport",
        "TrackingPostgres", "PostgresTestSupport",
      ]),
    // The PostgreSQL backend's own tests (its migrations, query dialect, connections).
    .testTarget(
      name: "TrackingPostgresTests",
      dependencies: ["Tracking", "TrackingPostgres", "PostgresTestSupport", "TestSupport"]),
    .testTarget(
      name: "LearningTests", dependencies: ["Learning", "TestSupport"],
      swiftSettings: [.swiftLanguageMode(.v6)]),
    // The pictures' own rules: downsampling, axes, escaping.
    .testTarget(name: "TrackWebTests", dependencies: ["TrackWeb"]),
    // track serve and track exec driven by the real MLflow client and plain HTTP; the web UI
    // in a real headless Chromium.
    .testTarget(
      name: "ServerTests",
      dependencies: [
        "Tracking", "TrackingSQLite", "TestSupport", "track", "tracking-stress",
        "TrackingPostgres", "PostgresTestSupport",
      ],
      exclude: ["Python"]),
    .testTarget(
      name: "TrackTests",
      dependencies: [
        "Experiments", "Tracking", "TrackingSQLite", "TestSupport", "track",
        "PostgresTestSupport",
      ],
      exclude: ["Golden"]),
  ]
)
