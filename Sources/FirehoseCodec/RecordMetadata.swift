import ByteJSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The event bytes that records' metadata reads from. Make one per thread: records then
/// share this object's reference count instead of the event buffer's, which every core touches.
public final class RecordSource: Sendable {
    let bytes: Data

    init(_ bytes: Data) { self.bytes = bytes }
}

/// What Firehose says about a record besides its data. Values are decoded only when read.
public struct RecordMetadata: Sendable {
    private let source: RecordSource
    private var recordIDRange: Range<Int>
    private var arrivalRange: Range<Int>?
    private var kinesisRange: Range<Int>?

    init(source: RecordSource, recordID: Range<Int>, approximateArrivalTimestamp: Range<Int>?, kinesisMetadata: Range<Int>?) {
        self.source = source
        self.recordIDRange = recordID
        self.arrivalRange = approximateArrivalTimestamp
        self.kinesisRange = kinesisMetadata
    }

    /// Makes this the metadata of `record`, of the event this metadata's record came from: a
    /// batch's records in turn, without a new reference to the source for each.
    package mutating func move(to record: FirehoseEvent.Record) {
        recordIDRange = record.recordID
        arrivalRange = record.approximateArrivalTimestamp
        kinesisRange = record.kinesisMetadata
    }

    /// Metadata for a record built by hand (tests, custom callers).
    public init(recordID: String, approximateArrivalTimestamp: Int64?, kinesisMetadataJSON: String? = nil) {
        var writer = JSONWriter()
        writer.appendString(recordID)
        let idEnd = writer.bytes.count - 1
        var arrival: Range<Int>?
        if let approximateArrivalTimestamp {
            let start = writer.bytes.count
            writer.append(integer: approximateArrivalTimestamp)
            arrival = start..<writer.bytes.count
        }
        var kinesis: Range<Int>?
        if let kinesisMetadataJSON {
            let start = writer.bytes.count
            writer.append(raw: kinesisMetadataJSON.utf8)
            kinesis = start..<writer.bytes.count
        }
        self.init(source: RecordSource(Data(writer.bytes)), recordID: 1..<idEnd, approximateArrivalTimestamp: arrival,
                  kinesisMetadata: kinesis)
    }

    /// When the record reached Firehose (or Kinesis), in Unix milliseconds; nil when the event
    /// has no such number or one that is not a whole 64-bit count of milliseconds.
    public var approximateArrivalTimestamp: Int64? {
        guard let arrivalRange else { return nil }
        return source.bytes.withUInt8Buffer { RecordMetadata.milliseconds(UnsafeBufferPointer(rebasing: $0[arrivalRange])) }
    }

    /// The `recordId`, escapes decoded: the response must return it unchanged.
    public var recordID: String {
        source.bytes.withUInt8Buffer { buffer in
            let content = UnsafeBufferPointer(rebasing: buffer[recordIDRange])
            return JSONString.decode(content, hasEscapes: content.contains(UInt8(ascii: "\\")))
        }
    }

    /// The `kinesisRecordMetadata` object, when the source is a Kinesis data stream.
    public var kinesis: JSONObject? {
        guard let kinesisRange else { return nil }
        let object = source.bytes.withUInt8Buffer { Array($0[kinesisRange]) }
        return JSONValue(validated: object, range: 0..<object.count, kind: .object).objectValue
    }

    /// The Kinesis shard the record came from, when the source is a data stream.
    public var shardID: String? { kinesis?["shardId"]?.stringValue }
    /// The Kinesis partition key, when the source is a data stream.
    public var partitionKey: String? { kinesis?["partitionKey"]?.stringValue }
    /// The Kinesis sequence number, kept as text (it exceeds 64 bits), when the source is a data stream.
    public var sequenceNumber: String? { kinesis?["sequenceNumber"]?.stringValue }
    /// The `subsequenceNumber` JSON text as sent (a number), when the source is a data stream.
    public var subsequenceNumber: String? { kinesis?["subsequenceNumber"]?.rawText }

    /// A JSON number as whole milliseconds (`1495072949453`, or `1.495072949453E12` from some producers).
    static func milliseconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let first = text.first else { return nil }
        let negative = first == UInt8(ascii: "-")
        var value: Int64 = 0
        for index in (negative ? 1 : 0)..<text.count {
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit < 10 else {
                // A fraction or an exponent: rare, so read it the slow way.
                guard let double = Double(String(decoding: text, as: UTF8.self)), double.isFinite,
                      abs(double) < 9.2e18 else { return nil }
                return Int64(double.rounded())
            }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
