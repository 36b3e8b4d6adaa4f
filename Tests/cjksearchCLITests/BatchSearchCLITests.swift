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
            let single = try run(["search", "--index", index, "--json", "--no-relax", "--limit", "3", q])   // --batch: exact matches only
            let ids = single.stdout.split(separator: "\n").map {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
            }
            XCTAssertEqual(o["ids"] as? [String], ids.compactMap { $0 }, q)
            let count = try run(["search", "--index", index, "--count", q])
            XCTAssertEqual(o["count"] as? Int, Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), q)
            XCTAssertNotNil(o["micros"] as? Int, q)
            XCTAssertEqual(o["count_exact"] as? Bool, true, "fewer matches than the exact-count threshold: \(q)")
        }
        let bad = objects[queries.count]
        XCTAssertEqual(bad["query"] as? String, "(unclosed")
        XCTAssertEqual(bad["code"] as? String, "invalidQuery")
        XCTAssertEqual(bad["line"] as? Int, queries.count + 2)
        XCTAssertNotNil(bad["error"] as? String)
        XCTAssertEqual(objects.last?["query"] as? String, "重慶", "CR line end dropped")
        XCTAssertEqual(objects.last?["count"] as? Int, objects[0]["count"] as? Int)
        // --runs 3: the file three times in one process, each result printed once, as in one run.
        let rounds = try run(["search", "--index", index, "--batch", file, "--limit", "3", "--json", "--runs", "3"])
        XCTAssertEqual(rounds.status, 1, rounds.stderr)
        XCTAssertTrue(rounds.stderr.contains("1 of the queries"), rounds.stderr)
        let again = try rounds.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(again.count, objects.count)
        for (a, o) in zip(again, objects) {
            for key in ["query", "class", "error", "code"] { XCTAssertEqual(a[key] as? String, o[key] as? String, key) }
            XCTAssertEqual(a["ids"] as? [String], o["ids"] as? [String])
            XCTAssertEqual(a["count"] as? Int, o["count"] as? Int)
            XCTAssertEqual(a["micros"] == nil, o["micros"] == nil)
        }
    }

    /// `--count-threshold 0` prunes from the first full top k: the same ids, a count that is at
    /// most the exact one and flagged when it is a lower bound; `--exact-count` counts everything.
    func testCountThresholdOptions() throws {
        let index = try corpusIndex()
        let queries = ["的", "重", "重慶", "經開區 OR 的", "在 -重慶"]
        let input = queries.joined(separator: "\n") + "\n"
        func batch(_ extra: [String]) throws -> [[String: Any]] {
            let r = try run(["search", "--index", index, "--batch", "-", "--limit", "2", "--json"] + extra, stdin: input)
            XCTAssertEqual(r.status, 0, r.stderr)
            return try r.stdout.split(separator: "\n").map {
                try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
        let exact = try batch(["--exact-count"]), pruned = try batch(["--count-threshold", "0"])
        XCTAssertEqual(exact.count, queries.count)
        var lowerBounds = 0
        var lowerBoundQuery: String?
        for (e, p) in zip(exact, pruned) {
            let q = e["query"] as? String ?? ""
            XCTAssertEqual(e["count_exact"] as? Bool, true, q)
            XCTAssertEqual(p["ids"] as? [String], e["ids"] as? [String], q)
            let n = try XCTUnwrap(e["count"] as? Int), m = try XCTUnwrap(p["count"] as? Int)
            XCTAssertLessThanOrEqual(m, n, q)
            if p["count_exact"] as? Bool == true { XCTAssertEqual(m, n, q) } else { lowerBounds += 1; lowerBoundQuery = q }
            let single = try run(["search", "--index", index, "--count", q])
            XCTAssertEqual(Int(single.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), n, q)
        }
        XCTAssertGreaterThan(lowerBounds, 0, "frequent terms prune on this corpus")
        // The same search as text says its count is a lower bound.
        let text = try run(["search", "--index", index, "--count-threshold", "0", "--limit", "2", lowerBoundQuery ?? ""])
        XCTAssertTrue(text.stdout.contains("at least "), text.stdout)
        let both = try run(["search", "--index", index, "--exact-count", "--count-threshold", "5", "的"])
        XCTAssertNotEqual(both.status, 0)
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
        let noRuns = try run(["search", "--index", index, "--batch", "-", "--runs", "0"])
        XCTAssertNotEqual(noRuns.status, 0)
        XCTAssertTrue(noRuns.stderr.contains("--runs"), noRuns.stderr)
        let runsAlone = try run(["search", "--index", index, "--runs", "2", "重慶"])
        XCTAssertNotEqual(runsAlone.status, 0)
        XCTAssertTrue(runsAlone.stderr.contains("--batch"), runsAlone.stderr)
    }
}

extension CLITests {
    /// `bench query` draws queries of every class from a corpus, times them and prints a table;
    /// the queries it writes run again from the file.
    func testBenchQuery() throws {
        let dir = temporaryDirectory()
        XCTAssertEqual(try run(["corpus", "--size", "400KB", "--seed", "3", "--out", dir + "/c.jsonl"]).status, 0)
        XCTAssertEqual(try run(["index", "--index", dir + "/idx", "--quiet", dir + "/c.jsonl"]).status, 0)
        let r = try run(["bench", "query", "--index", dir + "/idx", "--corpus", dir + "/c.jsonl", "--per-class", "4",
                         "--runs", "1", "--threads", "2", "--write-queries", dir + "/q.tsv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("index open: "), r.stdout)
        let rows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| class") }
        XCTAssertEqual(rows.map { String($0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces)) },
                       ["1char", "2char", "phrase4", "phrase6-10", "and2-3", "or", "not"], r.stdout)
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(cells[1], "4", String(row))
            XCTAssertTrue(cells[2...].allSatisfy { Double($0) != nil }, String(row))
        }
        let file = try String(contentsOfFile: dir + "/q.tsv", encoding: .utf8)
        XCTAssertEqual(file.split(separator: "\n").count, 28)
        // Every drawn query matches at least one document (it was cut from one).
        let batch = try run(["search", "--index", dir + "/idx", "--batch", dir + "/q.tsv", "--json", "--limit", "1"])
        XCTAssertEqual(batch.status, 0, batch.stderr)
        for line in batch.stdout.split(separator: "\n") {
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if o["class"] as? String != "not" { XCTAssertGreaterThan(o["count"] as? Int ?? 0, 0, String(line)) }
        }
        let again = try run(["bench", "query", "--index", dir + "/idx", "--queries", dir + "/q.tsv", "--runs", "1"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") }.count, 1 + 7)   // header and classes
        let neither = try run(["bench", "query", "--index", dir + "/idx"])
        XCTAssertNotEqual(neither.status, 0)
    }
}
