import Foundation
import XCTest

/// `cjksearch search --batch`: one result line per query, the same counts and ids as single
/// searches, labels, bad queries reported without stopping the batch.
extension CLITests {
    func testBatchMatchesSingleSearches() throws {
        let index = try corpusIndex()
        let queries = ["重慶", "經開區", "重慶 -廣告", "(涪陵 OR 經開區) 重慶", "\"重慶 經開\"", "不存在的詞語"]
        let dir = temporaryDirectory()
        let file = dir + "/q.tsv"
        let lines = queries.enumerated().map { $0.offset % 2 == 0 ? "c\($0.offset)\t\($0.element)" : $0.element }
            + ["", "(unclosed", "重慶\r"]
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let r = try run(["search", "--index", index, "--batch", file, "--limit", "3", "--json"])
        XCTAssertEqual(r.status, 1, "a bad query makes the status 1: \(r.stderr)")
        XCTAssertTrue(r.stderr.contains("1 of the queries"), r.stderr)
        let objects = try r.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(objects.count, queries.count + 2, r.stdout)
        for (i, q) in queries.enumerated() {
            let o = objects[i]
            XCTAssertEqual(o["query"] as? String, q)
            XCTAssertEqual(o["class"] as? String, i % 2 == 0 ? "c\(i)" : nil, q)
            let single = try run(["search", "--index", index, "--json", "--limit", "3", q])
            let ids = single.stdout.split(separator: "\n").map {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
            }
            XCTAssertEqual(o["ids"] as? [String], ids.compactMap { $0 }, q)
            let count = try run(["search", "--index", index, "--count", q])
            XCTAssertEqual(o["count"] as? Int, Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), q)
            XCTAssertNotNil(o["micros"] as? Int, q)
        }
        let bad = objects[queries.count]
        XCTAssertEqual(bad["query"] as? String, "(unclosed")
        XCTAssertEqual(bad["code"] as? String, "invalidQuery")
        XCTAssertEqual(bad["line"] as? Int, queries.count + 2)
        XCTAssertNotNil(bad["error"] as? String)
        XCTAssertEqual(objects.last?["query"] as? String, "重慶", "CR line end dropped")
        XCTAssertEqual(objects.last?["count"] as? Int, objects[0]["count"] as? Int)
    }

    func testBatchFromStandardInputAsText() throws {
        let index = try corpusIndex()
        let r = try run(["search", "--index", index, "--batch", "-", "--limit", "2"], stdin: "重慶\n經開區\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows.map { String($0[2]) }, ["重慶", "經開區"])
        XCTAssertEqual(rows.map { $0[3].split(separator: " ").count }, [2, min(2, Int(rows[1][0])!)])
    }

    func testBatchErrors() throws {
        let index = try corpusIndex()
        let missing = try run(["search", "--index", index, "--batch", "/nonexistent/q.txt"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/q.txt"), missing.stderr)
        let both = try run(["search", "--index", index, "--batch", "-", "重慶"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("not both"), both.stderr)
    }
}
