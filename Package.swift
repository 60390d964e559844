// swift-tools-version:6.1
// dtb — the digital twin brain platform.
//
// Layers (dependencies point down only):
//   dtb (command line)
//   Twins                             twin versions: records → build → SONATA files, runs, history
//   Ingest                            BIDS subjects: scans, parcellated measures, provenance
//   AtlasCatalog                      atlas manifests, label tables, import into the store
//   Store                             embedded PostgreSQL cluster, migrations, atlas records
//   Imaging                           label volumes, resampling, parcellation (pure compute on images)
//   Sonata                            twin networks to and from SONATA circuit files (no database)
//   TwinBuilder                       scaling rules: subject records → spiking network (pure compute)
//   SpikingEngine, Hemodynamics       the simulator (pure compute, never touches the database)
//   Postgres, HDF5Kit, NIfTI          Swift-shaped wrappers of the C libraries
//   CLibPQ, CHDF5, CNIfTI, CCrypto    system-library targets
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
    ],
    targets: [
        // System libraries.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CNIfTI", providers: [.apt(["libnifti2-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Swift wrappers of the C libraries.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "HDF5Kit", dependencies: ["CHDF5"]),
        .target(name: "NIfTI", dependencies: ["CNIfTI"], swiftSettings: niftiInclude),

        // Pure compute.
        .target(name: "Imaging", dependencies: ["NIfTI"]),
        .target(name: "Hemodynamics"),
        // AVX2/FMA code generation for the engine's SIMD8 update loop (x86-64 Linux, every machine kind here).
        .target(name: "SpikingEngine", dependencies: ["Hemodynamics"], swiftSettings: [.unsafeFlags(["-target-cpu", "haswell"])]),
        .target(name: "TwinBuilder", dependencies: ["SpikingEngine"], swiftSettings: [.unsafeFlags(["-target-cpu", "haswell"])]),

        // Exchange formats.
        .target(name: "Sonata", dependencies: ["TwinBuilder", "SpikingEngine", "HDF5Kit"]),

        // Storage and catalogue.
        .target(name: "Store", dependencies: ["Postgres", "HDF5Kit", "CCrypto"]),
        .target(name: "AtlasCatalog", dependencies: ["Store", "Imaging", "NIfTI", "HDF5Kit", "Postgres"]),
        .target(name: "Ingest", dependencies: ["AtlasCatalog", "Store", "Imaging", "NIfTI", "HDF5Kit", "Postgres"]),
        .target(name: "Twins", dependencies: ["AtlasCatalog", "Store", "Postgres", "HDF5Kit", "TwinBuilder", "Sonata",
                                              "SpikingEngine", "Hemodynamics"]),

        // The command.
        .executableTarget(name: "dtb", dependencies: [
            "AtlasCatalog", "Ingest", "Store", "SpikingEngine", "Hemodynamics", "Imaging", "TwinBuilder", "Twins",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests.
        .target(name: "DTBTestSupport", dependencies: ["Store", "Postgres", "NIfTI", "AtlasCatalog", "Ingest"], path: "Tests/DTBTestSupport"),
        .testTarget(name: "DTBTestSupportTests", dependencies: ["DTBTestSupport"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "Store", "DTBTestSupport"]),
        .testTarget(name: "HDF5KitTests", dependencies: ["HDF5Kit", "DTBTestSupport"]),
        .testTarget(name: "NIfTITests", dependencies: ["NIfTI", "DTBTestSupport"], swiftSettings: niftiInclude),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "NIfTI"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "DTBTestSupport"]),
        .testTarget(name: "AtlasCatalogTests", dependencies: ["AtlasCatalog", "Store", "NIfTI", "DTBTestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "AtlasCatalog", "Store", "Imaging", "NIfTI", "HDF5Kit", "Postgres", "DTBTestSupport"]),
        .testTarget(name: "CommandTests", dependencies: ["AtlasCatalog", "Ingest", "Store", "NIfTI", "DTBTestSupport"]),
        .testTarget(name: "HemodynamicsTests", dependencies: ["Hemodynamics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikingEngineTests", dependencies: ["SpikingEngine"]),
        .target(name: "TwinFixtures", dependencies: ["TwinBuilder"], path: "Tests/TwinFixtures"),
        .testTarget(name: "TwinBuilderTests", dependencies: ["TwinBuilder", "SpikingEngine", "TwinFixtures"]),
        .testTarget(name: "SonataTests", dependencies: ["Sonata", "TwinBuilder", "SpikingEngine", "HDF5Kit", "TwinFixtures"]),
        .testTarget(name: "TwinsTests", dependencies: ["Twins", "TwinBuilder", "SpikingEngine", "Ingest", "AtlasCatalog", "Store", "HDF5Kit",
                                                       "DTBTestSupport", "TwinFixtures"]),
    ]
)
