import ByteJSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an event is not a Firehose transformation batch at all (an invocation error, unlike a bad record).
public struct FirehoseEventError: Error, CustomStringConvertible, Sendable {
    /// `not a Firehose transformation event: `, then what is wrong.
    public let description: String

    init(_ description: String) { self.description = "not a Firehose transformation event: " + description }
}

/// A Firehose data-transformation event, located in its own bytes: each record is a set of
/// ranges into `bytes`, so record ids and original data can be copied to the response verbatim.
///
/// Parsing validates the whole event except the contents of `data` strings, whose ends are
/// found with `memchr`: the base64 decoder checks them anyway, and `DataReader` validates
/// one as JSON only when it does not decode. Read every record's data through it before
/// copying any to a response.
public struct FirehoseEvent: Sendable {
    /// How a record's `data` field looked.
    public enum DataField: Sendable, Equatable {
        /// The content of the JSON string, which is base64 unless the record is corrupt.
        /// `hasEscapes` is nil while the content has only been located, not yet validated.
        case string(Range<Int>, hasEscapes: Bool?)
        /// The record has no `data` field.
        case missing
        /// `data` is not a string (the kind found).
        case notAString(JSONKind)
    }

    /// A record's data, decoded.
    public enum RecordData: Sendable, Equatable {
        /// The decoded bytes.
        case bytes([UInt8])
        /// `data` is a string but not valid padded base64.
        case notBase64
        /// The record has no `data` field.
        case missing
        /// `data` is not a string (the kind found).
        case notAString(JSONKind)
    }

    /// Where one record's fields lie in the event's `bytes`.
    public struct Record: Sendable {
        /// The `recordId` string's content (between the quotes), exactly as sent.
        public let recordID: Range<Int>
        /// Where the record's `data` string lies, or why there is none.
        public let data: DataField
        /// The `approximateArrivalTimestamp` number's text (epoch milliseconds), when present and
        /// a number; ``RecordMetadata`` reads it.
        public let approximateArrivalTimestamp: Range<Int>?
        /// The `kinesisRecordMetadata` object, when the source is a Kinesis data stream.
        public let kinesisMetadata: Range<Int>?
    }

    /// The event exactly as received, not copied; every range in `records` indexes its bytes
    /// (counted from its first byte, whatever the `Data`'s indices).
    public let bytes: Data
    /// `invocationId`, when present and a string.
    public let invocationID: String?
    /// `deliveryStreamArn`: the delivery stream that sent the batch, when present and a string.
    public let deliveryStreamARN: String?
    /// `region`: the delivery stream's region, when present and a string.
    public let region: String?
    /// `sourceKinesisStreamArn`, when the delivery stream reads from a Kinesis data stream.
    public let sourceKinesisStreamARN: String?
    /// The records in the order sent, each located but not yet decoded.
    public let records: [Record]
    /// Every record's id, one after another, copied while parsing: the response writes them in
    /// order, and reading each from the event then would cost a cache miss per record (the
    /// ids lie hundreds of bytes apart, long out of cache by then).
    let recordIDs: [UInt8]

    /// Parses the envelope and locates every record. Throws unless `bytes` is a JSON object with
    /// a `records` array of objects that each have a string `recordId`.
    public init(parsing bytes: Data) throws(FirehoseEventError) {
        var invocationID: String?, deliveryStreamARN: String?, region: String?, sourceKinesisStreamARN: String?
        var records: (records: [Record], ids: [UInt8])?
        try bytes.withUInt8Buffer { buffer throws(FirehoseEventError) in
            var scanner = JSONScanner(buffer)
            try EventParser.run {
                let kind = try scanner.peekKind()
                guard kind == .object else { throw FirehoseEventError("the event is \(kind), not an object") }
                try scanner.expect(UInt8(ascii: "{"))
                if scanner.consume(UInt8(ascii: "}")) { return }
                repeat {
                    let key = try EventParser.key(&scanner)
                    if key.is("records") {
                        records = try EventParser.records(&scanner)
                    } else if key.is("invocationId") {
                        invocationID = try EventParser.optionalString(&scanner)
                    } else if key.is("deliveryStreamArn") {
                        deliveryStreamARN = try EventParser.optionalString(&scanner)
                    } else if key.is("region") {
                        region = try EventParser.optionalString(&scanner)
                    } else if key.is("sourceKinesisStreamArn") {
                        sourceKinesisStreamARN = try EventParser.optionalString(&scanner)
                    } else {
                        try scanner.scanValue()
                    }
                } while scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
                scanner.skipWhitespace()
                guard scanner.atEnd else { throw JSONError(.trailingContent, at: scanner.position) }
            }
        }
        guard let records else { throw FirehoseEventError("it has no \"records\" array") }
        self.bytes = bytes
        self.invocationID = invocationID
        self.deliveryStreamARN = deliveryStreamARN
        self.region = region
        self.sourceKinesisStreamARN = sourceKinesisStreamARN
        self.records = records.records
        recordIDs = records.ids
    }

    /// What a record's `data` field held.
    public enum DataStatus: Sendable, Equatable {
        /// Base64, now decoded.
        case decoded
        /// No `data` field.
        case missing
        /// A `data` field of another kind than string.
        case notAString(JSONKind)
        /// A string that is not valid base64.
        case notBase64
    }

    /// Calls `body` with a reader of the records' data, which reads the event's bytes in place
    /// for as long as `body` runs: one look-up of the `Data`'s storage for a whole batch.
    public func withDataReader<R>(_ body: (DataReader) -> R) -> R {
        bytes.withUInt8Buffer { body(DataReader(records: records, event: $0)) }
    }

    /// Decodes records' data; valid only inside ``FirehoseEvent/withDataReader(_:)``.
    public struct DataReader {
        let records: [Record]
        let event: UnsafeBufferPointer<UInt8>

        /// Decodes record `index`'s data into `buffer`, replacing its contents but keeping its
        /// capacity, so one buffer serves a whole batch. Throws when a `data` string turns out not
        /// to be valid JSON, which makes the whole event invalid.
        public func decodeData(ofRecord index: Int, into buffer: inout [UInt8]) throws(FirehoseEventError) -> DataStatus {
            switch records[index].data {
            case .missing: return .missing
            case .notAString(let kind): return .notAString(kind)
            case .string(let range, let knownEscapes):
                let content = UnsafeBufferPointer(rebasing: event[range])
                if knownEscapes != true, Base64.decode(content, into: &buffer) { return .decoded }
                var hasEscapes = knownEscapes ?? false
                if knownEscapes == nil {
                    // Only located so far: it must still be a valid JSON string.
                    var scanner = JSONScanner(UnsafeBufferPointer(rebasing: event[..<(range.upperBound + 1)]), position: range.lowerBound - 1)
                    do {
                        hasEscapes = try scanner.scanString().hasEscapes
                    } catch {
                        throw FirehoseEventError("record \(index) has invalid JSON in its data: \(error)")
                    }
                }
                guard hasEscapes else { return .notBase64 }
                var unescaped: [UInt8] = []
                JSONString.unescape(content, into: &unescaped)
                return unescaped.withUnsafeBufferPointer { Base64.decode($0, into: &buffer) } ? .decoded : .notBase64
            }
        }
    }

    /// The base64-decoded data of record `index`.
    public func data(ofRecord index: Int) throws(FirehoseEventError) -> RecordData {
        var buffer: [UInt8] = []
        let status = withDataReader { reader in
            Result { () throws(FirehoseEventError) in try reader.decodeData(ofRecord: index, into: &buffer) }
        }
        switch try status.get() {
        case .decoded: return .bytes(buffer)
        case .missing: return .missing
        case .notAString(let kind): return .notAString(kind)
        case .notBase64: return .notBase64
        }
    }

    /// A source for `metadata(ofRecord:from:)`: one per thread that reads metadata.
    public func makeRecordSource() -> RecordSource { RecordSource(bytes) }

    /// The metadata of record `index`, as transformers see it.
    public func metadata(ofRecord index: Int, from source: RecordSource? = nil) -> RecordMetadata {
        let record = records[index]
        return RecordMetadata(source: source ?? makeRecordSource(), recordID: record.recordID,
                              approximateArrivalTimestamp: record.approximateArrivalTimestamp,
                              kinesisMetadata: record.kinesisMetadata)
    }
}

extension Data {
    /// Calls `body` with the bytes, not copied. (`withUnsafeBytes` rethrows untyped errors, so
    /// a typed one is carried out in a `Result`.)
    func withUInt8Buffer<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { raw in
            Result { () throws(E) -> R in try body(raw.assumingMemoryBound(to: UInt8.self)) }
        }
        return try result.get()
    }
}

/// The pieces of `FirehoseEvent.init`, which reads the envelope without building any dictionary.
private enum EventParser {
    /// Runs `body`, turning a syntax error into a `FirehoseEventError`.
    static func run(_ body: () throws -> Void) throws(FirehoseEventError) {
        do {
            try body()
        } catch let error as FirehoseEventError {
            throw error
        } catch {
            throw FirehoseEventError("\(error)")
        }
    }

    struct Key {
        let bytes: UnsafeBufferPointer<UInt8>
        let hasEscapes: Bool

        /// Whether the key is `name`: inline, since every key of every record is compared.
        @inline(__always)
        func `is`(_ name: StaticString) -> Bool {
            guard !hasEscapes else { return decodedIs(name) }
            return bytes.count == name.utf8CodeUnitCount
                && (bytes.isEmpty || JSONScanner.equal(bytes.baseAddress!, name.utf8Start, count: bytes.count))
        }

        /// `is` for a key with escapes, which are decoded first.
        func decodedIs(_ name: StaticString) -> Bool {
            var decoded: [UInt8] = []
            JSONString.unescape(bytes, into: &decoded)
            return decoded.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
    }

    /// Scans `"key":` and returns the key.
    static func key(_ scanner: inout JSONScanner) throws -> Key {
        scanner.skipWhitespace()
        guard !scanner.atEnd else { throw JSONError(.unexpectedEnd, at: scanner.position) }
        guard scanner.bytes[scanner.position] == UInt8(ascii: "\"") else {
            throw JSONError(.unexpectedByte(scanner.bytes[scanner.position]), at: scanner.position)
        }
        let key = try scanner.scanString()
        try scanner.expect(UInt8(ascii: ":"))
        return Key(bytes: UnsafeBufferPointer(rebasing: scanner.bytes[key.content]), hasEscapes: key.hasEscapes)
    }

    static func optionalString(_ scanner: inout JSONScanner) throws -> String? {
        guard try scanner.peekKind() == .string else {
            try scanner.scanValue()
            return nil
        }
        let string = try scanner.scanString()
        return JSONString.decode(UnsafeBufferPointer(rebasing: scanner.bytes[string.content]), hasEscapes: string.hasEscapes)
    }

    /// The records, and their ids one after another (see `FirehoseEvent.recordIDs`).
    static func records(_ scanner: inout JSONScanner) throws -> (records: [FirehoseEvent.Record], ids: [UInt8]) {
        let kind = try scanner.peekKind()
        guard kind == .array else { throw FirehoseEventError("\"records\" is \(kind), not an array") }
        var records: [FirehoseEvent.Record] = []
        var ids: [UInt8] = []
        // Firehose's records take a few hundred bytes each at least: room for all, give or take.
        records.reserveCapacity(scanner.bytes.count / 256)
        try scanner.expect(UInt8(ascii: "["))
        if scanner.consume(UInt8(ascii: "]")) { return (records, ids) }
        repeat {
            let record = try compactRecord(&scanner) ?? record(&scanner, index: records.count)
            records.append(record)
            ids.append(contentsOf: UnsafeBufferPointer(rebasing: scanner.bytes[record.recordID]))
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"))
        return (records, ids)
    }

    /// Whether the next value (after whitespace) starts with `byte`: the common case checked
    /// without classifying it.
    static func nextValue(_ scanner: inout JSONScanner, startsWith byte: UInt8) -> Bool {
        scanner.skipWhitespace()
        return !scanner.atEnd && scanner.bytes[scanner.position] == byte
    }

    static func record(_ scanner: inout JSONScanner, index: Int) throws -> FirehoseEvent.Record {
        guard scanner.consume(UInt8(ascii: "{")) else {
            throw FirehoseEventError("record \(index) is \(try scanner.peekKind()), not an object")
        }
        var recordID: Range<Int>?
        var data = FirehoseEvent.DataField.missing
        var arrival: Range<Int>?
        var kinesis: Range<Int>?
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try EventParser.key(&scanner)
                if key.is("recordId") {
                    guard nextValue(&scanner, startsWith: UInt8(ascii: "\"")) else {
                        throw FirehoseEventError("record \(index) has a recordId that is \(try scanner.peekKind()), not a string")
                    }
                    recordID = try scanner.scanString().content
                } else if key.is("data") {
                    if nextValue(&scanner, startsWith: UInt8(ascii: "\"")) {
                        data = try locateData(&scanner)
                    } else {
                        data = .notAString(try scanner.peekKind())
                        try scanner.scanValue()
                    }
                } else if key.is("approximateArrivalTimestamp") {
                    let value = try scanner.scanValue()
                    arrival = value.kind == .number ? value.range : nil
                } else if key.is("kinesisRecordMetadata") {
                    let value = try scanner.scanValue()
                    kinesis = value.kind == .object ? value.range : nil
                } else {
                    try scanner.scanValue()
                }
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"))
        }
        guard let recordID else { throw FirehoseEventError("record \(index) has no recordId") }
        return FirehoseEvent.Record(recordID: recordID, data: data, approximateArrivalTimestamp: arrival, kinesisMetadata: kinesis)
    }

    /// Reads a record written as Firehose writes them (no whitespace, keys without escapes,
    /// the members Firehose sends, each of the kind it sends), with fewer checks than `record`;
    /// nil for any other record, with the scanner where it was, for `record` to read in full. A
    /// record both read gets the same result from each.
    static func compactRecord(_ scanner: inout JSONScanner) -> FirehoseEvent.Record? {
        let bytes = scanner.bytes
        var s = scanner
        guard s.position < bytes.count, bytes[s.position] == UInt8(ascii: "{") else { return nil }
        s.position += 1
        var recordID: Range<Int>?
        var data = FirehoseEvent.DataField.missing
        var arrival: Range<Int>?
        var kinesis: Range<Int>?
        while true {
            guard s.position < bytes.count, bytes[s.position] == UInt8(ascii: "\""),
                  let name = try? s.scanString(), !name.hasEscapes,
                  s.position + 1 < bytes.count, bytes[s.position] == UInt8(ascii: ":") else { return nil }
            s.position += 1
            let key = Key(bytes: UnsafeBufferPointer(rebasing: bytes[name.content]), hasEscapes: false)
            let first = bytes[s.position]
            if first == UInt8(ascii: "\""), key.is("data") {
                guard let located = try? locateData(&s) else { return nil }
                data = located
            } else if first == UInt8(ascii: "\""), key.is("recordId") {
                guard let id = try? s.scanString() else { return nil }
                recordID = id.content
            } else if key.is("approximateArrivalTimestamp") {
                let start = s.position
                guard (try? s.scanNumber()) != nil else { return nil }
                arrival = start..<s.position
            } else if first == UInt8(ascii: "{"), key.is("kinesisRecordMetadata") {
                guard let value = try? s.scanValue() else { return nil }
                kinesis = value.range
            } else {
                return nil
            }
            guard s.position < bytes.count else { return nil }
            if bytes[s.position] == UInt8(ascii: ",") {
                s.position += 1
                continue
            }
            guard bytes[s.position] == UInt8(ascii: "}"), let recordID else { return nil }
            scanner.position = s.position + 1
            return FirehoseEvent.Record(recordID: recordID, data: data, approximateArrivalTimestamp: arrival, kinesisMetadata: kinesis)
        }
    }

    /// Finds the end of a `data` string with `memchr`: a quote not preceded by a backslash
    /// ends it. Otherwise (an escaped quote, or no quote at all) the string is scanned in full.
    static func locateData(_ scanner: inout JSONScanner) throws -> FirehoseEvent.DataField {
        let start = scanner.position + 1
        let remaining = scanner.bytes.count - start
        if remaining > 0, let base = scanner.bytes.baseAddress,
           let found = memchr(base + start, Int32(UInt8(ascii: "\"")), remaining) {
            let close = start + (UnsafeRawPointer(found) - UnsafeRawPointer(base + start))
            if scanner.bytes[close - 1] != UInt8(ascii: "\\") {
                scanner.position = close + 1
                return .string(start..<close, hasEscapes: nil)
            }
        }
        let string = try scanner.scanString()
        return .string(string.content, hasEscapes: string.hasEscapes)
    }
}
