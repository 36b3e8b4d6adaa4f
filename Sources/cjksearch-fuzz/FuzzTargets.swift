import Foundation
@testable import CJKSearch

/// The fuzz targets: each takes arbitrary bytes and drives one part of the engine that reads
/// untrusted data. A target may see its input rejected with a thrown ``SearchError`` (that is the
/// expected answer to bad bytes); it must never trap, hang or corrupt memory, and where the engine
/// promises an invariant the target checks it and stops the process with ``violated(_:)``.
///
/// The same functions run under libFuzzer (`scripts/fuzz.sh`) and, in an ordinary build, over the
/// seed inputs kept in `Fuzz/seeds/` (`cjksearch-fuzz replay`, and the tests in `Tests/FuzzTests`).
enum FuzzTarget: String, CaseIterable, Sendable {
    /// Normalizer and tokenizer: the first byte picks the analysis options, the rest is the text.
    case analyzer
    /// Query parser, then the search, count and explanation of every query that parses, over a
    /// small index of fixed documents.
    case query
    /// The JSONL reader: the input is a `.jsonl` file (read on the calling thread and with a
    /// parsing thread, which must agree).
    case jsonl
    /// The WARC/WET reader, with HTTP decoding, charsets and HTML to text: the input is a `.warc` file.
    case warc
    /// HTML to text on its own.
    case html
    /// The segment reader: the input is a segment file whose checksums are recomputed first (so
    /// the decoders behind them are reached), opened, searched, its documents fetched and checked.
    case segment
    /// The manifest and deletions readers: the input is a `MANIFEST` or a `.del` file (by its
    /// kind field), checksums recomputed.
    case manifest

    func run(_ data: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .analyzer: FuzzTarget.analyzer(data)
        case .query: FuzzTarget.query(data)
        case .jsonl: FuzzTarget.reader(data, fileName: "input.jsonl")
        case .warc: FuzzTarget.reader(data, fileName: "input.warc")
        case .html: FuzzTarget.html(data)
        case .segment: FuzzTarget.segment(data)
        case .manifest: FuzzTarget.manifest(data)
        }
    }

    /// Stops the process: the engine broke a promise on this input.
    static func violated(_ message: String) -> Never {
        fatalError("fuzz invariant violated: \(message)")
    }

    // MARK: - Analysis

    static func analyzer(_ data: UnsafeBufferPointer<UInt8>) {
        guard let flags = data.first else { return }
        let text = UnsafeBufferPointer(rebasing: data.dropFirst())
        let options = AnalysisOptions(foldsTraditionalToSimplified: flags & 1 != 0, foldsKana: flags & 2 != 0)
        var field = AnalyzedField()
        do {
            try Analyzer(options).analyze(text, into: &field)
        } catch {
            return   // invalid UTF-8 is refused; that is the answer
        }
        let scalars = field.text.count
        var lastPosition: UInt32? = nil
        for t in field.tokens {
            if let p = lastPosition, t.position <= p { violated("token positions do not increase") }
            lastPosition = t.position
            if Int(t.position) >= field.length { violated("position \(t.position) beyond field length \(field.length)") }
            if t.start < 0 || Int(t.start) >= scalars || t.end < t.start || Int(t.end) > scalars {
                violated("token range \(t.start)..<\(t.end) outside \(scalars) scalars")
            }
            let end = t.kind == .word ? Int(t.end) : Int(t.start) + 1
            let r = field.originalRange(normalizedStart: Int(t.start), normalizedEnd: end)
            if r.lowerBound < 0 || r.upperBound > text.count || r.isEmpty {
                violated("token's original range \(r) outside the \(text.count) input bytes")
            }
        }
        // The same text again through an analyzer that has analyzed other text: no state leaks.
        let reused = Analyzer(options)
        var other = AnalyzedField()
        try? reused.analyze("重慶經開區 カタカナ 한국어 words", into: &other)
        var again = AnalyzedField()
        guard (try? reused.analyze(text, into: &again)) != nil else { violated("analysis failed the second time") }
        if again.tokens.count != field.tokens.count || again.length != field.length
            || zip(again.tokens, field.tokens).contains(where: { $0.first != $1.first || $0.second != $1.second || $0.position != $1.position || $0.kind != $1.kind }) {
            violated("a reused analyzer gives other tokens")
        }
    }

    static func html(_ data: UnsafeBufferPointer<UInt8>) {
        let (title, text) = HTMLText.extract(data)
        if title.utf8.count > data.count * 4 + 16 || text.utf8.count > data.count * 4 + 16 {
            violated("HTML text larger than 4 bytes per input byte")
        }
    }

    // MARK: - Queries

    /// A small index of fixed documents, built once per process.
    static let queryIndex: Searcher = {
        do {
            let dir = FuzzFiles.directory("query-index")
            let index = try SearchIndex.create(at: dir)
            let writer = try index.writer()
            for (i, text) in FuzzSeeds.documents.enumerated() {
                try writer.add(Document(id: "d\(i)", title: String(text.prefix(12)), body: text))
            }
            try writer.commit()
            writer.close()
            return try index.searcher()
        } catch {
            fatalError("cannot build the fuzz index: \(error)")
        }
    }()

    static func query(_ data: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: data, as: UTF8.self)
        let searcher = queryIndex
        guard let query = try? QueryParser.parse(text) else { return }
        do {
            let results = try searcher.search(query, limit: 5)
            let count = try searcher.count(query)
            if results.hits.count > count { violated("\(results.hits.count) hits but a count of \(count)") }
            var seen = Set<String>()
            for hit in results.allHits where !seen.insert(hit.id).inserted { violated("\(hit.id) returned twice") }
            if let first = results.allHits.first, try searcher.explain(query, id: first.id) == nil {
                violated("no explanation for hit \(first.id)")
            }
        } catch {
            violated("a parsed query failed: \(error)")
        }
    }

    // MARK: - Input readers

    struct ReadOutcome: Equatable {
        var documents: [String] = []
        var skips: [String] = []
        var failure: String? = nil
    }

    static func reader(_ data: UnsafeBufferPointer<UInt8>, fileName: String) {
        let path = FuzzFiles.write(data, name: fileName)
        func read(threads: Int) -> ReadOutcome {
            var o = ReadOutcome()
            do {
                try InputReader.read(path: path, parseThreads: threads, onDocument: { d in
                    do { try d.validate() } catch { violated("the reader returned an invalid document: \(error)") }
                    o.documents.append("\(d.id)\u{1}\(d.title)\u{1}\(d.body)\u{1}\(d.fields.sorted { $0.key < $1.key })")
                }, onSkip: { e in
                    o.skips.append("\(e.line ?? -1):\(e.offset ?? -1):\(e.message)")
                }, onProgress: { _ in })
            } catch {
                o.failure = "\(error)"
            }
            return o
        }
        let inline = read(threads: 0)
        let parallel = read(threads: 1)
        if inline != parallel { violated("reading on a parsing thread differs from reading inline") }
    }

    // MARK: - Index files

    static func segment(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Reseal.reseal(Array(data))
        let dir = FuzzFiles.directory("segment")
        _ = FuzzFiles.write(bytes, name: "segment/s.seg")
        let reader: SegmentReader
        do {
            reader = try SegmentReader(directory: dir, name: "s", expectedID: nil)
        } catch { return }
        let entry = Manifest.SegmentEntry(name: "s", segmentID: reader.segmentID, documentCount: reader.documentCount,
                                          deletedCount: 0, deletionsGeneration: 0)
        var manifest = Manifest()
        manifest.segments = [entry]
        do {
            let snapshot = try IndexSnapshot(directory: dir, manifest: manifest, segments: [
                SnapshotSegment(reader: reader, live: LiveDocuments(documentCount: reader.documentCount), entry: entry, directory: dir),
            ])
            let searcher = Searcher(snapshot: snapshot)
            // Queries of the segment's own first terms, and fixed ones.
            var queries = FuzzSeeds.queries
            var n = 0
            try? reader.terms.forEach { term, _ in
                n += 1
                if n > 6 { throw CancellationError() }
                let t = Array(term)
                if t.first == 2 || t.first == 0 { queries.append(String(decoding: t.dropFirst(), as: UTF8.self)) }
            }
            for q in queries {
                guard let results = try? searcher.search(q, limit: 3) else { continue }
                _ = try? searcher.count(q)
                if let first = results.allHits.first { _ = try? searcher.explain(q, id: first.id) }
            }
            for d in 0 ..< min(reader.documentCount, 8) {
                if let id = try? reader.id(d) { _ = try? searcher.document(id: id) }
            }
            _ = try? searcher.stats()
        } catch {}
        _ = try? SearchIndex.checkSegment(reader)
    }

    static func manifest(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Reseal.reseal(Array(data))
        let dir = FuzzFiles.directory("manifest")
        if bytes.count >= 24 && bytes[8] == 2 {
            // A deletions file: its segment id and document count as its own header claims them
            // (a mismatch is refused before anything else is read).
            let id = Reseal.u64(bytes, 16)
            let count = bytes.count >= 28 ? Int(Reseal.u32(bytes, 24)) : 0
            let path = FuzzFiles.write(bytes, name: "manifest/s_1.del")
            if let live = try? LiveDocuments.read(path: path, segmentID: id, documentCount: count),
               live.deletedCount > count || live.liveCount != count - live.deletedCount {
                violated("deletions count \(live.deletedCount) of \(count) documents")
            }
        } else {
            _ = FuzzFiles.write(bytes, name: "manifest/" + Manifest.fileName)
            if let m = try? Manifest.read(directory: dir) {
                // What reads back, written again, reads back the same.
                FuzzFiles.write(m.fileBytes(), name: "manifest/" + Manifest.fileName)
                guard let m2 = try? Manifest.read(directory: dir), m2 == m else { violated("manifest does not round-trip") }
            }
        }
    }
}
