import Foundation

/// The merge thread of an ``IndexWriter``: it runs one merge at a time (picked by the writer's
/// ``TieredMergePolicy``), and when the writer installs a result it may hand back the next merge,
/// which runs on the same thread. Indexing goes on meanwhile; the merge reads immutable segment
/// files and writes a new one, and the writer carries over deletions made while it ran.
///
/// ``cancelAndWait()`` (at ``IndexWriter/close()``) stops a merge within a few thousand documents
/// or terms; its unfinished file is removed.
final class BackgroundMerger: @unchecked Sendable {
    /// One merge: its sources (with their deletions when it started) and the new segment's name.
    struct Job: @unchecked Sendable {
        let sources: [SegmentMerger.Source]
        let sourceNames: [String]
        let name: String
        let segmentID: UInt64
        let directory: String
        /// The live bytes of the sources (what the policy weighed).
        let bytes: Int
    }

    /// What the writer says after installing a merge.
    enum Next {
        /// Run this merge next.
        case job(Job)
        /// Nothing to merge: the writer marked the merger idle (under its state lock).
        case idle
        /// The writer is gone.
        case writerGone
    }

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var running = false
    private var cancelled = false
    private var storedFailure: SearchError?
    private var thread: Thread?

    /// The first error a merge met, if any (a cancelled merge is not an error).
    var failure: SearchError? {
        condition.lock()
        defer { condition.unlock() }
        return storedFailure
    }

    var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Starts `job` on a new thread. Call only when not running, under the writer's state lock;
    /// `install` is called on the merge thread with each result.
    func start(_ job: Job, install: @escaping @Sendable (Job, Result<(SegmentReader, Int), SearchError>) -> Next) {
        condition.lock()
        precondition(!running, "one background merge at a time")
        guard !cancelled else { condition.unlock(); return }
        running = true
        let t = Thread { [self] in run(job, install) }
        t.name = "cjksearch-merge"
        t.stackSize = 8 << 20
        thread = t
        condition.unlock()
        t.start()
    }

    /// Marks the merger idle; the writer calls it under its state lock when it has nothing to merge.
    func setIdle() {
        condition.lock()
        running = false
        thread = nil
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until no merge runs (chained merges included).
    func waitIdle() {
        condition.lock()
        if Thread.current !== thread {
            while running { condition.wait() }
        }
        condition.unlock()
    }

    /// Stops the merge in progress (if any) and waits for its thread, unless called on it.
    func cancelAndWait() {
        condition.lock()
        cancelled = true
        condition.unlock()
        waitIdle()
    }

    private func run(_ first: Job, _ install: (Job, Result<(SegmentReader, Int), SearchError>) -> Next) {
        var job = first
        while true {
            let result: Result<(SegmentReader, Int), SearchError>
            do {
                let count = try SegmentMerger.merge(job.sources, to: job.directory + "/" + job.name + ".seg",
                                                    segmentID: job.segmentID, parallel: false, shouldStop: { [self] in isCancelled })
                let reader = try SegmentReader(directory: job.directory, name: job.name, expectedID: job.segmentID,
                                               eagerVerifyLimit: 0)
                reader.file.releaseResidentPages()
                result = .success((reader, count))
            } catch let e as SearchError {
                result = .failure(e)
            } catch {
                result = .failure(SearchError(.io, "merge failed: \(error)", path: job.directory))
            }
            if case .failure(let e) = result, !isCancelled {
                condition.lock()
                if storedFailure == nil { storedFailure = e }
                condition.unlock()
            }
            switch install(job, result) {
            case .job(let next): job = next
            case .idle: return
            case .writerGone:
                setIdle()
                return
            }
        }
    }
}
