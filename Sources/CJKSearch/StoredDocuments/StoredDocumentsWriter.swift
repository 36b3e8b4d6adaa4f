/// Writes stored documents in zstd-compressed blocks.
///
/// ```
/// Stored     --> Frame^BlockCount, <FirstDoc:u32, RawLength:u32, Offset:u64, Length:u64>^BlockCount, BlockCount:u32
/// Frame      --> zstd(StoredDoc^n)                 (Offset is relative to the section start)
/// StoredDoc  --> Id:string, Title:string, Body:string, FieldCount:varint, <Name:string, Value:string>^FieldCount
/// string     --> Length:varint, UTF-8 bytes
/// ```
/// Documents are packed into a block until it holds at least ``blockTarget`` raw bytes, so a large
/// document is a block of its own. Fields are written in name order, so the same documents always
/// give the same bytes. zstd level 3 compresses Chinese text about 1.9× at this block size, against
/// 1.4× for LZ4 (RESEARCH.md §7.4); fetching a hit decompresses one block.
///
/// The block index follows the frames (and the count ends the section), so that a merge can stream
/// frames to the file as it compresses them (``init(streamingTo:)``); a flush keeps its frames in
/// memory until the segment is written, and they count against the memory budget.
final class StoredDocumentsWriter {
    static let blockTarget = 16 << 10

    private let zstd = ZstdCompressor(level: 3)
    private var current = ByteWriter(capacity: blockTarget * 2)
    private var currentFirst = 0
    private var currentCount = 0
    private var index: [(first: UInt32, raw: UInt32, offset: Int, length: Int)] = []
    private var frames: [UInt8] = []
    /// Frames already handed to `stream`.
    private var streamed = 0
    private let stream: SectionWriter?
    private(set) var documentCount = 0

    /// Frames are kept in memory until ``finish(_:)``.
    init() { stream = nil }

    /// Frames go to `writer`'s current section as they are made; the section must have been begun
    /// and nothing else written to it.
    init(streamingTo writer: SectionWriter) { stream = writer }

    var estimatedBytes: Int { frames.capacity + current.count + index.capacity * 32 }

    func add(_ doc: Document) throws {
        current.string(doc.id)
        current.string(doc.title)
        current.string(doc.body)
        current.varint(doc.fields.count)
        for key in doc.fields.keys.sorted() {
            current.string(key)
            current.string(doc.fields[key]!)
        }
        currentCount += 1
        documentCount += 1
        if current.count >= StoredDocumentsWriter.blockTarget { try flushBlock() }
    }

    private func flushBlock() throws {
        guard currentCount > 0 else { return }
        if stream != nil { frames.removeAll(keepingCapacity: true) }
        let start = frames.count
        current.bytes.withUnsafeBytes { _ = zstd.compress($0, appendingTo: &frames) }
        let length = frames.count - start
        index.append((UInt32(currentFirst), UInt32(current.count), streamed + start, length))
        if let stream {
            try stream.append(frames)
            streamed += length
        }
        currentFirst += currentCount
        currentCount = 0
        current.removeAll()
    }

    /// Emits the rest of the section: the frames not streamed yet, then the block index. Call once.
    func finish(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try flushBlock()
        if stream == nil { try frames.withUnsafeBytes { try emit($0) } }
        var tail = ByteWriter(capacity: 4 + index.count * 24)
        for e in index {
            tail.u32(e.first)
            tail.u32(e.raw)
            tail.u64(UInt64(e.offset))
            tail.u64(UInt64(e.length))
        }
        tail.u32(UInt32(index.count))
        try tail.bytes.withUnsafeBytes { try emit($0) }
    }
}
