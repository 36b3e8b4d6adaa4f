import ArgumentParser
import CorpusGenerator
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Write a deterministic crawl-like JSONL corpus of a given size (for build benchmarks).",
        discussion: """
        The same --seed and --size always give the same bytes. Pages mix simplified and traditional \
        Chinese, Japanese and Korean sites with shared headers and footers, the pinyin crawl artifact, \
        dates, numbers, ASCII words and URLs; see Corpus/README.md.
        """
    )

    @Option(name: .long, help: "Size to write: bytes, or with a unit: 500KB, 100MB, 1GB (1 MB = 2^20 bytes).")
    var size: String

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "The output file (- for standard output).")
    var out: String

    @Flag(name: .long, help: "Also count distinct CJK bigrams and bigram postings (slower).")
    var stats = false

    static func parseSize(_ text: String) -> Int? {
        let t = text.uppercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("GB", 1 << 30), ("G", 1 << 30), ("MB", 1 << 20), ("M", 1 << 20), ("KB", 1 << 10), ("K", 1 << 10), ("B", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0 else { return nil }
            return Int(v * Double(factor))
        }
        return Int(t)
    }

    func validate() throws {
        guard let n = CorpusCommand.parseSize(size), n > 0 else { throw ValidationError("--size: expected a size like 10MB or 1GB, got \(size)") }
        if n > 200 << 30 { throw ValidationError("--size: at most 200GB") }
    }

    func run() throws {
        let bytes = CorpusCommand.parseSize(size)!
        let generator: CorpusGenerator
        do { generator = try CorpusGenerator(seed: seed) } catch {
            printError("cjksearch: error: \(error)")
            throw ExitCode(1)
        }
        guard let file = out == "-" ? fdopen(dup(1), "wb") : fopen(out, "wb") else {
            printError("cjksearch: error: \(out): cannot create: \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
        let started = Date()
        let report: CorpusGenerator.Report
        do {
            report = try generator.write(size: bytes, to: file, statistics: stats) { r in
                if isatty(2) != 0 { printError(String(format: "\r%.0f MB…", Double(r.bytes) / 1_048_576)) }
            }
            if fflush(file) != 0 { throw GeneratorError(String(cString: strerror(errno))) }
            if fclose(file) != 0 { throw GeneratorError(String(cString: strerror(errno))) }
        } catch {
            printError("cjksearch: error: \(out): \(error)")
            throw ExitCode(1)
        }
        let seconds = Date().timeIntervalSince(started)
        let mb = Double(report.bytes) / 1_048_576
        var line = String(format: "wrote %d documents (%.2f MB) in %.2f s, %.1f MB/s", report.documents, mb, seconds, seconds > 0 ? mb / seconds : 0)
        if stats { line += "; \(report.distinctBigrams) distinct bigrams, \(report.bigramPostings) bigram postings" }
        printError(line)
    }
}
