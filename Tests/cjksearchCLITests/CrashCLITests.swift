import Foundation
import XCTest

/// Kill tests (the short run; Benchmarks/scripts/crash-test.sh is the long one): an index build
/// with --commit-every is killed with SIGKILL at random moments, during adds, flushes, merges and
/// commits; after each kill the index passes `check` and holds exactly the documents of the last
/// commit reported durable, or of the one in flight if it became durable before it could be
/// reported. Every other trial resumes the killed index.
extension CLITests {
    func testSIGKILLKeepsTheLastDurableCommit() throws {
        let dir = temporaryDirectory()
        let corpus = dir + "/c.jsonl"
        XCTAssertEqual(try run(["corpus", "--size", "1MB", "--seed", "3", "--out", corpus]).status, 0)
        let every = 40
        let index = dir + "/idx"
        let arguments = ["index", "--index", index, "--commit-every", "\(every)", "--memory", "32", "--threads", "2", "--quiet", corpus]
        // An uninterrupted build, to spread the kills over its length.
        let started = Date()
        XCTAssertEqual(try run(arguments).status, 0)
        let full = Date().timeIntervalSince(started)
        let total = try XCTUnwrap(try documents(index))   // what the whole build holds
        var state: UInt64 = 7   // a fixed seed: the same kill moments every run
        func random() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var outcomes: [String] = []
        for trial in 0 ..< 6 {
            if trial % 2 == 0 { try? FileManager.default.removeItem(atPath: index) }
            let before = try documents(index) ?? 0
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLITests.binary)
            p.arguments = arguments
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: full * (0.1 + 0.8 * Double(random() % 1000) / 1000))   // within the build
            kill(p.processIdentifier, SIGKILL)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let reported = stderr.split(separator: "\n").last { $0.hasPrefix("committed ") }.flatMap { Int($0.split(separator: " ")[1]) }
            let check = try run(["check", "--index", index])
            if check.status != 0 && reported == nil && before == 0 && check.stderr.contains("no index") {
                outcomes.append("killed before the index existed")
                continue
            }
            XCTAssertEqual(check.status, 0, "trial \(trial): \(check.stderr)")
            let docs = try XCTUnwrap(try documents(index))
            let last = reported ?? before
            let next = min(last + every, total)
            XCTAssertTrue(docs == last || docs == next || (reported == nil && docs <= every),
                          "trial \(trial): reported \(last), holds \(docs)")
            outcomes.append("reported \(last), holds \(docs)")
        }
        // (Where the kills land depends on the machine's speed; the outcomes say where they did.)
        print("kill trials: \(outcomes)")
    }

    /// The live documents of the index at `path`, nil when there is none.
    private func documents(_ path: String) throws -> Int? {
        let r = try run(["stats", "--index", path, "--json"])
        guard r.status == 0 else { return nil }
        return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["documents"] as? Int
    }

    /// A reader in another process keeps its snapshot while a second process adds documents and
    /// merges the index into one segment (removing the files the reader has open); :reload then
    /// shows the new commit. A second writer process is refused meanwhile.
    func testReaderInAnotherProcessSurvivesAMerge() throws {
        let dir = temporaryDirectory()
        let index = try corpusIndex()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = ["repl", "--index", index]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        func ask(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }
        ask(":count 重慶")
        // Wait for the answer, so that the reader has opened its snapshot before the writer starts.
        var seen = Data()
        let deadline = Date().addingTimeInterval(60)
        while !String(decoding: seen, as: UTF8.self).contains("documents match") && Date() < deadline {
            seen.append(output.fileHandleForReading.availableData)
        }
        // Another process adds pages and merges everything into one segment.
        let more = dir + "/more.jsonl"
        try Data((0 ..< 30).map { #"{"id":"n\#($0)","title":"","text":"重慶的新頁面 \#($0)"}"# + "\n" }.joined().utf8)
            .write(to: URL(fileURLWithPath: more))
        let added = try run(["index", "--index", index, "--optimize", "--quiet", more])
        XCTAssertEqual(added.status, 0, added.stderr)
        ask(":count 重慶")
        ask("重慶")
        ask(":reload")
        ask(":count 重慶")
        ask(":quit")
        try input.fileHandleForWriting.close()
        seen.append(output.fileHandleForReading.readDataToEndOfFile())
        let out = String(decoding: seen, as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, out)
        let counts = out.split(separator: "\n").filter { $0.hasSuffix("documents match") && !$0.contains("(") }
        XCTAssertEqual(counts, ["4 documents match", "4 documents match", "34 documents match"], out)
        XCTAssertTrue(out.contains("35 documents"), out)   // :reload
        XCTAssertEqual(try run(["check", "--index", index]).status, 0)
    }
}
