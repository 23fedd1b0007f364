import ByteJSON
import CivilTime

/// Emits `metadata.partitionKeys` for Firehose dynamic partitioning: values of fields, and
/// `year`/`month`/`day`/`hour` (UTC) for prefixes like the seeds'
/// `streaming-data/year=!{partitionKeyFromLambda:year}/month=…/day=…/hour=…/`.
public struct PartitionKeys: RecordTransformer {
    /// Where the partition time comes from.
    public enum TimeSource: Sendable {
        /// The record's `approximateArrivalTimestamp`.
        case arrival
        /// A field holding an ISO 8601 timestamp or a Unix epoch number.
        case field(FieldPath, unit: EpochUnit)
    }

    public enum EpochUnit: Sendable {
        /// Milliseconds from 10^11 up (any date after March 1973), seconds below.
        case automatic, seconds, milliseconds
    }

    public let fields: [(name: String, path: FieldPath)]
    public let time: TimeSource?

    public init(fields: [(name: String, path: FieldPath)] = [], time: TimeSource? = nil) {
        self.fields = fields
        self.time = time
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        for field in fields {
            let value = field.path.value(in: try record.json())
            record.setPartitionKey(field.name, try PartitionKeys.text(of: value, key: field.name, path: field.path))
        }
        guard let time else { return .keep }
        let milliseconds: Int64
        switch time {
        case .arrival:
            guard let arrival = record.metadata.approximateArrivalTimestamp else {
                throw TransformFailure("partition time: the record has no approximateArrivalTimestamp")
            }
            milliseconds = arrival
        case .field(let path, let unit):
            milliseconds = try PartitionKeys.epochMilliseconds(of: path.value(in: try record.json()), path: path, unit: unit)
        }
        let utc = UTCTime(epochMilliseconds: milliseconds)
        record.setPartitionKey("year", UTCTime.zeroPadded(utc.year, width: 4))
        record.setPartitionKey("month", UTCTime.zeroPadded(utc.month, width: 2))
        record.setPartitionKey("day", UTCTime.zeroPadded(utc.day, width: 2))
        record.setPartitionKey("hour", UTCTime.zeroPadded(utc.hour, width: 2))
        return .keep
    }

    /// A scalar field's value as partition key text.
    static func text(of value: JSONValue?, key: String, path: FieldPath) throws -> String {
        guard let value else { throw TransformFailure("partition key \(key): field \(path) is missing") }
        switch value.kind {
        case .string:
            let text = value.stringValue ?? ""
            guard !text.isEmpty else { throw TransformFailure("partition key \(key): field \(path) is empty") }
            return text
        case .number, .bool:
            return value.rawText
        case .null, .object, .array:
            throw TransformFailure("partition key \(key): field \(path) is \(value.kind), not a string, number or boolean")
        }
    }

    static func epochMilliseconds(of value: JSONValue?, path: FieldPath, unit: EpochUnit) throws -> Int64 {
        guard let value else { throw TransformFailure("partition time: field \(path) is missing") }
        switch value.kind {
        case .string:
            guard let bytes = value.stringBytes, let milliseconds = UTCTime.parseISO8601(bytes) else {
                throw TransformFailure("partition time: field \(path) is not an ISO 8601 timestamp: \(value.rawText)")
            }
            return milliseconds
        case .number:
            guard let number = value.doubleValue, number.isFinite else {
                throw TransformFailure("partition time: field \(path) is not a usable number: \(value.rawText)")
            }
            let isMilliseconds = unit == .milliseconds || (unit == .automatic && abs(number) >= 1e11)
            let milliseconds = (isMilliseconds ? number : number * 1000).rounded(.down)
            guard abs(milliseconds) < 2.5e14 else { // beyond year 9999
                throw TransformFailure("partition time: field \(path) is out of range: \(value.rawText)")
            }
            return Int64(milliseconds)
        default:
            throw TransformFailure("partition time: field \(path) is \(value.kind), not a timestamp")
        }
    }
}
