import ByteJSON

/// The event bytes that records' metadata reads from. Make one per thread: records then
/// share this object's reference count instead of the event buffer's, which every core touches.
public final class RecordSource: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// What Firehose says about a record besides its data. Values are decoded only when read.
public struct RecordMetadata: Sendable {
    private let source: RecordSource
    private let recordIDRange: Range<Int>
    /// When the record reached Firehose (or Kinesis), in Unix milliseconds.
    public let approximateArrivalTimestamp: Int64?
    private let kinesisRange: Range<Int>?

    init(source: RecordSource, recordID: Range<Int>, approximateArrivalTimestamp: Int64?, kinesisMetadata: Range<Int>?) {
        self.source = source
        self.recordIDRange = recordID
        self.approximateArrivalTimestamp = approximateArrivalTimestamp
        self.kinesisRange = kinesisMetadata
    }

    /// Metadata for a record built by hand (tests, custom callers).
    public init(recordID: String, approximateArrivalTimestamp: Int64?, kinesisMetadataJSON: String? = nil) {
        var writer = JSONWriter()
        writer.appendString(recordID)
        let idEnd = writer.bytes.count - 1
        var kinesis: Range<Int>?
        if let kinesisMetadataJSON {
            let start = writer.bytes.count
            writer.append(raw: kinesisMetadataJSON.utf8)
            kinesis = start..<writer.bytes.count
        }
        self.init(source: RecordSource(writer.bytes), recordID: 1..<idEnd, approximateArrivalTimestamp: approximateArrivalTimestamp,
                  kinesisMetadata: kinesis)
    }

    /// The `recordId`, escapes decoded: the response must return it unchanged.
    public var recordID: String {
        source.bytes.withUnsafeBufferPointer { buffer in
            let content = UnsafeBufferPointer(rebasing: buffer[recordIDRange])
            return JSONString.decode(content, hasEscapes: content.contains(UInt8(ascii: "\\")))
        }
    }

    /// The `kinesisRecordMetadata` object, when the source is a Kinesis data stream.
    public var kinesis: JSONObject? {
        guard let kinesisRange else { return nil }
        return JSONValue(validated: source.bytes, range: kinesisRange, kind: .object).objectValue
    }

    /// The Kinesis shard the record came from, when the source is a data stream.
    public var shardID: String? { kinesis?["shardId"]?.stringValue }
    /// The Kinesis partition key, when the source is a data stream.
    public var partitionKey: String? { kinesis?["partitionKey"]?.stringValue }
    /// The Kinesis sequence number, kept as text (it exceeds 64 bits), when the source is a data stream.
    public var sequenceNumber: String? { kinesis?["sequenceNumber"]?.stringValue }
    /// The `subsequenceNumber` JSON text as sent (a number), when the source is a data stream.
    public var subsequenceNumber: String? { kinesis?["subsequenceNumber"]?.rawText }
}
