import Foundation

/// One indexing thread of an ``IndexWriter``: it takes batches of operations in order, analyzes
/// and inverts them into its own ``PendingBuffer``, and flushes that buffer to a segment when it
/// reaches its share of the memory budget or when the writer asks (at a commit).
///
/// At most ``maxQueued`` batches wait; ``send(_:)`` blocks beyond that, so a fast reader cannot
/// queue up unbounded memory ahead of the indexing threads. After an error the thread drops further
/// work and keeps the error in ``failure`` for the writer to throw.
final class IndexingWorker: FlushGroup.Member, @unchecked Sendable {
    enum Operation {
        case add(Document)
        case delete(String)
    }

    static let maxQueued = 2

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [[Operation]] = []
    private var flushRequested = false
    private var busy = false
    private var stopping = false
    private var exited = false
    private var storedFailure: SearchError?
    private var count = 0
    private var bufferedBytes = 0

    // Owned by the thread:
    private var buffer: PendingBuffer
    private let budget: BufferBudget
    private let sink: IndexWriter.FlushSink
    private let group: FlushGroup
    private var thread: Thread?

    init(budget: BufferBudget, sink: IndexWriter.FlushSink, group: FlushGroup, analysis: AnalysisOptions) {
        buffer = PendingBuffer(analysis: analysis)
        self.budget = budget
        self.sink = sink
        self.group = group
        let thread = Thread { [self] in run() }
        thread.name = "cjksearch-indexer"
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    /// The first error this thread met, if any.
    var failure: SearchError? {
        condition.lock()
        defer { condition.unlock() }
        return storedFailure
    }

    /// Queues a batch, waiting while ``maxQueued`` batches are already queued.
    func send(_ batch: [Operation]) {
        condition.lock()
        while queue.count >= IndexingWorker.maxQueued && !exited { condition.wait() }
        queue.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// Asks for a flush once the queued batches are done.
    func requestFlush() {
        condition.lock()
        flushRequested = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the queue is empty and nothing is in progress (including a requested flush).
    func waitIdle() {
        condition.lock()
        while (!queue.isEmpty || busy || flushRequested) && !exited { condition.wait() }
        condition.unlock()
    }

    /// The bytes its buffer held after the last batch it finished (not waiting for the queue).
    var lastBufferedBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return bufferedBytes
    }

    /// Documents buffered and not yet flushed (after the queue drains).
    func pendingCount() -> Int {
        waitIdle()
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    /// Ends the thread without flushing (what it buffered is discarded) and waits for it.
    /// Called on the thread itself (the writer's last reference went away during a flush), it
    /// only asks the thread to end, without waiting for itself.
    func stop() {
        condition.lock()
        stopping = true
        queue.removeAll()
        condition.broadcast()
        if Thread.current !== thread {
            while !exited { condition.wait() }
        }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !flushRequested && !stopping { condition.wait() }
            if stopping {
                exited = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch: [Operation]? = queue.isEmpty ? nil : queue.removeFirst()
            let flush = batch == nil && flushRequested
            let failedAlready = storedFailure != nil
            busy = true
            condition.broadcast()   // a sender may be waiting for room
            condition.unlock()

            var error: SearchError?
            if !failedAlready {
                do {
                    if let batch {
                        for op in batch {
                            switch op {
                            case .add(let doc):
                                // A document that would take the buffer past its share goes into the next one.
                                if buffer.writer.documentCount > 0, buffer.estimatedMemory + doc.indexingMemoryBound > budget.bytes {
                                    try sink.flush(&buffer)
                                }
                                try buffer.add(doc)
                            case .delete(let id): buffer.delete(id)
                            }
                            if buffer.estimatedMemory >= budget.bytes || buffer.writer.isFull {
                                group.flushing(self, threshold: budget.bytes / 2)
                                try sink.flush(&buffer)
                            }
                        }
                    } else if flush {
                        try sink.flush(&buffer)
                    }
                } catch let e as SearchError {
                    error = e
                } catch {
                    fatalError("unexpected error \(error)")
                }
            }

            condition.lock()
            if let error, storedFailure == nil { storedFailure = error }
            if flush { flushRequested = false }
            count = buffer.pendingCount
            bufferedBytes = buffer.estimatedMemory
            busy = false
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// The indexing threads of one writer, so that they flush together.
///
/// Operations are spread over the threads by id hash, so their buffers fill at about the same rate.
/// A thread that flushes stops taking batches for the time of the flush (seconds for a large
/// buffer), and the writer, which hands every thread its own operations in order, soon waits for
/// room in that thread's queue while the others run dry: on two cores, one sat idle through each
/// of the other's flushes (a fifth of a 1 GB build). So when one thread flushes for its budget,
/// every other thread whose buffer holds at least half of its share flushes too, as soon as its
/// queue is empty, and the flushes run side by side.
final class FlushGroup: @unchecked Sendable {
    /// What the group needs of an indexing thread.
    protocol Member: AnyObject {
        /// The bytes its buffer held after the last batch it finished.
        var lastBufferedBytes: Int { get }
        /// Flush once the queued batches are done.
        func requestFlush()
    }

    private struct Entry { weak var member: (any Member)? }
    private let lock = NSLock()
    private var entries: [Entry] = []

    func join(_ member: any Member) {
        lock.withLock { entries.append(Entry(member: member)) }
    }

    /// `member` starts a flush for its budget: the others holding `threshold` bytes or more are
    /// asked to flush too.
    func flushing(_ member: any Member, threshold: Int) {
        let others = lock.withLock { entries.compactMap(\.member).filter { $0 !== member } }
        for m in others where m.lastBufferedBytes >= threshold { m.requestFlush() }
    }
}

/// The bytes each indexing thread may buffer before it flushes: its share of the writer's memory
/// budget, smaller while a background merge runs (the merge's memory is set aside from the budget).
/// Read by the indexing threads for every document, set by the writer.
final class BufferBudget: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int

    init(_ bytes: Int) { value = bytes }

    var bytes: Int {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
