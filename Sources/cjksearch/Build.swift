import CJKSearch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a build (`index`, `bench build`) is asked to do.
struct BuildOptions {
    var inputs: [String]
    var index: String
    var memoryMiB = 1024
    var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Keep only the documents of shard `k` of `n` (by id hash).
    var shard: (k: Int, n: Int)?
    /// Stop at the first bad record instead of skipping it.
    var strict = false
    var commitEvery: Int?
    var optimize = false
    /// The analysis of a new index; nil: the default for a new index, the existing one's otherwise.
    var analysis: AnalysisOptions?
    /// Merge segments in the background by the tiered policy while indexing.
    var backgroundMerge = true
    /// Show the live progress line (only on a terminal).
    var progress = true
    /// Print "committed N documents" after each durable commit.
    var reportCommits = true
}

/// What a build did.
struct BuildSummary {
    var documents = 0
    /// Documents of other shards, passed over.
    var otherShards = 0
    /// Input bytes read (as stored: compressed files count their compressed size).
    var inputBytes = 0
    var skipped: [String: Int] = [:]
    var seconds = 0.0
    var peakRSS = 0
    var indexBytes = 0
    var segments = 0
    var indexDocuments = 0
    var interrupted = false
    /// Input bytes read so far of the file being read.
    var fileBytes = 0

    var skippedTotal: Int { skipped.values.reduce(0, +) }
    var megabytesPerSecond: Double { seconds > 0 ? Double(inputBytes) / 1e6 / seconds : 0 }
}

enum Build {
    /// Peak resident set size of this process so far, in bytes.
    static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    /// Indexes `options.inputs` into `options.index`: reads, parses and hands documents to an
    /// `IndexWriter` with the requested threads and memory, commits, optionally merges.
    /// Ctrl-C / SIGTERM stop reading, commit what was added and mark the summary interrupted.
    static func run(_ options: BuildOptions) throws -> BuildSummary {
        let started = Date()
        let files = try InputReader.expand(options.inputs)
        let totalBytes: Int? = files.contains("-") ? nil : files.reduce(0) { $0 + Build.fileSize($1) }
        let idx = try SearchIndex.openOrCreate(at: options.index, analysis: options.analysis)
        // The reader and the parsing threads hold chunks of lines and their documents (up to two
        // chunks of about 1 MiB a parsing thread, plus the reader's buffers): set aside from the
        // budget, so that the whole process stays within it.
        let readingBytes = Build.readingBytes(threads: options.threads)
        let writer = try idx.writer(options: IndexWriterOptions(
            memoryBudget: max((options.memoryMiB << 20) - readingBytes, 1 << 20), threads: options.threads,
            mergePolicy: options.backgroundMerge ? TieredMergePolicy() : nil))
        var summary = BuildSummary()
        let progress = Progress(enabled: options.progress && isatty(2) != 0, total: totalBytes, started: started)
        Interruption.install()
        var lastCommit: (documents: Int, info: CommitInfo)?
        func commit() throws -> CommitInfo {
            if let lastCommit, lastCommit.documents == summary.documents { return lastCommit.info }   // nothing new
            let info = try writer.commit()
            if options.reportCommits { printError("committed \(info.documentCount) documents") }   // once durable
            lastCommit = (summary.documents, info)
            return info
        }
        var strictError: SearchError?
        var filesDone = 0
        do {
            for file in files {
                try InputReader.read(path: file, parseThreads: options.threads, onDocument: { doc in
                    if Interruption.requested { throw Interruption() }
                    if let strictError { throw strictError }
                    if let (k, n) = options.shard, Document.shard(forID: doc.id, of: n) != k {
                        summary.otherShards += 1
                        return
                    }
                    try writer.add(doc)
                    summary.documents += 1
                    if let n = options.commitEvery, summary.documents % n == 0 { _ = try commit() }
                    progress.update(documents: summary.documents, bytes: filesDone + summary.fileBytes)
                }, onSkip: { error in
                    summary.skipped[InputReader.skipReason(of: error), default: 0] += 1
                    var location = error.path ?? file
                    if let line = error.line { location += ":\(line)" } else if let offset = error.offset { location += "@\(offset)" }
                    progress.clear()
                    printError("\(location): \(error.message)")
                    if options.strict && strictError == nil { strictError = error }
                }, onProgress: { bytes in
                    summary.fileBytes = bytes
                    progress.update(documents: summary.documents, bytes: filesDone + bytes)
                })
                if let strictError { throw strictError }
                filesDone += summary.fileBytes
                summary.fileBytes = 0
            }
        } catch is Interruption {
            summary.interrupted = true
        } catch let error as SearchError where options.strict && strictError != nil {
            progress.clear()
            writer.close()   // a strict build that meets a bad record commits nothing more
            throw SearchError(error.code, "stopped at a bad record (--strict): \(error.message)", path: error.path, offset: error.offset, line: error.line)
        }
        progress.clear()
        summary.inputBytes = filesDone
        // A merge still running in the background is finished and committed too (as closing a
        // Lucene writer waits for its merges); an interrupted build commits at once instead.
        if !summary.interrupted, try writer.waitForMerges() { lastCommit = nil }
        var info = try commit()
        // The small segments of the last flushes are merged into one (the same documents: not
        // reported as a new commit).
        if !options.optimize && !summary.interrupted, let merged = try writer.mergeSmallSegments() { info = merged }
        if options.optimize && !summary.interrupted {
            info = try writer.merge(maxSegments: 1)
            if options.reportCommits { printError("committed \(info.documentCount) documents") }
        }
        writer.close()
        summary.seconds = Date().timeIntervalSince(started)
        summary.peakRSS = peakRSS()
        let stats = try idx.searcher().stats()
        summary.indexBytes = stats.bytes
        summary.segments = info.segmentCount
        summary.indexDocuments = info.documentCount
        return summary
    }

    /// Memory of reading and parsing with `threads` parsing threads: 8 MiB a thread and 8 MiB for
    /// the reader (measured: a 5 GB build with two parsing threads peaked 18 MiB above one that
    /// parsed on the reading thread).
    static func readingBytes(threads: Int) -> Int { (8 << 20) * (threads + 1) }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// The human summary printed at the end of `index`.
    static func describe(_ s: BuildSummary) -> [String] {
        var lines: [String] = []
        let mb = Double(s.inputBytes) / 1e6
        lines.append((s.interrupted ? "interrupted: " : "") + String(
            format: "indexed %d documents, %.1f MB of input in %.2f s: %.1f MB/s, %.0f documents/s",
            s.documents, mb, s.seconds, s.megabytesPerSecond, s.seconds > 0 ? Double(s.documents) / s.seconds : 0))
        if s.otherShards > 0 { lines.append("passed over \(s.otherShards) documents of other shards") }
        if s.skipped.isEmpty {
            lines.append("skipped 0 records")
        } else {
            let parts = s.skipped.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }
            lines.append("skipped \(s.skippedTotal) records: " + parts.joined(separator: ", "))
        }
        lines.append(String(format: "peak RSS %.0f MiB; index %.1f MB (%d documents in %d segments)",
                            Double(s.peakRSS) / 1_048_576, Double(s.indexBytes) / 1e6, s.indexDocuments, s.segments))
        return lines
    }
}

/// The live progress line on stderr: documents, MB read, MB/s, elapsed, ETA when the total is
/// known. Redrawn at most 4 times a second.
final class Progress {
    let enabled: Bool
    let total: Int?
    let started: Date
    private var lastDraw = 0.0
    private var drawn = false

    init(enabled: Bool, total: Int?, started: Date) {
        self.enabled = enabled
        self.total = total
        self.started = started
    }

    func update(documents: Int, bytes: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(started)
        guard elapsed - lastDraw >= 0.25 else { return }
        lastDraw = elapsed
        let mb = Double(bytes) / 1e6
        let rate = elapsed > 0 ? mb / elapsed : 0
        var line = String(format: "%d docs · %.1f MB · %.1f MB/s · %@", documents, mb, rate, Progress.clock(elapsed))
        if let total, total > 0, bytes > 0 {
            let pct = min(100, 100 * Double(bytes) / Double(total))
            let eta = elapsed * Double(total - bytes) / Double(bytes)
            line += String(format: " · %.0f%% · ETA %@", pct, Progress.clock(max(0, eta)))
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    func clear() {
        guard enabled && drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
