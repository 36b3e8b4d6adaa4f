#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation

/// Options of an ``IndexWriter``.
public struct IndexWriterOptions: Sendable {
    /// The memory for buffered documents, shared by the indexing threads: each thread flushes
    /// its buffer to a segment when it holds about `memoryBudget / threads` bytes (less the
    /// batches in flight; at least 8 MiB a thread, so a small budget runs fewer threads; at most
    /// 2 GiB a buffer).
    public var memoryBudget: Int = 256 << 20
    /// After a commit, merge when the index has more segments than this (waiting for a
    /// background merge first).
    public var maxSegments: Int = 10
    /// Merges in the background, on a thread of their own, while documents are added: after
    /// each flush the policy may pick segments to merge (see ``TieredMergePolicy``). nil: no
    /// background merges (only ``maxSegments`` at a commit and ``IndexWriter/merge(maxSegments:)``).
    ///
    /// A background merge takes its memory from the budget (a tenth of the bytes it merges plus
    /// 16 MiB; the indexing buffers get the rest while it runs), at most a quarter of it: a merge
    /// never grows past that (2.4 GB with a 1 GiB budget); larger ones wait for a commit or an
    /// explicit merge, when the buffers are empty.
    public var mergePolicy: TieredMergePolicy? = TieredMergePolicy()
    /// Called on the merge thread when a background merge has written its segment, before the
    /// writer takes it in (tests use it to change the index while a merge runs).
    var mergeWillInstall: (@Sendable () -> Void)?
    /// Threads that analyze and invert documents. With 1, ``IndexWriter/add(_:)`` does the work on
    /// the caller's thread; with more, once the first 32 MiB are buffered (so that small batches
    /// stay one segment), documents are handed to that many indexing threads (by a hash of their
    /// id, so that all versions of one id go to the same thread, in order) and `add` returns as
    /// soon as its document is queued.
    public var threads: Int = 1
    /// Buffer this much on the caller's thread before the indexing threads start (tests set 0);
    /// nil: 32 MiB or the per-thread share, whichever is smaller.
    var inlineLimit: Int?

    public init(memoryBudget: Int = 256 << 20, maxSegments: Int = 10, threads: Int = 1,
                mergePolicy: TieredMergePolicy? = TieredMergePolicy()) {
        precondition(threads >= 1, "IndexWriterOptions: threads must be at least 1")
        self.memoryBudget = memoryBudget
        self.maxSegments = maxSegments
        self.threads = threads
        self.mergePolicy = mergePolicy
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
/// With ``IndexWriterOptions/threads`` above 1, documents are analyzed and inverted on that many
/// threads, each flushing its own segments; an error on an indexing thread (a full disk at a
/// flush) is thrown by the next `add`, `delete` or `commit`, and closes the writer.
///
/// Segments are merged in the background by ``IndexWriterOptions/mergePolicy`` while documents
/// are added. A commit does not wait for a merge in progress (its result is taken in by a later
/// commit); ``waitForMerges()`` does. An error in a background merge is thrown like an indexing
/// thread's.
///
/// Not `Sendable`: a writer has one owner.
public final class IndexWriter {
    public let directory: String
    public let options: IndexWriterOptions
    private var lock: FileLock?
    private var manifest: Manifest
    private var segments: [WriterSegment] = []
    /// The buffer of the caller's thread (``IndexWriterOptions/threads`` == 1).
    private var buffer: PendingBuffer
    /// The indexing threads (``IndexWriterOptions/threads`` > 1), started at the first add.
    private var workers: [IndexingWorker] = []
    private var batches: [[IndexingWorker.Operation]] = []
    private var batchBytes: [Int] = []
    /// Guards `segments`, `obsoleteFiles` and `manifest.nextSegmentNumber` while indexing threads
    /// flush and background merges install their results.
    private let stateLock = NSLock()
    private let merger = BackgroundMerger()
    /// Memory set aside for the background merge in progress (guarded by `stateLock`): the
    /// buffers get the budget less this.
    private var mergeReserve = 0
    /// What each indexing thread may buffer (see ``updateThreadShare()``).
    private let threadShare = BufferBudget(0)
    private var workerCount = 0
    /// A background merge was taken in after the last commit (guarded by `stateLock`).
    private var mergedSinceCommit = false
    /// The writer as the indexing and merge threads see it (weakly).
    private lazy var sink = FlushSink(self)
    private var failed: SearchError?
    /// Files that a new commit made obsolete, removed after the manifest switch.
    private var obsoleteFiles: [String] = []
    /// Segments flushed since the last commit, not yet fsynced (guarded by `stateLock`): the
    /// commit syncs them before its manifest names them.
    private var unsynced: [UnsyncedFile] = []
    /// At most this many flushed segments wait for their fsync.
    static let maxUnsynced = 16

    private struct WriterSegment {
        var entry: Manifest.SegmentEntry
        let reader: SegmentReader
        var live: LiveDocuments
        var dirty: Bool

        /// The file's size times its live fraction: the size the merge policy sorts by.
        var liveBytes: Int {
            Int(Double(reader.file.count) * Double(live.liveCount) / Double(max(entry.documentCount, 1)))
        }
    }

    init(directory: String, options: IndexWriterOptions) throws {
        self.directory = directory
        self.options = options
        lock = try FileLock(path: directory + "/LOCK")
        manifest = try Manifest.read(directory: directory)
        let snapshot = try IndexSnapshot.open(directory: directory)
        manifest = snapshot.manifest
        buffer = PendingBuffer(analysis: manifest.analysis)
        segments = snapshot.segments.map { WriterSegment(entry: $0.entry, reader: $0.reader, live: $0.live, dirty: false) }
        // Opening verified small segments in full; the writer only consults them now and then.
        for s in segments { s.reader.file.releaseResidentPages() }
        removeUnreferencedFiles()
    }

    deinit {
        stopWorkers()
        merger.cancelAndWait()
        lock?.release()
    }

    /// Documents added since the last commit and not replaced or deleted since, in buffers not
    /// yet flushed. (With indexing threads, waits until they have taken in what was queued.)
    public var pendingDocumentCount: Int {
        if workers.isEmpty { return buffer.pendingCount }
        submitAll()
        return workers.reduce(0) { $0 + $1.pendingCount() }
    }

    private func checkUsable() throws {
        if let failed { throw SearchError(.writerClosed, "writer failed earlier (\(failed.message)); open a new one", path: directory) }
        if lock == nil { throw SearchError(.writerClosed, "writer is closed", path: directory) }
        if let e = workers.lazy.compactMap({ $0.failure }).first ?? merger.failure {
            failed = e
            close()
            throw e
        }
    }

    /// Adds a document, replacing any document with the same id when the change is committed.
    public func add(_ doc: Document) throws {
        try checkUsable()
        let need = doc.indexingMemoryBound
        // (A document of up to 1 MiB of text is taken whatever the budget: a budget that small
        // is a test's, and the buffer's tables alone are larger.)
        let allowance = max(options.memoryBudget / max(1, options.threads), IndexWriter.documentAllowanceFloor)
        if need > allowance {
            // Refused whole rather than let one document take the process past its budget.
            throw SearchError(.limitExceeded, "document \"\(doc.id)\" (\(doc.title.utf8.count + doc.body.utf8.count) bytes of text) may need up to \(need >> 20) MiB to index, more than the \(allowance >> 20) MiB the memory budget gives an indexing thread; raise the budget (--memory) or split the document")
        }
        if workers.isEmpty {
            let limit = min(options.memoryBudget - stateLock.withLock({ mergeReserve }), IndexWriter.maxBufferBytes)
            // A document that would take the buffer past the budget goes into the next one.
            if buffer.writer.documentCount > 0, buffer.estimatedMemory + need > limit {
                try guarded { try flush(&buffer) }
            }
            try buffer.add(doc)
            if buffer.estimatedMemory >= limit || buffer.writer.isFull {
                try guarded { try flush(&buffer) }
            } else if options.threads > 1 && buffer.estimatedMemory >= parallelThreshold {
                // Big enough to be worth the threads: what was buffered becomes a segment (older
                // than anything the threads will write, so replacements stay right) and the
                // threads take over.
                try guarded { try flush(&buffer) }
                startWorkers()
            }
            return
        }
        try doc.validate()   // the caller hears of a bad document now, not at commit
        try enqueue(.add(doc), id: doc.id, bytes: doc.title.utf8.count + doc.body.utf8.count + 64)
    }

    /// Deletes the document with this id (if any), including one added since the last commit.
    public func delete(id: String) throws {
        try checkUsable()
        if workers.isEmpty {
            buffer.delete(id)
        } else {
            try enqueue(.delete(id), id: id, bytes: 64)
        }
    }

    /// With several threads, a writer works on the caller's thread until its buffer holds this
    /// much, so that small batches make one segment rather than one per thread.
    private var parallelThreshold: Int { options.inlineLimit ?? min(32 << 20, options.memoryBudget / options.threads) }

    /// A document's ``Document/indexingMemoryBound`` up to this is accepted under any budget.
    static let documentAllowanceFloor = 64 << 20

    /// A buffer never grows past this, whatever the budget: the inverter's arena addresses 4 GiB,
    /// and the largest document may need up to about 1 GiB of it.
    static let maxBufferBytes = 2 << 30

    /// Each indexing thread needs at least this much (an empty buffer holds about 3 MiB of
    /// tables, and up to 4 MiB of batches are in flight per thread); with less, fewer threads run.
    static let minThreadBytes = 8 << 20

    // MARK: - Indexing threads

    /// Operations are batched per thread, about this many bytes a batch.
    static let batchTarget = 1 << 20

    private func enqueue(_ op: IndexingWorker.Operation, id: String, bytes: Int) throws {
        let k = Int(IdHash.mixed(IdHash.hash(id)) % UInt64(workers.count))
        batches[k].append(op)
        batchBytes[k] += bytes
        if batchBytes[k] >= IndexWriter.batchTarget { submit(k) }
    }

    private func startWorkers() {
        let n = max(1, min(options.threads, options.memoryBudget / IndexWriter.minThreadBytes))
        stateLock.withLock {
            workerCount = n
            updateThreadShare()
        }
        let group = FlushGroup()
        workers = (0 ..< n).map { _ in IndexingWorker(budget: threadShare, sink: sink, group: group, analysis: manifest.analysis) }
        for w in workers { group.join(w) }
        batches = Array(repeating: [], count: n)
        batchBytes = Array(repeating: 0, count: n)
    }

    private func submit(_ k: Int) {
        guard !batches[k].isEmpty else { return }
        workers[k].send(batches[k])
        batches[k] = []
        batchBytes[k] = 0
    }

    private func submitAll() {
        for k in workers.indices { submit(k) }
    }

    /// Makes every indexing thread flush what it holds, and waits. Throws the first thread error.
    private func flushWorkers() throws {
        submitAll()
        for w in workers { w.requestFlush() }
        for w in workers { w.waitIdle() }
        if let e = workers.lazy.compactMap({ $0.failure }).first { throw e }
    }

    private func stopWorkers() {
        for w in workers { w.stop() }
        workers = []
    }

    /// The part of the writer the indexing threads use: flushing a buffer to a segment.
    /// Weak, so that dropping a writer without ``close()`` is safe: its deinit stops the
    /// threads, and a thread that flushes meanwhile gets an error instead of a dying object.
    final class FlushSink: @unchecked Sendable {
        private weak var writer: IndexWriter?
        init(_ writer: IndexWriter) { self.writer = writer }
        func flush(_ buffer: inout PendingBuffer) throws {
            guard let writer else { throw SearchError(.writerClosed, "writer was released") }
            try writer.flush(&buffer)
        }
        func installMerge(_ job: BackgroundMerger.Job, _ result: Result<(SegmentReader, Int), SearchError>) -> BackgroundMerger.Next {
            guard let writer else {
                if case .success = result { FileIO.remove(job.directory + "/" + job.name + ".seg") }
                return .writerGone
            }
            return writer.installMerge(job, result)
        }
    }

    /// Makes every change since the last commit durable and visible, atomically.
    @discardableResult
    public func commit() throws -> CommitInfo {
        try checkUsable()
        return try guarded {
            try flushAll()
            // (Read under the lock: a background merge may be installing its result.)
            if stateLock.withLock({ segments.count }) > options.maxSegments {
                try waitForBackgroundMerge()   // then nothing else touches the segments
                if segments.count > options.maxSegments {
                    let smallest = segments.indices.sorted { segments[$0].entry.documentCount < segments[$1].entry.documentCount }
                    try mergeSegments(Set(smallest.prefix(segments.count - options.maxSegments + 1)))
                }
            }
            return try writeCommit()
        }
    }

    /// Merges the small segments (tier 0 of the merge policy: under `floorBytes × segmentsPerTier`
    /// live bytes, 40 MB by default) into one when there are at least two, and commits; nil when
    /// there was nothing to merge (or merging is off). What a build does at its end: the last
    /// flushes of its indexing threads, and the segment written before they start, are small,
    /// and each segment costs a search a dictionary lookup per term and its own scorers (on the
    /// 1 GB corpus three segments of 1–13 MB cost a phrase about a tenth of its time). Bounded:
    /// the policy never leaves `segmentsPerTier` segments in tier 0.
    @discardableResult
    public func mergeSmallSegments() throws -> CommitInfo? {
        try checkUsable()
        guard let policy = options.mergePolicy else { return nil }
        return try guarded {
            try flushAll()
            try waitForBackgroundMerge()
            let small = segments.indices.filter { policy.tier(segments[$0].liveBytes) == 0 }
            guard small.count >= 2 else { return nil }
            try mergeSegments(Set(small))
            return try writeCommit()
        }
    }

    /// Merges all segments into at most `maxSegments` (dropping deleted documents) and commits.
    @discardableResult
    public func merge(maxSegments: Int = 1) throws -> CommitInfo {
        precondition(maxSegments >= 1, "merge needs at least one target segment")
        try checkUsable()
        return try guarded {
            try flushAll()
            try waitForBackgroundMerge()
            let bySize = segments.indices.sorted { segments[$0].entry.documentCount < segments[$1].entry.documentCount }
            if segments.count > maxSegments {
                try mergeSegments(Set(bySize.prefix(segments.count - maxSegments + 1)))
            } else if maxSegments == 1 && segments.count == 1 && segments[0].live.deletedCount > 0 {
                try mergeSegments([0])   // expunge deleted documents
            }
            return try writeCommit()
        }
    }

    /// Adds the documents of other indexes (for example shards built separately with
    /// `cjksearch index --shard K/N`) and merges everything, with this index's own documents,
    /// into one segment; then commits. Where an id occurs more than once, the newest copy wins:
    /// this index's documents are the oldest, then `others` in the order given. The other
    /// indexes are only read (at their latest commit) and stay as they are.
    ///
    /// Memory stays bounded whatever the sizes (see ``SegmentMerger``).
    @discardableResult
    public func merge(adding others: [SearchIndex]) throws -> CommitInfo {
        try checkUsable()
        for o in others where FileIO.realPath(o.directory) == FileIO.realPath(directory) {
            throw SearchError(.invalidInput, "cannot merge an index into itself", path: o.directory)
        }
        return try guarded {
            try flushAll()
            try waitForBackgroundMerge()
            let snapshots = try others.map { try IndexSnapshot.open(directory: $0.directory) }
            for s in snapshots where s.manifest.analysis != manifest.analysis {
                // Segments are merged as they are, never re-analyzed: their terms must be folded alike.
                throw SearchError(.invalidInput, "this index was built with \(s.manifest.analysis), the target with \(manifest.analysis): rebuild it with the same analysis to merge",
                                  path: s.directory)
            }
            for s in snapshots { for segment in s.segments { segment.reader.file.releaseResidentPages() } }
            var readers = segments.map(\.reader) + snapshots.flatMap { $0.segments.map(\.reader) }
            var lives = segments.map(\.live) + snapshots.flatMap { $0.segments.map(\.live) }
            // Newest wins: a live document whose id has a live copy in a later source goes.
            for i in readers.indices.dropLast().reversed() {
                for d in 0 ..< readers[i].documentCount where !lives[i].isDeleted(d) {
                    let id = try readers[i].id(d)
                    for j in i + 1 ..< readers.count
                    where try readers[j].documents(withID: id).contains(where: { !lives[j].isDeleted($0) }) {
                        lives[i].delete(d)
                        break
                    }
                }
                readers[i].file.releaseResidentPages()
            }
            let sources = zip(readers, lives).map { SegmentMerger.Source(reader: $0, live: $1.deletedCount > 0 ? $1 : nil) }
            let liveCount = lives.reduce(0) { $0 + $1.liveCount }
            for old in segments {
                obsoleteFiles.append(old.entry.segmentFile)
                if let del = old.entry.deletionsFile { obsoleteFiles.append(del) }
            }
            segments = liveCount > 0 ? [try writeMergedSegment(sources)] : []
            readers = []
            return try writeCommit()
        }
    }

    /// Waits until no background merge runs (merges that the policy chains one after another
    /// included), so that the next ``commit()`` takes in their results. Throws a merge's error.
    /// - Returns: whether a merge finished since the last commit (so a commit would change the index).
    @discardableResult
    public func waitForMerges() throws -> Bool {
        try checkUsable()
        try guarded { try waitForBackgroundMerge() }
        return stateLock.withLock { mergedSinceCommit }
    }

    private func waitForBackgroundMerge() throws {
        merger.waitIdle()
        if let e = merger.failure { throw e }
    }

    /// Discards uncommitted changes, stops the indexing threads and any background merge, and
    /// releases the lock.
    public func close() {
        stopWorkers()
        merger.cancelAndWait()
        stateLock.withLock { unsynced.removeAll() }   // uncommitted: closed unsynced
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

    /// Flushes every buffer: the caller's, or the indexing threads'.
    private func flushAll() throws {
        if workers.isEmpty {
            try flush(&buffer)
        } else {
            try flushWorkers()
        }
    }

    /// Writes a buffer as a new segment (not yet committed) and applies its deletes to the
    /// segments flushed before it, then empties the buffer. Indexing threads call this
    /// concurrently: the segment file is written unlocked, the bookkeeping under `stateLock`.
    /// Deleting by id from every other segment is right because all versions of an id go through
    /// one buffer in order: a copy in another segment is older.
    fileprivate func flush(_ buffer: inout PendingBuffer) throws {
        let flushed = buffer
        buffer = PendingBuffer(analysis: buffer.analysis)
        var added: WriterSegment?
        if flushed.writer.documentCount > 0 {
            stateLock.lock()
            let (name, id) = newSegmentName()
            stateLock.unlock()
            let path = directory + "/" + name + ".seg"
            let file = try flushed.writer.writeUnsynced(to: path, segmentID: id)
            // (The oldest of many is synced now, written back by then, so that a long build
            // without commits holds a bounded number of files open.)
            let due: UnsyncedFile? = stateLock.withLock {
                unsynced.append(file)
                return unsynced.count > IndexWriter.maxUnsynced ? unsynced.removeFirst() : nil
            }
            try due?.sync()
            // Just written by us: its big sections are not re-read to verify them.
            let reader = try SegmentReader(directory: directory, name: name, expectedID: id, eagerVerifyLimit: 0)
            reader.file.releaseResidentPages()
            var live = LiveDocuments(documentCount: flushed.writer.documentCount)
            for d in flushed.deleted { live.delete(d) }
            let entry = Manifest.SegmentEntry(name: name, segmentID: id, documentCount: flushed.writer.documentCount,
                                              deletedCount: 0, deletionsGeneration: 0)
            added = WriterSegment(entry: entry, reader: reader, live: live, dirty: live.deletedCount > 0)
        }
        stateLock.lock()
        defer { stateLock.unlock() }
        try applyDeletes(flushed.pendingDeletes, to: 0 ..< segments.count)
        for s in segments { s.reader.file.releaseResidentPages() }
        if let added { segments.append(added) }
        if !merger.isRunning, let job = pickMerge() {
            reserveMemory(for: job)
            merger.start(job) { [sink] in sink.installMerge($0, $1) }
        }
    }

    /// Each indexing thread's share of the budget, less the batches in flight and the memory set
    /// aside for a merge. Called under `stateLock`.
    private func updateThreadShare() {
        guard workerCount > 0 else { return }
        let available = options.memoryBudget - mergeReserve
        threadShare.bytes = min(IndexWriter.maxBufferBytes,
                                max(available / workerCount - (IndexingWorker.maxQueued + 2) * IndexWriter.batchTarget, 1 << 20))
    }

    /// Sets aside the memory a merge needs (measured: merging 1.15 GB of segments took 120 MB
    /// more than the process at rest, and a 2.9 GB merge next to the indexing threads about
    /// 260 MB: ids, norms, the new term dictionary and the largest term's postings on the heap,
    /// and source pages read and not yet let go), at most a quarter of the budget. Called under `stateLock`; 0 when merges end.
    private func reserveMemory(for job: BackgroundMerger.Job?) {
        mergeReserve = job.map { min(options.memoryBudget / 4, IndexWriter.mergeMemory($0.bytes)) } ?? 0
        updateThreadShare()
    }

    /// The memory a merge of `bytes` live bytes is allowed for.
    static func mergeMemory(_ bytes: Int) -> Int { bytes / 10 + SegmentMerger.releaseEvery + (8 << 20) }

    // MARK: - Background merges

    /// A merge the policy picks among the current segments, with a name for its result; nil when
    /// none is due, merging is off or the writer is closing. Called under `stateLock`.
    private func pickMerge() -> BackgroundMerger.Job? {
        // (A closing or failed writer has cancelled the merger, which then starts nothing.)
        guard var policy = options.mergePolicy, !merger.isCancelled, merger.failure == nil else { return nil }
        // Background merges stay within the quarter of the budget they may take from the buffers;
        // larger ones wait for a commit or an explicit merge, when the buffers are empty.
        let affordable = (options.memoryBudget / 4 - IndexWriter.mergeMemory(0)) * 10
        policy.maxMergedBytes = min(policy.maxMergedBytes, affordable)
        guard policy.maxMergedBytes > 0 else { return nil }
        let sizes = segments.map(\.liveBytes)
        guard let chosen = policy.pick(sizes: sizes) else { return nil }
        let bytes = chosen.reduce(0) { $0 + sizes[$1] }
        let (name, id) = newSegmentName()
        return BackgroundMerger.Job(
            sources: chosen.map { SegmentMerger.Source(reader: segments[$0].reader,
                                                       live: segments[$0].live.deletedCount > 0 ? segments[$0].live : nil) },
            sourceNames: chosen.map { segments[$0].entry.name }, name: name, segmentID: id, directory: directory,
            bytes: bytes)
    }

    /// Takes in a finished background merge (on the merge thread): its sources leave the segment
    /// list and the merged segment takes the place of the first; documents deleted from a source
    /// while the merge ran are deleted from the merged segment too (a source dropped by a commit
    /// meanwhile had all its documents deleted). Then picks the next merge.
    fileprivate func installMerge(_ job: BackgroundMerger.Job, _ result: Result<(SegmentReader, Int), SearchError>) -> BackgroundMerger.Next {
        options.mergeWillInstall?()
        stateLock.lock()
        defer { stateLock.unlock() }
        guard case .success(let (reader, count)) = result else {
            reserveMemory(for: nil)
            merger.setIdle()
            return .idle
        }
        if merger.isCancelled {   // the writer is closing: nobody will commit this segment
            FileIO.remove(directory + "/" + job.name + ".seg")
            reserveMemory(for: nil)
            merger.setIdle()
            return .idle
        }
        var live = LiveDocuments(documentCount: count)
        var next = 0
        var positions: [Int] = []
        for (k, source) in job.sources.enumerated() {
            let now = segments.firstIndex { $0.entry.name == job.sourceNames[k] }
            if let now { positions.append(now) }
            for d in 0 ..< source.reader.documentCount where !(source.live?.isDeleted(d) ?? false) {
                if now.map({ segments[$0].live.isDeleted(d) }) ?? true { live.delete(next) }
                next += 1
            }
        }
        precondition(next == count, "merged segment holds \(count) documents, sources \(next)")
        for i in positions {
            obsoleteFiles.append(segments[i].entry.segmentFile)
            if let del = segments[i].entry.deletionsFile { obsoleteFiles.append(del) }
        }
        let entry = Manifest.SegmentEntry(name: job.name, segmentID: job.segmentID, documentCount: count,
                                          deletedCount: 0, deletionsGeneration: 0)
        let merged = WriterSegment(entry: entry, reader: reader, live: live, dirty: live.deletedCount > 0)
        let insertAt = positions.min() ?? segments.count
        var kept = segments.enumerated().filter { !positions.contains($0.offset) }.map(\.element)
        kept.insert(merged, at: min(insertAt, kept.count))
        segments = kept
        mergedSinceCommit = true
        let following = pickMerge()
        reserveMemory(for: following)
        if let following { return .job(following) }
        merger.setIdle()
        return .idle
    }

    /// Rewrites the live documents of the given segments into one new segment (by their postings,
    /// see ``SegmentMerger``), in index order.
    private func mergeSegments(_ chosen: Set<Int>) throws {
        guard !chosen.isEmpty else { return }
        let sources = segments.indices.filter { chosen.contains($0) }.map {
            SegmentMerger.Source(reader: segments[$0].reader, live: segments[$0].live.deletedCount > 0 ? segments[$0].live : nil)
        }
        let liveCount = sources.reduce(0) { $0 + $1.reader.documentCount - ($1.live?.deletedCount ?? 0) }
        let insertAt = chosen.min()!
        var kept = segments.enumerated().filter { !chosen.contains($0.offset) }.map(\.element)
        if liveCount > 0 {
            kept.insert(try writeMergedSegment(sources), at: min(insertAt, kept.count))
        }
        for i in segments.indices where chosen.contains(i) {
            obsoleteFiles.append(segments[i].entry.segmentFile)
            if let del = segments[i].entry.deletionsFile { obsoleteFiles.append(del) }
        }
        segments = kept
    }

    /// Merges `sources` into a new segment file (not yet committed) and opens it.
    private func writeMergedSegment(_ sources: [SegmentMerger.Source]) throws -> WriterSegment {
        let (name, id) = newSegmentName()
        let count = try SegmentMerger.merge(sources, to: directory + "/" + name + ".seg", segmentID: id)
        let reader = try SegmentReader(directory: directory, name: name, expectedID: id, eagerVerifyLimit: 0)
        reader.file.releaseResidentPages()
        let entry = Manifest.SegmentEntry(name: name, segmentID: id, documentCount: count,
                                          deletedCount: 0, deletionsGeneration: 0)
        return WriterSegment(entry: entry, reader: reader, live: LiveDocuments(documentCount: count), dirty: false)
    }

    private func writeCommit() throws -> CommitInfo {
        stateLock.lock()   // a background merge may install its result meanwhile
        defer { stateLock.unlock() }
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
        mergedSinceCommit = false
        for f in unsynced { try f.sync() }          // flushed segments' bytes are durable
        unsynced.removeAll()
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

/// Documents added since the last flush, in one segment writer, with what replacing them needs:
/// which of its own documents were replaced or deleted, and the ids whose older copies in earlier
/// segments must be deleted when it is flushed.
struct PendingBuffer {
    /// The index's analysis, which every buffer after this one keeps.
    let analysis: AnalysisOptions
    var writer: SegmentWriter
    var ids: [String: Int] = [:]
    var deleted: [Int] = []
    var pendingDeletes: [String] = []

    init(analysis: AnalysisOptions) {
        self.analysis = analysis
        writer = SegmentWriter(analysis: analysis)
    }

    var pendingCount: Int { writer.documentCount - deleted.count }

    mutating func add(_ doc: Document) throws {
        let number = writer.documentCount
        try writer.add(doc)
        if let old = ids[doc.id] { deleted.append(old) }
        ids[doc.id] = number
        pendingDeletes.append(doc.id)
    }

    mutating func delete(_ id: String) {
        if let old = ids.removeValue(forKey: id) { deleted.append(old) }
        pendingDeletes.append(id)
    }

    /// The writer's memory plus the id bookkeeping (about 80 bytes an id plus its text).
    var estimatedMemory: Int { writer.estimatedMemory + ids.count * 80 + pendingDeletes.count * 16 }
}
