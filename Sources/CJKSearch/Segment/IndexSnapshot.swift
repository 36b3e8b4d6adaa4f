/// One segment as seen by a snapshot: its reader and which of its documents are deleted.
struct SnapshotSegment: @unchecked Sendable {
    let reader: SegmentReader
    let live: LiveDocuments
    let entry: Manifest.SegmentEntry
    /// The index directory the segment belongs to.
    let directory: String
}

/// A consistent, immutable view of one commit: the segments its manifest lists, with their
/// deletions as of that commit. Later commits never change it.
final class IndexSnapshot: @unchecked Sendable {
    // @unchecked Sendable: all properties are immutable after init; readers are Sendable.
    let directory: String
    let manifest: Manifest
    let segments: [SnapshotSegment]
    /// For a view over several indexes (``init(combining:)``): their snapshots, in order; empty
    /// for the snapshot of one index.
    let parts: [IndexSnapshot]

    /// Live documents over all segments (N in BM25).
    let documentCount: Int
    /// Sum of field lengths over live documents, per field.
    let lengthSums: [Double]

    init(directory: String, manifest: Manifest, segments: [SnapshotSegment], parts: [IndexSnapshot] = []) throws {
        self.directory = directory
        self.manifest = manifest
        self.segments = segments
        self.parts = parts
        var n = 0
        var sums = [0.0, 0.0]
        for s in segments {
            n += s.live.liveCount
            sums[0] += Double(s.reader.lengthSums[0])
            sums[1] += Double(s.reader.lengthSums[1])
            if s.live.deletedCount > 0 {
                for d in 0 ..< s.reader.documentCount where s.live.isDeleted(d) {
                    sums[0] -= Double(try s.reader.fieldLength(d, .title))
                    sums[1] -= Double(try s.reader.fieldLength(d, .body))
                }
            }
        }
        documentCount = n
        lengthSums = sums
    }

    /// One view over several indexes: their segments side by side, so that document counts,
    /// length sums and document frequencies are global and scores equal those of one index
    /// holding all the documents. The indexes should hold distinct ids (as shards do); a document
    /// in two of them is found twice. `directory` and `manifest` are the first index's.
    ///
    /// - Throws: ``SearchError/Code-swift.struct/invalidInput`` when the indexes analyze text
    ///   differently (one query could not be analyzed as all of their pages were).
    convenience init(combining parts: [IndexSnapshot]) throws {
        precondition(!parts.isEmpty, "combining no snapshots")
        for p in parts.dropFirst() where p.manifest.analysis != parts[0].manifest.analysis {
            throw SearchError(.invalidInput, "indexes analyzed differently cannot be searched together: \(p.manifest.analysis) here, \(parts[0].manifest.analysis) in \(parts[0].directory)", path: p.directory)
        }
        try self.init(directory: parts[0].directory, manifest: parts[0].manifest,
                      segments: parts.flatMap(\.segments), parts: parts)
    }

    /// Opens the current commit of `directory`, retrying when a concurrent commit removes a file
    /// between reading the manifest and opening the segments.
    static func open(directory: String, reuse: [String: SegmentReader] = [:]) throws -> IndexSnapshot {
        var attempt = 0
        while true {
            let manifest = try Manifest.read(directory: directory)
            do {
                var segments: [SnapshotSegment] = []
                for e in manifest.segments {
                    let reader: SegmentReader
                    if let r = reuse[e.name], r.segmentID == e.segmentID {
                        reader = r
                    } else {
                        reader = try SegmentReader(directory: directory, name: e.name, expectedID: e.segmentID)
                    }
                    guard reader.documentCount == e.documentCount else {
                        throw SearchError.corrupt("segment has \(reader.documentCount) documents, manifest says \(e.documentCount)", path: reader.path)
                    }
                    var live = LiveDocuments(documentCount: e.documentCount)
                    if let del = e.deletionsFile {
                        live = try LiveDocuments.read(path: directory + "/" + del, segmentID: e.segmentID, documentCount: e.documentCount)
                        guard live.deletedCount == e.deletedCount else {
                            throw SearchError.corrupt("deletions file counts \(live.deletedCount), manifest says \(e.deletedCount)", path: directory + "/" + del)
                        }
                    } else if e.deletedCount != 0 {
                        throw SearchError.corrupt("manifest counts deletions for \(e.name) but names no deletions file", path: directory + "/" + Manifest.fileName)
                    }
                    segments.append(SnapshotSegment(reader: reader, live: live, entry: e, directory: directory))
                }
                return try IndexSnapshot(directory: directory, manifest: manifest, segments: segments)
            } catch let error as SearchError where error.code == .indexNotFound && attempt < 50 {
                // A file named by the manifest vanished: a newer commit replaced it. Read the newer manifest.
                attempt += 1
                if let newer = try? Manifest.read(directory: directory), newer.generation != manifest.generation { continue }
                throw SearchError.corrupt("a file the manifest names is missing", path: error.path)
            }
        }
    }
}
