import Foundation
import XCTest
@testable import CJKSearch

/// Damaged files must give a clear SearchError from search and from check, never a crash and
/// never silently different results.
final class CorruptionTests: XCTestCase {
    let queries = ["重慶", "經開區", "東京 OR 서울", "京", "\"高質量 發展\"", "the", "発展 -東京"]

    func buildIndex() throws -> String {
        let dir = makeTemporaryDirectory(self)
        let docs = try TestCorpus.corpusDocuments() + TestCorpus.mixedDocuments(count: 40, seed: 4)
        let index = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 25)
        let w = try index.writer()
        try w.delete(id: "mixed-0003")
        try w.commit()
        w.close()
        return dir
    }

    func results(_ dir: String) throws -> [String] {
        let s = try SearchIndex.open(at: dir).searcher()
        var out: [String] = []
        for q in queries {
            let r = try s.search(q, limit: 100)
            out.append("\(r.totalCount) " + r.hits.map { "\($0.id):\($0.score):\($0.snippet?.text ?? "")" }.joined(separator: ","))
        }
        if let d = try s.document(id: "mixed-0010") { out.append(d.body) }
        return out
    }

    func copyIndex(_ from: String) throws -> String {
        let to = makeTemporaryDirectory(self)
        try FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
        return to
    }

    /// Applies `damage` to a copy and checks the outcome.
    func expectDetectedOrHarmless(_ original: String, baseline: [String], file: String, _ what: String,
                                  _ damage: (inout [UInt8]) -> Void) throws {
        let dir = try copyIndex(original)
        let path = dir + "/" + file
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        damage(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var searchDetected = false
        do {
            let got = try results(dir)
            XCTAssertEqual(got, baseline, "\(what) on \(file): search returned different results without an error")
        } catch let e as SearchError {
            searchDetected = true
            XCTAssertNotNil(e.path, "\(what) on \(file): error names no file: \(e)")
        }
        do {
            _ = try SearchIndex.open(at: dir).check()
            XCTAssertFalse(searchDetected, "\(what) on \(file): search saw damage that check missed")
        } catch let e as SearchError {
            XCTAssertTrue([.corrupt, .notAnIndex, .formatTooNew, .formatTooOld, .indexNotFound].contains(e.code), "\(e)")
        }
    }

    func testRandomDamageToEveryFile() throws {
        let original = try buildIndex()
        let baseline = try results(original)
        XCTAssertNoThrow(try SearchIndex.open(at: original).check())
        let files = try FileManager.default.contentsOfDirectory(atPath: original).filter { $0 != "LOCK" }.sorted()
        XCTAssertTrue(files.contains { $0.hasSuffix(".seg") })
        XCTAssertTrue(files.contains { $0.hasSuffix(".del") })
        XCTAssertTrue(files.contains("MANIFEST"))
        var rng = SeededRandom(seed: 99)
        for file in files {
            for trial in 0 ..< 12 {
                try expectDetectedOrHarmless(original, baseline: baseline, file: file, "bit flip \(trial)") { b in
                    let i = Int(rng.next() % UInt64(b.count))
                    b[i] ^= UInt8(1 << (rng.next() % 8))
                }
            }
            for trial in 0 ..< 4 {
                try expectDetectedOrHarmless(original, baseline: baseline, file: file, "truncation \(trial)") { b in
                    b.removeLast(1 + Int(rng.next() % UInt64(b.count)))
                }
            }
            try expectDetectedOrHarmless(original, baseline: baseline, file: file, "zeroed page") { b in
                let start = Int(rng.next() % UInt64(b.count))
                for i in start ..< min(b.count, start + 4096) { b[i] = 0 }
            }
            try expectDetectedOrHarmless(original, baseline: baseline, file: file, "emptied") { b in b.removeAll() }
        }
    }

    func testFileSwappedFromAnotherSegmentOrIndexIsDetected() throws {
        let a = try buildIndex()
        let b = try buildIndex()
        let segsA = try FileManager.default.contentsOfDirectory(atPath: a).filter { $0.hasSuffix(".seg") }.sorted()
        let segsB = try FileManager.default.contentsOfDirectory(atPath: b).filter { $0.hasSuffix(".seg") }.sorted()
        XCTAssertGreaterThan(segsA.count, 1)
        // Another index's segment under this index's name.
        let dir1 = try copyIndex(a)
        try FileManager.default.removeItem(atPath: dir1 + "/" + segsA[0])
        try FileManager.default.copyItem(atPath: b + "/" + segsB[0], toPath: dir1 + "/" + segsA[0])
        assertThrowsSearchError(.corrupt) { _ = try SearchIndex.open(at: dir1).searcher() }
        assertThrowsSearchError(.corrupt) { _ = try SearchIndex.open(at: dir1).check() }
        // Two segments of the same index swapped.
        let dir2 = try copyIndex(a)
        try FileManager.default.moveItem(atPath: dir2 + "/" + segsA[0], toPath: dir2 + "/x")
        try FileManager.default.moveItem(atPath: dir2 + "/" + segsA[1], toPath: dir2 + "/" + segsA[0])
        try FileManager.default.moveItem(atPath: dir2 + "/x", toPath: dir2 + "/" + segsA[1])
        assertThrowsSearchError(.corrupt) { _ = try SearchIndex.open(at: dir2).searcher() }
    }

    func testMissingSegmentFileIsAClearError() throws {
        let a = try buildIndex()
        let dir = try copyIndex(a)
        let seg = try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".seg") }!
        try FileManager.default.removeItem(atPath: dir + "/" + seg)
        do {
            _ = try SearchIndex.open(at: dir).searcher()
            XCTFail("opened an index with a missing segment")
        } catch let e as SearchError {
            XCTAssertTrue(e.path?.hasSuffix(seg) ?? false, "\(e)")
        }
    }

    func testNotAnIndexAndFutureVersion() throws {
        let a = try buildIndex()
        let dir = try copyIndex(a)
        try Data("hello, world, this is not an index file at all".utf8).write(to: URL(fileURLWithPath: dir + "/MANIFEST"))
        assertThrowsSearchError(.notAnIndex) { _ = try SearchIndex.open(at: dir).searcher() }
        // A manifest from a newer format version.
        let dir2 = try copyIndex(a)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir2 + "/MANIFEST")))
        bytes[4] = 99
        try Data(bytes).write(to: URL(fileURLWithPath: dir2 + "/MANIFEST"))
        assertThrowsSearchError(.formatTooNew) { _ = try SearchIndex.open(at: dir2).searcher() }
    }
}
