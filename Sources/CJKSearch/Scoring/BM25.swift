import Foundation

/// BM25 ranking parameters and formula.
///
/// For a term (or phrase) t in field f of document d:
/// ```
/// score(t, d) = idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl))
/// idf(t)      = log(1 + (N − n + 0.5) / (n + 0.5))
/// ```
/// where tf is the number of occurrences of t in the field, dl the field's length in positions,
/// avgdl its average over the index, N the number of live documents and n the number of documents
/// whose field contains t. This idf (Lucene's) is never negative. A phrase's idf is the sum of its
/// terms' idfs and its tf is the number of places the phrase occurs.
///
/// The statistics are taken over the whole index (every segment of the snapshot), so a score does
/// not depend on how the documents are split into segments.
public struct BM25: Sendable, Hashable {
    /// Term-frequency saturation (default 1.2).
    public var k1: Double
    /// Length normalization, 0 (none) … 1 (full) (default 0.75).
    public var b: Double

    public init(k1: Double = 1.2, b: Double = 0.75) {
        self.k1 = k1
        self.b = b
    }

    public static func idf(documentFrequency n: Int, documentCount N: Int) -> Double {
        let n = Double(min(n, N)), N = Double(N)
        return log(1 + (N - n + 0.5) / (n + 0.5))
    }

    @inline(__always)
    public func score(termFrequency tf: Double, fieldLength dl: Double, averageFieldLength avgdl: Double, idf: Double) -> Double {
        let norm = avgdl > 0 ? (1 - b + b * dl / avgdl) : 1
        return idf * tf * (k1 + 1) / (tf + k1 * norm)
    }
}
