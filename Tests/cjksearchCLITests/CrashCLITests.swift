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
}
