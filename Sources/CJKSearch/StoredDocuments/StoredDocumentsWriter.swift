/// Writes stored documents in zstd-compressed blocks, with a dictionary trained on the segment's
/// first documents.
///
/// ```
/// Stored     --> Frame^BlockCount, Dictionary, <FirstDoc:u32, RawLength:u32, Offset:u64, Length:u64>^BlockCount,
///                DictionaryLength:u32, BlockCount:u32
/// Frame      --> zstd(StoredDoc^n)                 (with Dictionary when DictionaryLength > 0)
/// Dictionary --> byte^DictionaryLength             a zstd dictionary (ZDICT format), or nothing
/// StoredDoc  --> Id:string, Title:string, Body:string, FieldCount:varint, <Name:string, Value:string>^FieldCount
/// string     --> Length:varint, UTF-8 bytes
/// ```
/// Offsets are relative to the section start. Documents are packed into a block until it holds at
/// least ``blockTarget`` raw bytes, so a large document is a block of its own. Fields are written
/// in name order, so the same documents always give the same bytes.
///
/// The first ``trainingBytes`` of documents are held raw; a dictionary of at most
/// ``dictionaryCapacity`` bytes is trained on them (each document a sample), and every block,
/// those held included, is compressed with it. Without a dictionary, zstd level 3 compresses a
/// 16 KiB block of the generated crawl 2.3×: each block starts from an empty window. With one
/// (trained on 2 MB, 0.15 s) the same blocks compress 2.9×, close to zstd over the whole file (3.1×),
/// at the same speed, and a hit still decompresses one 16 KiB block. A section with less than
/// ``trainingBytes`` of documents, or whose documents cannot be trained on, has no dictionary.
///
/// The block index follows the frames (and the counts end the section), so that a merge can stream
/// frames to the file as it compresses them (``init(streamingTo:)``); a flush keeps its frames in
/// memory until the segment is written, and they count against the memory budget.
final class StoredDocumentsWriter {
    static let blockTarget = 16 << 10
    static let trainingBytes = 2 << 20
    static let dictionaryCapacity = 112_640

    private let zstd = ZstdCompressor(level: 3)
    private var current = ByteWriter(capacity: blockTarget * 2)
    private var currentFirst = 0
    private var currentCount = 0
    private var index: [(first: UInt32, raw: UInt32, offset: Int, length: Int)] = []
    private var frames: [UInt8] = []
    /// Frames already handed to `stream`.
    private var streamed = 0
    private let stream: (any ByteSink)?
    private(set) var documentCount = 0
    /// Whether the dictionary question is settled (trained, or given up); until then blocks are
    /// held raw in `held`, and each document's record length is a training sample.
    private var settled = false
    private var held: [UInt8] = []
    private var heldBlocks: [(first: Int, count: Int, end: Int)] = []
    private var sampleSizes: [Int] = []
    /// The trained dictionary, empty when there is none.
    private(set) var dictionary: [UInt8] = []

    /// Frames are kept in memory until ``finish(_:)``.
    init() { stream = nil }

    /// Frames go to `sink` as they are made (a section writer's current section, begun with
    /// nothing else written to it, or a spill file whose bytes become such a section).
    init(streamingTo sink: any ByteSink) { stream = sink }

    var estimatedBytes: Int {
        frames.capacity + current.count + held.capacity + index.capacity * 32 + sampleSizes.capacity * 8
    }

    func add(_ doc: Document) throws {
        let start = current.count
        current.string(doc.id)
        current.string(doc.title)
        current.string(doc.body)
        current.varint(doc.fields.count)
        for key in doc.fields.keys.sorted() {
            current.string(key)
            current.string(doc.fields[key]!)
        }
        if !settled { sampleSizes.append(current.count - start) }
        currentCount += 1
        documentCount += 1
        if current.count >= StoredDocumentsWriter.blockTarget { try endBlock() }
    }

    /// Ends the current block: held raw while the dictionary is unsettled, compressed otherwise.
    private func endBlock() throws {
        guard currentCount > 0 else { return }
        if settled {
            try current.bytes.withUnsafeBytes { try compress($0, first: currentFirst) }
        } else {
            held.append(contentsOf: current.bytes)
            heldBlocks.append((currentFirst, currentCount, held.count))
        }
        currentFirst += currentCount
        currentCount = 0
        current.removeAll()
        if !settled && held.count >= StoredDocumentsWriter.trainingBytes { try settle(train: true) }
    }

    /// Trains the dictionary on the held documents (when `train`), then compresses the held blocks.
    private func settle(train: Bool) throws {
        settled = true
        if train, let d = held.withUnsafeBytes({
            ZstdDictionary.train(samples: $0, sizes: sampleSizes, capacity: StoredDocumentsWriter.dictionaryCapacity)
        }) {
            dictionary = d
            zstd.use(dictionary: d)
        }
        var start = 0
        try held.withUnsafeBytes { all in
            for b in heldBlocks {
                try compress(UnsafeRawBufferPointer(rebasing: all[start ..< b.end]), first: b.first)
                start = b.end
            }
        }
        held = []
        heldBlocks = []
        sampleSizes = []
    }

    private func compress(_ raw: UnsafeRawBufferPointer, first: Int) throws {
        if stream != nil { frames.removeAll(keepingCapacity: true) }
        let start = frames.count
        let length = zstd.compress(raw, appendingTo: &frames)
        index.append((UInt32(first), UInt32(raw.count), streamed + start, length))
        if let stream {
            try frames.withUnsafeBytes { try stream.append($0) }
            streamed += length
        }
    }

    /// Emits the rest of the section: the frames not streamed yet, the dictionary, then the block
    /// index. Call once.
    func finish(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try endBlock()
        if !settled { try settle(train: false) }
        if stream == nil { try frames.withUnsafeBytes { try emit($0) } }
        try dictionary.withUnsafeBytes { try emit($0) }
        var tail = ByteWriter(capacity: 8 + index.count * 24)
        for e in index {
            tail.u32(e.first)
            tail.u32(e.raw)
            tail.u64(UInt64(e.offset))
            tail.u64(UInt64(e.length))
        }
        tail.u32(UInt32(dictionary.count))
        tail.u32(UInt32(index.count))
        try tail.bytes.withUnsafeBytes { try emit($0) }
    }
}
