/// A record's fate, as the response reports it.
public enum RecordResult: Sendable, Equatable {
    /// Transformed. `base64` (the payload, already encoded) and the optional `metadata` JSON
    /// object are ranges in the batch's output buffer.
    case ok(base64: Range<Int>, metadata: Range<Int>?)
    case dropped
    case processingFailed
}

/// The transformation response Firehose expects: every record back exactly once, in order.
public enum FirehoseResponse {
    /// Lambda refuses larger responses, and Firehose then fails the whole batch.
    public static let sizeLimit = 6_291_456

    public struct Encoded: Sendable {
        public let bytes: [UInt8]
        /// `Ok` records returned as `ProcessingFailed` because they did not fit.
        public let overBudget: Int
        /// False only if even every record's original data exceeds the limit.
        public let fits: Bool
    }

    /// Encodes the response for `event`, never beyond `limit` bytes when that is possible:
    /// `Ok` records that grow the response are admitted in order while they fit, and those that
    /// do not are returned as `ProcessingFailed` with their original data, so they reach
    /// Firehose's error prefix.
    public static func encode(_ event: FirehoseEvent, results: [RecordResult], output: [UInt8],
                              limit: Int = sizeLimit) -> Encoded {
        precondition(results.count == event.records.count, "one result per record")
        let framing = 14 + max(0, results.count - 1) // {"records":[ ... ]} and commas
        var total = framing
        for (record, result) in zip(event.records, results) {
            total += result == .dropped ? entrySize(record, .dropped) : entrySize(record, .processingFailed)
        }
        // Records whose transformed entry is no larger than their fallback always help; the
        // ones that grow the response are then admitted in order while they fit.
        var admitted = results
        var growing: [(index: Int, growth: Int)] = []
        for index in admitted.indices {
            guard case .ok = admitted[index] else { continue }
            let record = event.records[index]
            let growth = entrySize(record, admitted[index]) - entrySize(record, .processingFailed)
            if growth <= 0 {
                total += growth
            } else {
                growing.append((index, growth))
            }
        }
        var overBudget = 0
        for (index, growth) in growing {
            if total + growth <= limit {
                total += growth
            } else {
                admitted[index] = .processingFailed
                overBudget += 1
            }
        }

        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var out = OutputCursor(buffer)
            out.write("{\"records\":[")
            event.bytes.withUnsafeBufferPointer { source in
                output.withUnsafeBufferPointer { output in
                    for (index, result) in admitted.enumerated() {
                        if index > 0 { out.write(",") }
                        let record = event.records[index]
                        out.write("{\"recordId\":\"")
                        out.write(UnsafeBufferPointer(rebasing: source[record.recordID]))
                        out.write("\",\"result\":\"")
                        switch result {
                        case .ok(let base64, let metadata):
                            out.write("Ok\",\"data\":\"")
                            out.write(UnsafeBufferPointer(rebasing: output[base64]))
                            if let metadata {
                                out.write("\",\"metadata\":")
                                out.write(UnsafeBufferPointer(rebasing: output[metadata]))
                                out.write("}")
                            } else {
                                out.write("\"}")
                            }
                        case .dropped, .processingFailed:
                            out.write(result == .dropped ? "Dropped\",\"data\":\"" : "ProcessingFailed\",\"data\":\"")
                            if case .string(let original, _) = record.data {
                                out.write(UnsafeBufferPointer(rebasing: source[original]))
                            }
                            out.write("\"}")
                        }
                    }
                }
            }
            out.write("]}")
            initialized = out.written
        }
        return Encoded(bytes: bytes, overBudget: overBudget, fits: bytes.count <= limit)
    }

    /// The exact size of a record's entry in the response.
    static func entrySize(_ record: FirehoseEvent.Record, _ result: RecordResult) -> Int {
        // {"recordId":"…","result":"…","data":"…"}
        let common = 13 + record.recordID.count + 12 + 10 + 2
        switch result {
        case .ok(let base64, let metadata):
            return common + 2 + base64.count + (metadata.map { 12 + $0.count } ?? 0)
        case .dropped, .processingFailed:
            let original: Int
            if case .string(let range, _) = record.data { original = range.count } else { original = 0 }
            return common + (result == .dropped ? 7 : 16) + original
        }
    }
}

/// Writes into a buffer sized in advance by `entrySize`; a write past its end is a bug in
/// that arithmetic, and traps rather than corrupt memory.
private struct OutputCursor {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var written = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(written + bytes.count <= buffer.count, "response size miscalculated")
        guard let source = bytes.baseAddress else { return }
        (buffer.baseAddress! + written).initialize(from: source, count: bytes.count)
        written += bytes.count
    }

    /// Fixed JSON fragments are a few bytes each: a plain loop beats a `memmove` call.
    @inline(__always)
    mutating func write(_ text: StaticString) {
        let count = text.utf8CodeUnitCount
        precondition(written + count <= buffer.count, "response size miscalculated")
        let source = text.utf8Start
        let destination = buffer.baseAddress! + written
        for index in 0..<count { destination[index] = source[index] }
        written += count
    }

}
