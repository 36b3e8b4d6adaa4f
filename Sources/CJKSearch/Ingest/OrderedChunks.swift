import Dispatch

/// Chunks of work done on other threads and taken back in the order they were handed over: the
/// pipeline that JSONL parsing and WARC conversion share (``InputReader``, ``WARCReader``). At
/// most `depth` chunks are in flight; handing over one more first takes back the oldest, so the
/// memory held stays bounded whatever the input.
struct OrderedChunks<Chunk: AnyObject & Sendable> {
    private let depth: Int
    private let process: @Sendable (Chunk) -> Void
    private var inFlight: [(chunk: Chunk, done: DispatchSemaphore)] = []

    /// - Parameters:
    ///   - depth: chunks in flight at most (at least 1).
    ///   - process: the work, run on a global-queue thread; its results stay in the chunk.
    init(depth: Int, process: @escaping @Sendable (Chunk) -> Void) {
        precondition(depth >= 1, "OrderedChunks: depth must be at least 1")
        self.depth = depth
        self.process = process
    }

    /// Hands `chunk` over; when `depth` chunks are then in flight, waits for the oldest and passes
    /// it to `take`. Returns what `take` returned (true when nothing was taken back).
    mutating func hand(_ chunk: Chunk, take: (Chunk) throws -> Bool) rethrows -> Bool {
        let done = DispatchSemaphore(value: 0)
        let process = self.process
        inFlight.append((chunk, done))
        DispatchQueue.global().async {
            process(chunk)
            done.signal()
        }
        return inFlight.count >= depth ? try takeOldest(take) : true
    }

    /// Takes back every chunk in flight, in order; stops at the first for which `take` returns false.
    mutating func drain(take: (Chunk) throws -> Bool) rethrows -> Bool {
        while !inFlight.isEmpty {
            if try !takeOldest(take) { return false }
        }
        return true
    }

    private mutating func takeOldest(_ take: (Chunk) throws -> Bool) rethrows -> Bool {
        let (chunk, done) = inFlight.removeFirst()
        done.wait()
        return try take(chunk)
    }
}
