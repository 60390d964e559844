// swift-tools-version:6.1
// dtb — the digital twin brain platform.
//
// Layers: a module imports only modules on lower lines; the right column is exactly what it
// imports (besides Foundation and Dispatch). No compute module (Imaging, Hemodynamics,
// SpikingEngine, Recorders, TwinBuilder, Workloads, Analyses, Plots, Assimilation, Sonata) imports a
// storage module; SpikingEngine imports no other module; the commands are thin over Services.
//
//   dtb             the executable: main runs DTBCommands          DTBCommands
//   DTBCommands     ArgumentParser commands: parse, call, print    Services Benchmarks WebService Studies Twins Jobs
//                   (Sources/dtb; in-process runnable)             Ingest AtlasCatalog Store TwinBuilder SpikingEngine
//                                                                  MPIKit ArgumentParser
//   Benchmarks      dtb bench engine/ingest/build/assimilate/      Services WebService SampleSubjects Ingest AtlasCatalog
//                   study/mpi/serve: workloads, scratch clusters,  Store Imaging NIfTI Workloads Recorders SpikingEngine
//                   timed child processes, loopback clients        Hemodynamics Twins DistributedEngine MPIKit
//   WebService      dtb serve: the /api/v1 router, token           Services Twins Studies Jobs Ingest AtlasCatalog Store
//                   middleware, problem documents, OpenAPI,        Postgres Plots Analyses Hummingbird ServiceLifecycle
//                   dashboard pages (calls Services, not SQL)
//   Services        the workflows (database, atlases, ingest,      Twins Jobs Ingest SampleSubjects AtlasCatalog Store
//                   subjects, twins, analyses, demo, the worker    TwinBuilder SpikingEngine Hemodynamics Assimilation
//                   and its job rules, a twin run over MPI         Analyses Plots HDF5Kit Postgres DistributedEngine
//                   ranks), their checks, failure messages         MPIKit
//   Jobs            the durable job queue: enqueue, lease-based    Store Postgres
//                   claims, heartbeats, retries; LISTEN
//   Twins           twin versions: records → build → SONATA        AtlasCatalog Ingest Store Postgres HDF5Kit Sonata
//                   files, runs, assimilation, validation,         TwinBuilder SpikingEngine Recorders Hemodynamics
//                   history                                        Assimilation Analyses
//   SampleSubjects  synthetic BIDS subjects and BOLD runs (files), AtlasCatalog Imaging NIfTI Primitives
//                   ground-truth twin runs                         TwinBuilder SpikingEngine Assimilation
//   Ingest          BIDS subjects: scans, measures, provenance     AtlasCatalog Store Postgres HDF5Kit Imaging NIfTI
//   AtlasCatalog    atlas manifests, label tables, import          Store Postgres HDF5Kit Imaging NIfTI
//   Store           embedded cluster, migrations, file store; the  Postgres CCrypto
//                   vocabulary: measure kinds, NOTIFY payloads,
//                   the JSON style
//   Sonata          twin networks to and from SONATA files         TwinBuilder SpikingEngine HDF5Kit
//   Assimilation    ensemble members, the diffusion EnKF, replay   SpikingEngine Recorders Hemodynamics
//   Analyses        validation metrics: lagged r, FC, FCD, FC–SC;  —
//                   Welch PSD, conditional Granger, avalanches and
//                   power laws, phase synchrony; its own FFT
//   DistributedEngine  partitions over MPI ranks, the MPI spike    SpikingEngine MPIKit
//                   exchange
//   Workloads       benchmark networks from the builder's tables   TwinBuilder SpikingEngine
//   TwinBuilder     scaling rules: records → spiking network       SpikingEngine Primitives
//   Recorders       observers: rasters, counts, unit activity,     SpikingEngine Hemodynamics
//                   BOLD
//   SpikingEngine   the simulator (construction, update,           Primitives
//                   delivery, observers' protocol, snapshots)
//   Hemodynamics    Balloon–Windkessel BOLD                        —
//   Plots           SVG figures: axes, ticks, lines with bands,    —
//                   scatter, error bars, heatmaps, colour scales
//   Imaging         label volumes, resampling, parcellation        NIfTI
//   Postgres        libpq wrapper                                  CLibPQ Primitives
//   HDF5Kit, NIfTI  wrappers of the C libraries                    CHDF5, CNIfTI
//   MPIKit          Open MPI: world, collectives (initialised only CMPI
//                   when launched by mpirun)
//   Primitives      SplitMix64, FNV-1a, DistinctSet                —
//   CLibPQ, CHDF5, CNIfTI, CCrypto, CMPI   system-library targets (CMPI's header is the shim
//                   handing Open MPI's predefined handles, macros, to Swift)
import PackageDescription

/// Debian keeps libnifti's headers in /usr/include/nifti and they include <znzlib.h> unqualified.
let niftiInclude: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I/usr/include/nifti"])]

let package = Package(
    name: "dtb",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dtb", targets: ["dtb"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CNIfTI", providers: [.apt(["libnifti2-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        // Single copies of small utilities (no dependencies).
        .target(name: "Primitives"),

        // Swift wrappers of the C libraries.
        .target(name: "Postgres", dependencies: ["CLibPQ", "Primitives"]),
        .target(name: "HDF5Kit", dependencies: ["CHDF5"]),
        .target(name: "NIfTI", dependencies: ["CNIfTI"], swiftSettings: niftiInclude),
        .target(name: "MPIKit", dependencies: ["CMPI"]),

        // Pure compute.
        .target(name: "Imaging", dependencies: ["NIfTI"]),
        .target(name: "Hemodynamics"),
        // AVX2/FMA code generation for the engine's SIMD8 update loop (x86-64 Linux, every machine kind here).
        .target(name: "SpikingEngine", dependencies: ["Primitives"], swiftSettings: [.unsafeFlags(["-target-cpu", "haswell"])]),
        .target(name: "Recorders", dependencies: ["SpikingEngine", "Hemodynamics"]),
        .target(name: "TwinBuilder", dependencies: ["SpikingEngine", "Primitives"], swiftSettings: [.unsafeFlags(["-target-cpu", "haswell"])]),
        .target(name: "Workloads", dependencies: ["SpikingEngine", "TwinBuilder"]),
        .target(name: "Analyses"),
        .target(name: "Plots"),
        .target(name: "Assimilation", dependencies: ["SpikingEngine", "Recorders", "Hemodynamics"]),
        .target(name: "Interventions", dependencies: ["TwinBuilder", "SpikingEngine", "Recorders", "Hemodynamics", "Assimilation",
                                                      "Primitives"]),
        .target(name: "DistributedEngine", dependencies: ["SpikingEngine", "MPIKit"]),

        // Exchange formats.
        .target(name: "Sonata", dependencies: ["TwinBuilder", "SpikingEngine", "HDF5Kit"]),

        // Storage and catalogue.
        .target(name: "Store", dependencies: ["Postgres", "CCrypto"]),
        .target(name: "AtlasCatalog", dependencies: ["Store", "Imaging", "NIfTI", "HDF5Kit", "Postgres"]),
        .target(name: "Ingest", dependencies: ["AtlasCatalog", "Store", "Imaging", "NIfTI", "HDF5Kit", "Postgres"]),
        .target(name: "SampleSubjects", dependencies: ["AtlasCatalog", "Imaging", "NIfTI", "Primitives", "TwinBuilder", "SpikingEngine",
                                                       "Assimilation"]),
        .target(name: "Jobs", dependencies: ["Store", "Postgres"]),
        .target(name: "Twins", dependencies: ["AtlasCatalog", "Ingest", "Store", "Postgres", "HDF5Kit", "TwinBuilder", "Sonata",
                                              "SpikingEngine", "Recorders", "Hemodynamics", "Assimilation", "Analyses"]),
        .target(name: "Studies", dependencies: ["Twins", "Interventions", "Store", "Postgres", "HDF5Kit", "TwinBuilder", "SpikingEngine",
                                                "Assimilation", "Analyses"]),

        // Workflows (one library under the command line, a worker and an HTTP server) and benchmarks
        // (figures printed by `dtb bench`; no product code depends on them).
        .target(name: "Services", dependencies: ["AtlasCatalog", "Ingest", "Jobs", "SampleSubjects", "Store", "Twins", "Studies", "TwinBuilder",
                                                 "Hemodynamics", "SpikingEngine", "Assimilation", "Analyses", "Plots", "HDF5Kit",
                                                 "Postgres", "DistributedEngine", "MPIKit"]),
        .target(name: "WebService", dependencies: ["Services", "Twins", "Studies", "Jobs", "Ingest", "AtlasCatalog", "Store", "Postgres", "Plots",
                                                   "Analyses", .product(name: "Hummingbird", package: "hummingbird"),
                                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .target(name: "Benchmarks", dependencies: ["AtlasCatalog", "Imaging", "Ingest", "NIfTI", "SampleSubjects", "Services", "Store", "WebService",
                                                   "SpikingEngine", "Recorders", "Workloads", "Hemodynamics", "Twins", "DistributedEngine",
                                                   "MPIKit"]),

        // The command: every ArgumentParser command in a library (Sources/dtb, so that tests run
        // commands in process), and the executable whose main calls it.
        .target(name: "DTBCommands", dependencies: [
            "AtlasCatalog", "Benchmarks", "Ingest", "Jobs", "Services", "SpikingEngine", "Store", "Studies", "TwinBuilder", "Twins", "MPIKit",
            "WebService",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/dtb"),
        .executableTarget(name: "dtb", dependencies: ["DTBCommands"], path: "Sources/DTBMain"),

        // Tests.
        .target(name: "DTBTestSupport", dependencies: ["Store", "Postgres", "NIfTI", "AtlasCatalog", "Ingest", "SampleSubjects"], path: "Tests/DTBTestSupport"),
        .testTarget(name: "DTBTestSupportTests", dependencies: ["DTBTestSupport"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "Store", "DTBTestSupport"]),
        .testTarget(name: "HDF5KitTests", dependencies: ["HDF5Kit", "DTBTestSupport"]),
        .testTarget(name: "NIfTITests", dependencies: ["NIfTI", "DTBTestSupport"], swiftSettings: niftiInclude),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "NIfTI"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "DTBTestSupport"]),
        .testTarget(name: "AtlasCatalogTests", dependencies: ["AtlasCatalog", "Store", "NIfTI", "DTBTestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "AtlasCatalog", "Store", "Imaging", "NIfTI", "HDF5Kit", "Postgres", "DTBTestSupport",
                                                        "Primitives"]),
        .target(name: "CommandTestSupport", dependencies: ["DTBCommands", "DTBTestSupport", "Services", "Store"], path: "Tests/CommandTestSupport"),
        .testTarget(name: "CommandTests", dependencies: ["AtlasCatalog", "Ingest", "Store", "NIfTI", "DTBTestSupport", "CommandTestSupport",
                                                         "Postgres", "SampleSubjects", "Services", "Benchmarks"]),
        .testTarget(name: "HemodynamicsTests", dependencies: ["Hemodynamics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikingEngineTests", dependencies: ["SpikingEngine", "Recorders", "Workloads"]),
        .testTarget(name: "RecordersTests", dependencies: ["Recorders", "SpikingEngine", "Hemodynamics", "Workloads"]),
        .testTarget(name: "AnalysesTests", dependencies: ["Analyses", "Primitives"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"]),
        .testTarget(name: "AssimilationTests", dependencies: ["Assimilation", "Analyses", "Primitives", "SpikingEngine", "Recorders", "Hemodynamics"]),
        .target(name: "TwinFixtures", dependencies: ["TwinBuilder", "Primitives"], path: "Tests/TwinFixtures"),
        .testTarget(name: "InterventionsTests", dependencies: ["Interventions", "TwinBuilder", "SpikingEngine", "Recorders", "Analyses",
                                                               "TwinFixtures"]),
        .testTarget(name: "TwinBuilderTests", dependencies: ["TwinBuilder", "SpikingEngine", "TwinFixtures"]),
        .testTarget(name: "SonataTests", dependencies: ["Sonata", "TwinBuilder", "SpikingEngine", "Recorders", "HDF5Kit", "TwinFixtures"]),
        .testTarget(name: "TwinsTests", dependencies: ["Twins", "TwinBuilder", "SpikingEngine", "Ingest", "AtlasCatalog", "Store", "HDF5Kit",
                                                       "Recorders", "DTBTestSupport", "TwinFixtures", "SampleSubjects", "Assimilation",
                                                       "Studies", "Interventions", "NIfTI"]),
        .testTarget(name: "MPITests", dependencies: ["MPIKit", "DistributedEngine", "DTBTestSupport", "CommandTestSupport", "Store"]),
        .testTarget(name: "WebServiceTests", dependencies: ["WebService", "Services", "Store", "Postgres", "DTBTestSupport", "CommandTestSupport",
                                                            "SampleSubjects", "Twins", "TwinBuilder", "Jobs", "Ingest", "Studies", "Benchmarks",
                                                            .product(name: "Hummingbird", package: "hummingbird"),
                                                            .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs", "Services", "Twins", "TwinBuilder", "Ingest", "Store", "Postgres",
                                                      "DTBTestSupport", "CommandTestSupport", "SampleSubjects", "Assimilation"]),
    ]
)
