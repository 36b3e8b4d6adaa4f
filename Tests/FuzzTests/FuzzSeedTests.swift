import XCTest
@testable import CJKSearch
@testable import cjksearch_fuzz

/// Every fuzz target over its seed inputs (`Tests/FuzzTests/Seeds/<target>/`), as a regression
/// test: a crash that a fuzzing run found is kept there once fixed. The seeds of the index files
/// must be of the current format, or fuzzing would stop at the version check
/// (`swift run cjksearch-fuzz make-seeds Tests/FuzzTests/Seeds` writes them anew).
final class FuzzSeedTests: XCTestCase {
    static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Seeds").path

    func seedFiles(_ target: FuzzTarget) -> [String] {
        FuzzMain.inputFiles(FuzzSeedTests.seeds + "/" + target.rawValue)
    }

    func testEveryTargetRunsOverItsSeeds() throws {
        for target in FuzzTarget.allCases {
            let files = seedFiles(target)
            XCTAssertGreaterThanOrEqual(files.count, 2, "\(target): seeds missing")
            for file in files {
                let data = try XCTUnwrap(FileManager.default.contents(atPath: file))
                [UInt8](data).withUnsafeBufferPointer { target.run($0) }
            }
        }
    }

    func testIndexSeedsAreOfTheCurrentFormat() throws {
        // The .seg files are sound segments; other files there are inputs that once failed.
        let segments = seedFiles(.segment).filter { $0.hasSuffix(".seg") }
        XCTAssertGreaterThanOrEqual(segments.count, 2)
        for file in segments {
            let dir = makeFuzzTestDirectory()
            try FileManager.default.copyItem(atPath: file, toPath: dir + "/s.seg")
            let reader = try SegmentReader(directory: dir, name: "s", expectedID: nil)
            XCTAssertGreaterThan(reader.documentCount, 0)
            XCTAssertEqual(try SearchIndex.checkSegment(reader).documents, reader.documentCount)
        }
        let manifest = seedFiles(.manifest)
        XCTAssertTrue(manifest.contains { $0.hasSuffix("/" + Manifest.fileName) })
        XCTAssertTrue(manifest.contains { $0.hasSuffix(".del") })
        let dir = makeFuzzTestDirectory()
        try FileManager.default.copyItem(atPath: FuzzSeedTests.seeds + "/manifest/" + Manifest.fileName, toPath: dir + "/" + Manifest.fileName)
        XCTAssertEqual(try Manifest.read(directory: dir).segments.count, segments.count)
    }

    /// Resealing leaves a sound file as it is, and makes a file with changed section bytes pass
    /// every checksum, so that mutations reach the decoders.
    func testResealRecomputesEveryChecksum() throws {
        let file = try XCTUnwrap(seedFiles(.segment).first { $0.hasSuffix(".seg") })
        let sound = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: file)))
        XCTAssertEqual(Reseal.reseal(sound), sound)
        var damaged = sound
        damaged[FileFormat.headerSize + 3] ^= 0x40
        damaged[4] = 6   // the version stays; the header's table checksum must be recomputed too
        damaged[20] ^= 1
        let parse = { (b: [UInt8]) in try b.withUnsafeBytes { try FileFormat.parse(ByteReader($0, path: "x"), expecting: .segment).verify() } }
        XCTAssertThrowsError(try parse(damaged))
        XCTAssertNoThrow(try parse(Reseal.reseal(damaged)))
        // Bytes without a parsable footer are left alone.
        XCTAssertEqual(Reseal.reseal(Array(sound.prefix(100))), Array(sound.prefix(100)))
    }

    func makeFuzzTestDirectory() -> String {
        let dir = NSTemporaryDirectory() + "/fuzz-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }
}
