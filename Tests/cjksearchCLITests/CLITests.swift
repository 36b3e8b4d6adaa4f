import Foundation
import XCTest

/// End-to-end tests of the `cjksearch` executable: exact outputs, exit statuses, stderr.
final class CLITests: XCTestCase {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [dir.appendingPathComponent("cjksearch").path]
        // The test bundle may be one level down (…/debug/X.xctest/…).
        candidates.append(dir.deletingLastPathComponent().appendingPathComponent("cjksearch").path)
        if let b = Bundle.main.executableURL?.deletingLastPathComponent() { candidates.append(b.appendingPathComponent("cjksearch").path) }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) { return c }
        return candidates[0]
    }

    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:], cwd: String? = nil) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "cjksearch-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func corpusIndex() throws -> String {
        let dir = temporaryDirectory() + "/index"
        let r = try run(["index", "--index", dir, CLITests.repository + "/Corpus"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("indexed 5 documents"), r.stdout)
        XCTAssertTrue(r.stderr.contains("committed 5 documents"), r.stderr)
        return dir
    }

    func testSearchTextJSONAndCount() throws {
        let index = try corpusIndex()
        let text = try run(["search", "--index", index, "重慶經開區"])
        XCTAssertEqual(text.status, 0)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("1 document matches"), lines[0])
        XCTAssertTrue(lines[1].hasSuffix("000_e5b6ae4aa6c02ba4.txt"), lines[1])
        XCTAssertTrue(text.stdout.contains("«重慶經開區»"), text.stdout)
        XCTAssertFalse(text.stdout.contains("\u{1B}["), "no colour when not on a terminal")

        let json = try run(["search", "--index", index, "--json", "--limit", "2", "重慶"])
        XCTAssertEqual(json.status, 0)
        let objects = try json.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(objects.count, 2)
        for o in objects {
            XCTAssertEqual(Set(o.keys), ["id", "score", "title", "snippet", "match"])
            XCTAssertEqual(o["match"] as? String, "exact")
            XCTAssertTrue((o["snippet"] as? String)?.contains("<mark>重慶</mark>") ?? false)
        }
        let count = try run(["search", "--index", index, "--count", "重慶"])
        XCTAssertEqual(count.stdout, "4\n")
        let all = try run(["search", "--index", index, "--json", "--limit", "1000000", "重慶"])
        XCTAssertEqual(all.stdout.split(separator: "\n").count, 4)
    }

    func testMalformedQueryAndMissingIndexFail() throws {
        let index = try corpusIndex()
        let bad = try run(["search", "--index", index, "\"unclosed"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("unclosed quote"), bad.stderr)
        XCTAssertEqual(bad.stdout, "")
        let missing = try run(["search", "--index", "/nonexistent/idx", "x"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/idx"), missing.stderr)
    }

    /// Traditional → simplified folding is on by default and can be turned off when an index is
    /// created; an existing index keeps its setting, and an explicit flag that disagrees fails.
    func testTraditionalSimplifiedFolding() throws {
        let dir = temporaryDirectory()
        let on = try corpusIndex()
        XCTAssertEqual(try run(["search", "--index", on, "--count", "重慶經開區"]).stdout, "1\n")
        XCTAssertEqual(try run(["search", "--index", on, "--count", "重庆经开区"]).stdout, "1\n")
        let off = dir + "/off"
        let r = try run(["index", "--index", off, "--no-ts-folding", "--quiet", CLITests.repository + "/Corpus"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try run(["search", "--index", off, "--count", "重慶經開區"]).stdout, "1\n")
        XCTAssertEqual(try run(["search", "--index", off, "--count", "重庆经开区"]).stdout, "0\n")
        for (index, folding) in [(on, true), (off, false)] {
            let stats = try run(["stats", "--index", index, "--json"])
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(o["ts_folding"] as? Bool, folding)
        }
        // Adding to the index without the flag keeps its setting; with the other setting, it fails.
        XCTAssertEqual(try run(["index", "--index", off, "--quiet", CLITests.repository + "/Corpus"]).status, 0)
        let clash = try run(["index", "--index", off, "--ts-folding", "--quiet", CLITests.repository + "/Corpus"])
        XCTAssertNotEqual(clash.status, 0)
        XCTAssertTrue(clash.stderr.contains("traditional-to-simplified folding off"), clash.stderr)
        // Searched together, or merged, indexes must be analyzed alike.
        let both = try run(["search", "--index", on, "--index", off, "--count", "重慶"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("analyzed differently"), both.stderr)
        let merged = try run(["merge", "--index", dir + "/m", off])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(try run(["search", "--index", dir + "/m", "--count", "重庆经开区"]).stdout, "0\n")
        XCTAssertNotEqual(try run(["merge", "--index", dir + "/m", on]).status, 0)
    }

    func testJSONLInputWithBadLines() throws {
        let dir = temporaryDirectory()
        let input = dir + "/docs.jsonl"
        var bytes = Data()
        bytes.append(Data(#"{"id":"a","title":"東京","text":"東京都の天気","url":"https://a","n":3}"#.utf8 + [0x0A]))
        bytes.append(Data(#"{"id":"b","text":"#.utf8 + [0x0A]))                                 // line 2: bad JSON
        bytes.append(Data(#"{"title":"no id","text":"x"}"#.utf8 + [0x0A]))                     // line 3: no id
        bytes.append(Data([0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A]))   // line 4: invalid UTF-8
        bytes.append(Data(#"{"id":"c","text":"大阪の天気"}"#.utf8 + [0x0A]))
        bytes.append(Data(#"{"id":"d","title":"t"}"#.utf8 + [0x0A]))                            // line 6: no text
        try bytes.write(to: URL(fileURLWithPath: input))
        let r = try run(["index", "--index", dir + "/idx", input])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(input):2: malformed JSON"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(input):3: no \"id\""), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(input):4: invalid UTF-8"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(input):6: no \"text\""), r.stderr)
        XCTAssertTrue(r.stdout.contains("indexed 2 documents"), r.stdout)
        XCTAssertTrue(r.stdout.contains("skipped 4"), r.stdout)
        let s = try run(["search", "--index", dir + "/idx", "--count", "天気"])
        XCTAssertEqual(s.stdout, "2\n")
        let stats = try run(["stats", "--index", dir + "/idx", "--json"])
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(o["documents"] as? Int, 2)
        XCTAssertEqual(o["segments"] as? Int, 1)
        XCTAssertGreaterThan(o["terms"] as? Int ?? 0, 5)
        XCTAssertGreaterThan(o["bytes"] as? Int ?? 0, 100)
        // Stored fields come back with :show.
        let show = try run(["repl", "--index", dir + "/idx"], stdin: ":show a\n")
        XCTAssertTrue(show.stdout.contains("url: https://a"), show.stdout)
        XCTAssertTrue(show.stdout.contains("n: 3"), show.stdout)
    }

    /// A long query that no page holds verbatim still shows the closest pages, marked as relaxed
    /// and below the exact ones; :explain breaks a hit's score down; --no-relax and --batch show
    /// exact matches only.
    func testRelaxedHitsAndExplain() throws {
        let index = try corpusIndex()
        let id = "\(CLITests.repository)/Corpus/000_e5b6ae4aa6c02ba4.txt"
        let r = try run(["repl", "--index", index], stdin: "重慶經開區調研活動\n:explain \(id)\n:explain nope\n重慶經開區\n:explain \(id)\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("0 documents match"), r.stdout)
        XCTAssertTrue(r.stdout.contains("-- at least half of the terms of each phrase:\n1. "), r.stdout)
        XCTAssertTrue(r.stdout.contains("someTerms match of"), r.stdout)
        XCTAssertTrue(r.stdout.contains("exact match of \"重慶經開區\""), r.stdout)
        XCTAssertTrue(r.stdout.contains("重慶經開區 in title: tf 2"), r.stdout)
        XCTAssertTrue(r.stdout.contains("重慶經開區 in body: tf 8"), r.stdout)
        XCTAssertTrue(r.stderr.contains("no document with id nope"), r.stderr)
        let before = try run(["repl", "--index", index], stdin: ":explain \(id)\n")
        XCTAssertTrue(before.stderr.contains("search for something first"), before.stderr)

        let json = try run(["search", "--index", index, "--json", "重慶經開區調研活動"])
        let lines = json.stdout.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        for line in lines {
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(o["match"] as? String, "someTerms")
        }
        XCTAssertEqual(try run(["search", "--index", index, "--json", "--no-relax", "重慶經開區調研活動"]).stdout, "")
        let batch = try run(["search", "--index", index, "--batch", "-", "--json"], stdin: "重慶經開區調研活動\n")
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(batch.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(o["ids"] as? [String], [])
        XCTAssertNil(o["exact_hits"])
        let relaxed = try run(["search", "--index", index, "--batch", "-", "--json", "--relax"], stdin: "重慶經開區調研活動\n重慶經開區\n")
        let rs = try relaxed.stdout.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(rs.count, 2)
        XCTAssertEqual(rs[0]["ids"] as? [String], [id])
        XCTAssertEqual(rs[0]["exact_hits"] as? Int, 0)
        XCTAssertEqual(rs[1]["exact_hits"] as? Int, 1)
        XCTAssertEqual((rs[1]["ids"] as? [String])?.first, id)
    }

    func testScriptedReplHasNoPromptsOrColour() throws {
        let index = try corpusIndex()
        let r = try run(["repl", "--index", index], stdin: "重慶經開區\n:limit 1\n重慶\n(bad\n:stats\n:count 經開區\n:count\n:quit\n重慶\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("search>"))
        XCTAssertFalse(r.stdout.contains("\u{1B}["))
        XCTAssertTrue(r.stdout.contains("1 document matches"), r.stdout)
        XCTAssertTrue(r.stdout.contains("4 documents match"), r.stdout)
        XCTAssertTrue(r.stdout.contains("showing 1 hits"), r.stdout)
        XCTAssertTrue(r.stderr.contains("unclosed parenthesis"), r.stderr)
        XCTAssertTrue(r.stdout.contains("documents: 5"), r.stdout)
        let count = try run(["search", "--index", index, "--count", "經開區"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(r.stdout.contains("\n\(count) document"), r.stdout)
        XCTAssertTrue(r.stderr.contains("usage: :count QUERY"), r.stderr)
        // After :limit 1, the 重慶 query prints exactly one hit; nothing runs after :quit.
        XCTAssertEqual(r.stdout.components(separatedBy: "4 documents match").count, 2)
    }

    func testCheckReportsCorruption() throws {
        let index = try corpusIndex()
        let ok = try run(["check", "--index", index])
        XCTAssertEqual(ok.status, 0)
        XCTAssertTrue(ok.stdout.hasPrefix("index is sound"), ok.stdout)
        let seg = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: index).first { $0.hasSuffix(".seg") })
        let path = index + "/" + seg
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let bad = try run(["check", "--index", index])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains(seg), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("corrupt"), bad.stderr)
    }

    func testDefaultCommandBuildsCorpusIndexOnceAndOpensRepl() throws {
        // Run from a copy of the repository layout: Corpus/ next to the working directory.
        let dir = temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLITests.repository + "/Corpus", toPath: dir + "/Corpus")
        let first = try run([], stdin: "經開區\n", cwd: dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("Indexed 5 documents"), first.stderr)
        XCTAssertTrue(first.stdout.contains("1 document matches"), first.stdout)
        let second = try run([], stdin: "重慶\n", cwd: dir)
        XCTAssertFalse(second.stderr.contains("Indexed"), "the index is reused: \(second.stderr)")
        XCTAssertTrue(second.stdout.contains("4 documents match"), second.stdout)
        // An index an older build made (another format version in its stamp) is rebuilt.
        let stampPath = dir + "/.cjksearch/corpus-index.stamp"
        let stamp = try String(contentsOfFile: stampPath, encoding: .utf8)
        XCTAssertTrue(stamp.hasPrefix("format "), stamp)
        try ("format 0" + stamp.drop(while: { $0 != "\n" })).write(toFile: stampPath, atomically: true, encoding: .utf8)
        let third = try run([], stdin: "重慶\n", cwd: dir)
        XCTAssertTrue(third.stderr.contains("Indexed 5 documents"), third.stderr)
        XCTAssertTrue(third.stdout.contains("4 documents match"), third.stdout)
    }

    func testHelpOnEveryCommand() throws {
        for cmd in [["--help"], ["index", "--help"], ["search", "--help"], ["repl", "--help"], ["stats", "--help"], ["check", "--help"], ["corpus", "--help"], ["merge", "--help"], ["bench", "build", "--help"]] {
            let r = try run(cmd)
            XCTAssertEqual(r.status, 0, cmd.joined(separator: " "))
            XCTAssertTrue(r.stdout.contains("USAGE"), cmd.joined(separator: " "))
        }
    }

    func testCorpusCommandWritesIndexableJSONL() throws {
        let dir = temporaryDirectory()
        let a = try run(["corpus", "--size", "300KB", "--seed", "5", "--out", dir + "/a.jsonl"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertTrue(a.stderr.contains("wrote "), a.stderr)
        let b = try run(["corpus", "--size", "300KB", "--seed", "5", "--out", "-"])
        XCTAssertEqual(try String(contentsOfFile: dir + "/a.jsonl", encoding: .utf8), b.stdout, "deterministic, also to stdout")
        let idx = try run(["index", "--index", dir + "/idx", dir + "/a.jsonl"])
        XCTAssertEqual(idx.status, 0, idx.stderr)
        XCTAssertTrue(idx.stdout.contains("skipped 0"), idx.stdout)
        let bad = try run(["corpus", "--size", "lots", "--out", dir + "/c.jsonl"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--size"), bad.stderr)
    }

    func testCommitEveryPrintsEachDurableCommit() throws {
        let dir = temporaryDirectory()
        let r = try run(["index", "--index", dir + "/idx", "--commit-every", "2", CLITests.repository + "/Corpus"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let commits = r.stderr.split(separator: "\n").filter { $0.hasPrefix("committed ") }
        XCTAssertEqual(commits, ["committed 2 documents", "committed 4 documents", "committed 5 documents"])
    }

    /// SIGINT during a build commits what was added and exits 130; the index holds exactly the
    /// documents of the last commit reported.
    func testInterruptCommitsAndExitsCleanly() throws {
        let dir = temporaryDirectory()
        let gen = try run(["corpus", "--size", "40MB", "--seed", "2", "--out", dir + "/c.jsonl"])
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = ["index", "--index", dir + "/idx", "--commit-every", "500", dir + "/c.jsonl"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        // Wait for the first durable commit, then interrupt.
        var seen = Data()
        let deadline = Date().addingTimeInterval(120)
        while !String(decoding: seen, as: UTF8.self).contains("committed ") && Date() < deadline {
            seen.append(err.fileHandleForReading.availableData)
        }
        kill(p.processIdentifier, SIGINT)
        seen.append(err.fileHandleForReading.readDataToEndOfFile())
        p.waitUntilExit()
        let stderr = String(decoding: seen, as: UTF8.self)
        guard p.terminationStatus == 130 else {
            // The build may have finished before the signal on a fast machine.
            XCTAssertEqual(p.terminationStatus, 0, stderr)
            return
        }
        let last = try XCTUnwrap(stderr.split(separator: "\n").last { $0.hasPrefix("committed ") })
        let committed = Int(last.split(separator: " ")[1])!
        let stats = try run(["stats", "--index", dir + "/idx", "--json"])
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(o["documents"] as? Int, committed)
        XCTAssertEqual(try run(["check", "--index", dir + "/idx"]).status, 0)
    }
}
