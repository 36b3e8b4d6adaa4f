// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CJKSearch",
    products: [
        .library(name: "CJKSearch", targets: ["CJKSearch"]),
        .executable(name: "cjksearch", targets: ["cjksearch"]),
        .executable(name: "cjksearch-fuzz", targets: ["cjksearch-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libzstd through pkg-config; Debian: `apt-get install libzstd-dev`.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        // zlib through pkg-config, for gzip input (.jsonl.gz, .warc.gz); Debian: `apt-get install zlib1g-dev`.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libedit (line editing and history for the REPL); Debian: `apt-get install libedit-dev`.
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),
        // Kernels for hot loops that Swift cannot express: prefetch hints, a branch-free binary
        // search (a header of static inline functions).
        .target(name: "CKernels"),
        // CRC-32C with the processor's instruction (SSE 4.2, AArch64 CRC); Swift has no intrinsic.
        .target(name: "CCRC32C"),
        // The whole engine, in one module so that hot loops are optimized within it.
        .target(
            name: "CJKSearch",
            dependencies: ["CZstd", "CZlib", "CKernels", "CCRC32C"],
            swiftSettings: [
                // Internal consistency checks; they cost time, so only in debug builds.
                .define("SEARCH_INTERNAL_CHECKS", .when(configuration: .debug)),
            ]
        ),
        // The crawl-like corpus generator (Corpus/Generator) and its learned model (Corpus/model).
        .target(
            name: "CorpusGenerator",
            path: "Corpus",
            exclude: ["README.md", "model/learn_model.py", "model/ko-sample.sentences",
                      "000_e5b6ae4aa6c02ba4.txt", "001_7736c2862d5d12bf.txt", "002_6d643657cc6bd2cc.txt",
                      "003_6ae927c52d330647.txt", "004_f1aac2ba4ab8f433.txt"],
            sources: ["Generator"],
            resources: [.copy("model/cjk-model.bin")]
        ),
        // The command-line tool and REPL: a thin layer over the public API.
        .executableTarget(
            name: "cjksearch",
            dependencies: [
                "CJKSearch",
                "CorpusGenerator",
                "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fuzz targets (scripts/fuzz.sh builds them with libFuzzer; an ordinary build replays the
        // seed inputs of Tests/FuzzTests/Seeds through them).
        .executableTarget(
            name: "cjksearch-fuzz",
            dependencies: ["CJKSearch"],
            path: "Sources/cjksearch-fuzz"
        ),
        .testTarget(
            name: "CJKSearchTests",
            dependencies: ["CJKSearch"],
            path: "Tests/CJKSearchTests"
        ),
        .testTarget(
            name: "CorpusGeneratorTests",
            dependencies: ["CorpusGenerator"],
            path: "Tests/CorpusGeneratorTests"
        ),
        // End-to-end tests of the executable.
        .testTarget(
            name: "cjksearchCLITests",
            dependencies: ["cjksearch"],
            path: "Tests/cjksearchCLITests"
        ),
        .testTarget(
            name: "FuzzTests",
            dependencies: ["cjksearch-fuzz"],
            path: "Tests/FuzzTests",
            exclude: ["Seeds"]
        ),
        // Benchmarks: run only when CJKSEARCH_BENCH=1, in release:
        // `CJKSEARCH_BENCH=1 swift test -c release --filter CJKSearchBenchmarks`
        .testTarget(
            name: "CJKSearchBenchmarks",
            dependencies: ["CJKSearch", "CorpusGenerator"],
            path: "Benchmarks/CJKSearchBenchmarks"
        ),
    ],
    swiftLanguageModes: [.v6]
)
