/// The list of segments that make up a commit: the single source of truth for readers.
///
/// The file `MANIFEST` (``FileFormat`` kind 3; Identity = the commit generation) is replaced
/// atomically (temporary file, fsync, rename, fsync of the directory), so a reader sees either the
/// previous commit or the new one, and a crash at any moment leaves the previous commit intact.
///
/// ```
/// Info (1) --> Generation:u64, NextSegmentNumber:u64, AnalyzerVersion:u32, AnalysisFlags:u32,
///              SegmentCount:u32,
///              <Name:string, SegmentID:u64, DocCount:u32, DeletedCount:u32, DeletionsGeneration:u32>^SegmentCount
/// ```
/// A segment's deletions are in `<Name>_<DeletionsGeneration>.del` when DeletionsGeneration > 0.
/// AnalyzerVersion is 2; AnalysisFlags holds the index's ``AnalysisOptions`` (bit 0: traditional →
/// simplified folding; other bits must be 0). A version 1 manifest has no AnalysisFlags and reads
/// as folding off (how those indexes were built); the next commit rewrites it as version 2.
///
/// Worked example: generation 3 with one segment `s00000002-9f31c0d2` of 5 documents, 1 deleted in
/// deletions generation 1 → files `MANIFEST`, `s00000002-9f31c0d2.seg`, `s00000002-9f31c0d2_1.del`.
struct Manifest: Equatable, Sendable {
    struct SegmentEntry: Equatable, Sendable {
        var name: String
        var segmentID: UInt64
        var documentCount: Int
        var deletedCount: Int
        var deletionsGeneration: Int

        var segmentFile: String { name + ".seg" }
        var deletionsFile: String? { deletionsGeneration > 0 ? "\(name)_\(deletionsGeneration).del" : nil }
    }

    static let fileName = "MANIFEST"
    /// Bumped when analysis changes so that old indexes would tokenize differently from new queries.
    /// Version 2 added AnalysisFlags (traditional → simplified folding); version 1 still reads.
    static let analyzerVersion: UInt32 = 2

    var generation: UInt64 = 0
    var nextSegmentNumber: UInt64 = 1
    /// How the index's text is analyzed, fixed at creation.
    var analysis = AnalysisOptions()
    var segments: [SegmentEntry] = []

    var liveDocumentCount: Int { segments.reduce(0) { $0 + $1.documentCount - $1.deletedCount } }

    func fileBytes() -> [UInt8] {
        var w = ByteWriter()
        w.u64(generation)
        w.u64(nextSegmentNumber)
        w.u32(Manifest.analyzerVersion)
        w.u32(analysis.flags)
        w.u32(UInt32(segments.count))
        for s in segments {
            w.string(s.name)
            w.u64(s.segmentID)
            w.u32(UInt32(s.documentCount))
            w.u32(UInt32(s.deletedCount))
            w.u32(UInt32(s.deletionsGeneration))
        }
        return FileFormat.build(kind: .manifest, identity: generation, sections: [(1, w.bytes)])
    }

    static func read(directory: String) throws -> Manifest {
        let path = directory + "/" + fileName
        let bytes = try FileIO.readFile(path)
        return try bytes.withUnsafeBytes { raw in
            let parsed = try FileFormat.parse(ByteReader(raw, path: path), expecting: .manifest)
            try parsed.verify()
            var r = try parsed.section(1)
            var m = Manifest()
            m.generation = try r.u64()
            guard m.generation == parsed.identity else { throw r.error("generation disagrees with the header", at: 0) }
            m.nextSegmentNumber = try r.u64()
            // Counters far beyond anything a real index reaches are damage (and would overflow).
            guard m.generation < 1 << 62, m.nextSegmentNumber < 1 << 62 else {
                throw r.error("implausible generation or segment counter", at: 0)
            }
            let analyzer = try r.u32()
            guard analyzer == 1 || analyzer == analyzerVersion else {
                throw SearchError(analyzer < analyzerVersion ? .formatTooOld : .formatTooNew,
                                  "index was built with analyzer version \(analyzer); this build reads 1 and \(analyzerVersion)",
                                  path: path, offset: r.fileOffset + 16)
            }
            if analyzer == 1 {
                m.analysis = .version1
            } else {
                let at = r.fileOffset + r.position
                let flags = try r.u32()
                guard flags & ~AnalysisOptions.knownFlags == 0 else {
                    throw SearchError(.formatTooNew, "unknown analysis flags \(String(flags, radix: 16)) (this build knows \(AnalysisOptions.knownFlags))",
                                      path: path, offset: at)
                }
                m.analysis = AnalysisOptions(flags: flags)
            }
            let count = Int(try r.u32())
            guard count <= 1 << 20 else { throw r.error("segment count \(count) is implausible") }
            var names = Set<String>()
            for _ in 0 ..< count {
                let name = try r.string(maxLength: 256)
                guard !name.isEmpty, !name.contains("/"), names.insert(name).inserted else {
                    throw r.error("bad or duplicate segment name \"\(name)\"")
                }
                let id = try r.u64()
                let docs = Int(try r.u32())
                let deleted = Int(try r.u32())
                let delGen = Int(try r.u32())
                guard deleted <= docs else { throw r.error("segment \(name) has more deleted than documents") }
                guard delGen < Int(UInt32.max) else { throw r.error("segment \(name) has an implausible deletions generation") }
                m.segments.append(SegmentEntry(name: name, segmentID: id, documentCount: docs, deletedCount: deleted, deletionsGeneration: delGen))
            }
            guard r.isAtEnd else { throw r.error("trailing bytes in manifest") }
            return m
        }
    }

    func write(directory: String) throws {
        try FileIO.atomicReplace(directory + "/" + Manifest.fileName, fileBytes(), directory: directory)
    }
}
