#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options of an ``IndexWriter``.
public struct IndexWriterOptions: Sendable {
    /// Flush buffered documents to a segment when the buffer is estimated to hold this many bytes.
    public var memoryBudget: Int = 256 << 20
    /// After a commit, merge when the index has more segments than this.
    public var maxSegments: Int = 10

    public init(memoryBudget: Int = 256 << 20, maxSegments: Int = 10) {
        self.memoryBudget = memoryBudget
        self.maxSegments = maxSegments
    }
}

/// What a commit made durable.
public struct CommitInfo: Sendable, Equatable {
    /// The commit's generation (increases by one per commit).
    public var generation: UInt64
    /// Live documents in the index after the commit.
    public var documentCount: Int
    /// Segments after the commit.
    public var segmentCount: Int
}

/// Adds, replaces and deletes documents, and commits them atomically.
///
/// There is one writer per index directory at a time (an exclusive file lock, held until
/// ``close()`` or deinit); a second one gets ``SearchError/Code-swift.struct/locked``.
///
/// Changes are invisible to searchers until ``commit()``, which makes all of them durable and
/// visible at once: new segment and deletion files are written and fsynced, then the manifest is
/// replaced atomically. A crash at any moment leaves the previous commit intact.
///
/// ```swift
/// let writer = try index.writer()
/// try writer.add(Document(id: "1", title: "東京", body: "東京都の天気"))
/// try writer.delete(id: "old")
/// try writer.commit()
/// ```
///
/// If a commit fails (for example the disk is full), the writer closes itself: the index keeps its
/// previous commit, and a new writer can be opened to retry.
///
/// Not `Sendable`: a writer has one owner.
public final class IndexWriter {
    public let directory: String
    public let options: IndexWriterOptions
    private var lock: FileLock?
    private var manifest: Manifest
    private var segments: [WriterSegment] = []
    private var buffer = SegmentWriter()
    private var bufferIDs: [String: Int] = [:]
    private var bufferDeleted: [Int] = []
    /// Ids whose older copies (in segments flushed before the buffer) must be deleted at flush.
    private var pendingDeletes: [String] = []
    private var failed: SearchError?
    private let decompressor = ZstdDecompressor()
    /// Files that a new commit made obsolete, removed after the manifest switch.
    private var obsoleteFiles: [String] = []

    private struct WriterSegment {
        var entry: Manifest.SegmentEntry
        let reader: SegmentReader
        var live: LiveDocuments
        var dirty: Bool
    }

    init(directory: String, options: IndexWriterOptions) throws {
        self.directory = directory
        self.options = options
        lock = try FileLock(path: directory + "/LOCK")
        manifest = try Manifest.read(directory: directory)
        let snapshot = try IndexSnapshot.open(directory: directory)
        manifest = snapshot.manifest
        segments = snapshot.segments.map { WriterSegment(entry: $0.entry, reader: $0.reader, live: $0.live, dirty: false) }
        removeUnreferencedFiles()
    }

    deinit { lock?.release() }

    /// Documents added since the last commit (including replaced ones).
    public var pendingDocumentCount: Int { buffer.documentCount - bufferDeleted.count }

    private func checkUsable() throws {
        if let failed { throw SearchError(.writerClosed, "writer failed earlier (\(failed.message)); open a new one", path: directory) }
        if lock == nil { throw SearchError(.writerClosed, "writer is closed", path: directory) }
    }

    /// Adds a document, replacing any document with the same id when the change is committed.
    public func add(_ doc: Document) throws {
        try checkUsable()
        let number = buffer.documentCount
        try buffer.add(doc)
        if let old = bufferIDs[doc.id] { bufferDeleted.append(old) }
        bufferIDs[doc.id] = number
        pendingDeletes.append(doc.id)
        if buffer.estimatedMemory >= options.memoryBudget || buffer.isFull { try guarded { try flush() } }
    }

    /// Deletes the document with this id (if any), including one added since the last commit.
    public func delete(id: String) throws {
        try checkUsable()
        if let old = bufferIDs.removeValue(forKey: id) { bufferDeleted.append(old) }
        pendingDeletes.append(id)
    }

    /// Makes every change since the last commit durable and visible, atomically.
    @discardableResult
    public func commit() throws -> CommitInfo {
        try checkUsable()
        return try guarded {
            try flush()
            if segments.count > options.maxSegments {
                let smallest = segments.indices.sorted { segments[$0].entry.documentCount < segments[$1].entry.documentCount }
                try mergeSegments(Set(smallest.prefix(segments.count - options.maxSegments + 1)))
            }
            return try writeCommit()
        }
    }

    /// Merges all segments into at most `maxSegments` (dropping deleted documents) and commits.
    @discardableResult
    public func merge(maxSegments: Int = 1) throws -> CommitInfo {
        precondition(maxSegments >= 1, "merge needs at least one target segment")
        try checkUsable()
        return try guarded {
            try flush()
            let bySize = segments.indices.sorted { segments[$0].entry.documentCount < segments[$1].entry.documentCount }
            if segments.count > maxSegments {
                try mergeSegments(Set(bySize.prefix(segments.count - maxSegments + 1)))
            } else if maxSegments == 1 && segments.count == 1 && segments[0].live.deletedCount > 0 {
                try mergeSegments([0])   // expunge deleted documents
            }
            return try writeCommit()
        }
    }

    /// Discards uncommitted changes and releases the lock.
    public func close() {
        lock?.release()
        lock = nil
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SearchError {
            failed = error
            close()
            throw error
        }
    }

    // MARK: - Flushing and committing

    private func newSegmentName() -> (String, UInt64) {
        var id: UInt64 = 0
        while id == 0 { id = UInt64.random(in: 1 ... UInt64.max) }
        let number = manifest.nextSegmentNumber
        manifest.nextSegmentNumber += 1
        let hex = String(number, radix: 16)
        let name = "s" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex + "-" + String(UInt32(truncatingIfNeeded: id), radix: 16)
        return (name, id)
    }

    private func applyDeletes(_ ids: [String], to range: Range<Int>) throws {
        guard !ids.isEmpty else { return }
        for i in range where segments[i].entry.documentCount > 0 {
            for id in ids {
                for d in try segments[i].reader.documents(withID: id) where segments[i].live.delete(d) {
                    segments[i].dirty = true
                }
            }
        }
    }

    /// Writes the buffer as a new segment (not yet committed) and applies buffered deletes.
    private func flush() throws {
        let older = 0 ..< segments.count
        if buffer.documentCount > 0 {
            let (name, id) = newSegmentName()
            let path = directory + "/" + name + ".seg"
            try buffer.write(to: path, segmentID: id)
            let reader = try SegmentReader(directory: directory, name: name, expectedID: id)
            var live = LiveDocuments(documentCount: buffer.documentCount)
            for d in bufferDeleted { live.delete(d) }
            let entry = Manifest.SegmentEntry(name: name, segmentID: id, documentCount: buffer.documentCount,
                                              deletedCount: 0, deletionsGeneration: 0)
            segments.append(WriterSegment(entry: entry, reader: reader, live: live, dirty: live.deletedCount > 0))
        }
        try applyDeletes(pendingDeletes, to: older)
        pendingDeletes.removeAll()
        buffer = SegmentWriter()
        bufferIDs.removeAll()
        bufferDeleted.removeAll()
    }

    /// Rewrites the live documents of the given segments into one new segment.
    private func mergeSegments(_ chosen: Set<Int>) throws {
        guard !chosen.isEmpty else { return }
        let merged = SegmentWriter()
        for i in segments.indices where chosen.contains(i) {
            let s = segments[i]
            try s.reader.ensureVerified()
            try s.reader.stored.forEachDocument(decompressor: decompressor) { d, doc in
                if !s.live.isDeleted(d) { try merged.add(doc) }
            }
        }
        for i in segments.indices where chosen.contains(i) {
            obsoleteFiles.append(segments[i].entry.segmentFile)
            if let del = segments[i].entry.deletionsFile { obsoleteFiles.append(del) }
        }
        let insertAt = chosen.min()!
        var kept = segments.enumerated().filter { !chosen.contains($0.offset) }.map(\.element)
        if merged.documentCount > 0 {
            let (name, id) = newSegmentName()
            try merged.write(to: directory + "/" + name + ".seg", segmentID: id)
            let reader = try SegmentReader(directory: directory, name: name, expectedID: id)
            let entry = Manifest.SegmentEntry(name: name, segmentID: id, documentCount: merged.documentCount,
                                              deletedCount: 0, deletionsGeneration: 0)
            kept.insert(WriterSegment(entry: entry, reader: reader, live: LiveDocuments(documentCount: merged.documentCount), dirty: false),
                        at: min(insertAt, kept.count))
        }
        segments = kept
    }

    private func writeCommit() throws -> CommitInfo {
        var next = manifest
        next.generation += 1
        for i in segments.indices where segments[i].dirty {
            let gen = segments[i].entry.deletionsGeneration + 1
            let file = "\(segments[i].entry.name)_\(gen).del"
            try FileIO.writeNewFile(directory + "/" + file, [segments[i].live.fileBytes(segmentID: segments[i].entry.segmentID)])
            if let old = segments[i].entry.deletionsFile { obsoleteFiles.append(old) }
            segments[i].entry.deletionsGeneration = gen
            segments[i].entry.deletedCount = segments[i].live.deletedCount
            segments[i].dirty = false
        }
        // Segments whose documents are all deleted are dropped.
        for s in segments where s.entry.documentCount == s.entry.deletedCount {
            obsoleteFiles.append(s.entry.segmentFile)
            if let del = s.entry.deletionsFile { obsoleteFiles.append(del) }
        }
        segments.removeAll { $0.entry.documentCount == $0.entry.deletedCount }
        next.segments = segments.map(\.entry)
        try FileIO.syncDirectory(directory)         // the new files' names are durable
        try next.write(directory: directory)        // the switch
        manifest = next
        for f in obsoleteFiles { FileIO.remove(directory + "/" + f) }
        obsoleteFiles.removeAll()
        return CommitInfo(generation: next.generation, documentCount: next.liveDocumentCount, segmentCount: next.segments.count)
    }

    /// Removes files a crashed writer left behind: anything that looks like ours and that the
    /// current manifest does not name. Readers of older commits keep their mappings.
    private func removeUnreferencedFiles() {
        var keep: Set<String> = [Manifest.fileName, "LOCK"]
        for s in manifest.segments {
            keep.insert(s.segmentFile)
            if let d = s.deletionsFile { keep.insert(d) }
        }
        guard let names = try? FileIO.listDirectory(directory) else { return }
        for n in names where !keep.contains(n) && (n.hasSuffix(".seg") || n.hasSuffix(".del") || n.hasSuffix(".tmp")) {
            FileIO.remove(directory + "/" + n)
        }
    }
}
