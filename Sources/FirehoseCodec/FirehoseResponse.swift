import ByteJSON

/// A record's fate, as the response reports it.
public enum RecordResult: Sendable, Equatable {
    /// Transformed. `data` (the payload's bytes, which the response base64-encodes) and the
    /// optional `metadata` JSON object are ranges in the batch's output buffer.
    case ok(data: Range<Int>, metadata: Range<Int>?)
    /// Left out on purpose; returned with its original data.
    case dropped
    /// Failed; returned with its original data, for Firehose's error prefix.
    case processingFailed
}

/// The transformation response Firehose expects: every record back exactly once, in order.
public enum FirehoseResponse {
    /// An encoded response.
    public struct Encoded: Sendable {
        /// The response's JSON.
        public let bytes: [UInt8]
        /// `Ok` records returned as `ProcessingFailed` because they did not fit.
        public let overBudget: Int
        /// False only if even every record's original data exceeds the limit.
        public let fits: Bool
    }

    /// Encodes the response for `event`, never beyond `limit` bytes (Lambda refuses larger
    /// responses, and Firehose then fails the whole batch) when that is possible:
    /// `Ok` records that grow the response are admitted in order while they fit, and those that
    /// do not are returned as `ProcessingFailed` with their original data, so they reach
    /// Firehose's error prefix.
    public static func encode(_ event: FirehoseEvent, results: [RecordResult], output: [UInt8],
                              limit: Int) -> Encoded {
        precondition(results.count == event.records.count, "one result per record")
        // Every record at its fallback, then the transformed entries no larger than theirs,
        // which always help; the ones that grow the response are then admitted in order while
        // they fit.
        var total = Fragment.open.count + Fragment.close.count + max(0, results.count - 1) * Fragment.separator.count
        var growing: [(index: Int, growth: Int)] = []
        for (index, (record, result)) in zip(event.records, results).enumerated() {
            let fallback = entrySize(record, result == .dropped ? .dropped : .processingFailed)
            total += fallback
            guard case .ok = result else { continue }
            let growth = entrySize(record, result) - fallback
            if growth <= 0 {
                total += growth
            } else {
                growing.append((index, growth))
            }
        }
        var admitted = results
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
            initialized = event.bytes.withUInt8Buffer { source in
                output.withUnsafeBufferPointer { output in
                    event.recordIDs.withUnsafeBufferPointer { ids in
                        write(admitted, of: event.records, ids: ids, output: output, source: source, into: buffer)
                    }
                }
            }
        }
        return Encoded(bytes: bytes, overBudget: overBudget, fits: bytes.count <= limit)
    }

    /// Writes the response into `buffer`, sized by `entrySize`, and returns its length: the
    /// cursor a local of its own, so that it stays in registers while bytes are stored.
    private static func write(_ results: [RecordResult], of records: [FirehoseEvent.Record], ids: UnsafeBufferPointer<UInt8>,
                              output: UnsafeBufferPointer<UInt8>, source: UnsafeBufferPointer<UInt8>,
                              into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var out = OutputCursor(buffer)
        out.write(Fragment.open)
        var id = 0
        for (index, result) in results.enumerated() {
            if index > 0 { out.write(Fragment.separator) }
            let record = records[index]
            out.write(Fragment.recordID)
            out.write(UnsafeBufferPointer(rebasing: ids[id..<(id + record.recordID.count)]))
            id += record.recordID.count
            out.write(Fragment.data(result))
            switch result {
            case .ok(let data, let metadata):
                out.writeBase64(of: UnsafeBufferPointer(rebasing: output[data]))
                if let metadata {
                    out.write(Fragment.metadata)
                    out.write(UnsafeBufferPointer(rebasing: output[metadata]))
                    out.write(Fragment.endAfterMetadata)
                } else {
                    out.write(Fragment.end)
                }
            case .dropped, .processingFailed:
                if case .string(let original, _) = record.data {
                    out.write(UnsafeBufferPointer(rebasing: source[original]))
                }
                out.write(Fragment.end)
            }
        }
        out.write(Fragment.close)
        return out.written
    }

    /// The exact size of a record's entry in the response, from the fragments `encode` writes.
    static func entrySize(_ record: FirehoseEvent.Record, _ result: RecordResult) -> Int {
        let common = Fragment.recordID.count + record.recordID.count + Fragment.data(result).count
        switch result {
        case .ok(let data, let metadata):
            return common + Base64.encodedCount(of: data.count) + (metadata.map { Fragment.metadata.count + $0.count + Fragment.endAfterMetadata.count } ?? Fragment.end.count)
        case .dropped, .processingFailed:
            let original: Int
            if case .string(let range, _) = record.data { original = range.count } else { original = 0 }
            return common + original + Fragment.end.count
        }
    }

    /// The fixed text of a response: `{"records":[{"recordId":"…","result":"…","data":"…"},…]}`,
    /// with `"metadata":{…}` after the data when there are partition keys.
    enum Fragment {
        static let open: StaticString = "{\"records\":["
        static let separator: StaticString = ","
        static let close: StaticString = "]}"
        static let recordID: StaticString = "{\"recordId\":\""
        static let metadata: StaticString = "\",\"metadata\":"
        static let end: StaticString = "\"}"
        static let endAfterMetadata: StaticString = "}"

        /// From the end of the record id to the start of the data.
        static func data(_ result: RecordResult) -> StaticString {
            switch result {
            case .ok: "\",\"result\":\"Ok\",\"data\":\""
            case .dropped: "\",\"result\":\"Dropped\",\"data\":\""
            case .processingFailed: "\",\"result\":\"ProcessingFailed\",\"data\":\""
            }
        }
    }
}

extension StaticString {
    /// The length in UTF-8 bytes.
    var count: Int { utf8CodeUnitCount }
}

/// Writes into a buffer sized in advance by `entrySize`; a write past its end is a bug in
/// that arithmetic, and traps rather than corrupt memory.
private struct OutputCursor {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var written = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    /// Copies `bytes`: short runs (the fixed fragments, most record ids) inline.
    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(written + bytes.count <= buffer.count, "response size miscalculated")
        written += JSONWriter.write(bytes, to: buffer.baseAddress! + written)
    }

    /// Writes the base64 encoding of `bytes`: straight into the response, so that a payload is
    /// neither encoded into a buffer of its own nor copied.
    @inline(__always)
    mutating func writeBase64(of bytes: UnsafeBufferPointer<UInt8>) {
        precondition(written + Base64.encodedCount(of: bytes.count) <= buffer.count, "response size miscalculated")
        written += Base64.encode(bytes, into: buffer.baseAddress! + written)
    }

    /// Writes a fixed JSON fragment.
    @inline(__always)
    mutating func write(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
