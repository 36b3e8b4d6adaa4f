import XCTest
@testable import CJKSearch

/// Readers against a writer that replaces documents, commits and merges: an old snapshot keeps
/// answering after its files are merged away and removed; a search never sees a document twice
/// or half replaced.
final class ConcurrencyTests: XCTestCase {
    func testOldSnapshotOutlivesItsFiles() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = TestCorpus.mixedDocuments(count: 160, seed: 51)
        let index = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 40)
        let old = try index.searcher()
        let queries = ["重慶", "東京", "서울", "the", "的 OR の"]
        let before = try queries.map { try old.search($0, limit: 50).hits.map { "\($0.id) \($0.score) \($0.snippet?.text ?? "")" } }
        let oldFiles = Set(try FileIO.listDirectory(dir).filter { $0.hasSuffix(".seg") })
        XCTAssertGreaterThan(oldFiles.count, 2)
        // Merge everything into one segment and replace some documents: the old files go.
        let writer = try index.writer()
        for d in docs.prefix(30) {
            var changed = d
            changed.body += " 追加の文"
            try writer.add(changed)
        }
        _ = try writer.commit()
        _ = try writer.merge(maxSegments: 1)
        writer.close()
        let now = Set(try FileIO.listDirectory(dir).filter { $0.hasSuffix(".seg") })
        XCTAssertTrue(now.isDisjoint(with: oldFiles), "the old segments' files were removed: \(now) \(oldFiles)")
        // The old snapshot answers exactly as before, stored text and snippets included.
        let after = try queries.map { try old.search($0, limit: 50).hits.map { "\($0.id) \($0.score) \($0.snippet?.text ?? "")" } }
        XCTAssertEqual(after, before)
        XCTAssertEqual(try old.document(id: docs[0].id)?.body, docs[0].body)
        XCTAssertEqual(try index.searcher().document(id: docs[0].id)?.body, docs[0].body + " 追加の文")
    }

    /// Writers replace the same ids over and over while readers search: every snapshot holds each
    /// id exactly once (never both copies, never none), in its old or its new version.
    func testReplacementsAreAtomicForReaders() throws {
        let dir = makeTemporaryDirectory(self)
        let ids = (0 ..< 60).map { "doc-\($0)" }
        let index = try TestCorpus.buildIndex(at: dir, ids.map { Document(id: $0, title: "", body: "共通の言葉 版0") })
        let stop = ManagedAtomicFlag()
        let failures = LockedList()
        let group = DispatchGroup()
        for t in 0 ..< 2 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var searches = 0
                while !stop.isSet || searches < 5 {
                    do {
                        let s = try index.searcher()
                        let r = try s.search("共通", limit: 1000, options: SearchOptions(snippets: false, totalCountThreshold: .max))
                        let found = r.hits.map(\.id)
                        if r.totalCount != ids.count || Set(found) != Set(ids) || found.count != ids.count {
                            failures.append("thread \(t): \(r.totalCount) matches, \(found.count) hits, \(Set(found).count) ids")
                        }
                        searches += 1
                    } catch {
                        failures.append("thread \(t): \(error)")
                    }
                }
            }
        }
        let writer = try index.writer(options: IndexWriterOptions(mergePolicy: TieredMergePolicy()))
        for round in 1 ... 12 {
            for (i, id) in ids.enumerated() where i % 3 != round % 3 {
                try writer.add(Document(id: id, title: "", body: "共通の言葉 版\(round)"))
            }
            _ = try writer.commit()
            if round % 4 == 0 { _ = try writer.merge(maxSegments: 1) }
        }
        writer.close()
        stop.set()
        group.wait()
        XCTAssertEqual(failures.items, [])
        XCTAssertNoThrow(try index.check())
    }
}
