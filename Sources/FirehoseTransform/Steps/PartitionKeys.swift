import ByteJSON
import CivilTime

/// Emits `metadata.partitionKeys` for Firehose dynamic partitioning: values of fields, and
/// `year`/`month`/`day`/`hour` (UTC) for prefixes like the seeds'
/// `streaming-data/year=!{partitionKeyFromLambda:year}/month=…/day=…/hour=…/`.
public struct PartitionKeys: ConfigurableTransformer {
    /// `{"partitionKeys": {"fields": {"action": "action"}, "time": "arrival"}}`
    public static let stepName = "partitionKeys"

    /// Where the partition time comes from.
    public enum TimeSource: Sendable {
        /// The record's `approximateArrivalTimestamp`.
        case arrival
        /// A field holding an ISO 8601 timestamp or a Unix epoch number.
        case field(FieldPath, unit: EpochUnit)
    }

    /// How a number in a time field is read.
    public enum EpochUnit: Sendable {
        /// Milliseconds from 10^11 up (any date after March 1973), seconds below.
        case automatic
        /// Unix seconds.
        case seconds
        /// Unix milliseconds.
        case milliseconds
    }

    /// Keys taken from fields.
    public let fields: [(name: String, path: FieldPath)]
    /// Where `year`, `month`, `day` and `hour` come from, if set.
    public let time: TimeSource?

    /// A step setting `fields` and, with `time`, the UTC hour's keys.
    public init(fields: [(name: String, path: FieldPath)] = [], time: TimeSource? = nil) {
        self.fields = fields
        self.time = time
    }

    /// `fields` (key to field path) and/or `time` (`"arrival"` or `{"field": …, "unit": …}`).
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        let members = try options.members(of: try options.object("an object with \"fields\" and/or \"time\""), allowed: ["fields", "time"])
        var fields: [(name: String, path: FieldPath)] = []
        var time: TimeSource?
        for (name, value) in members {
            if name == "fields" {
                let pairs = try options.members(of: try options.object("\"fields\" as an object of key name to field path", of: value))
                fields = try pairs.map { pair throws(PipelineConfigurationError) in (pair.name, try options.path(pair.value, for: pair.name)) }
                if let clash = fields.first(where: { PartitionKeys.timeKeys.contains($0.name) }), members.contains(where: { $0.name == "time" }) {
                    throw options.error("key \"\(clash.name)\" is also set by \"time\"")
                }
            } else if value.stringValue == "arrival" {
                time = .arrival
            } else if let object = value.objectValue {
                let timeMembers = try options.members(of: object, allowed: ["field", "unit"])
                guard let field = timeMembers.first(where: { $0.name == "field" })?.value else {
                    throw options.error("\"time\" needs a \"field\", or use \"time\": \"arrival\"")
                }
                var unit = EpochUnit.automatic
                if let unitValue = timeMembers.first(where: { $0.name == "unit" })?.value {
                    switch unitValue.stringValue {
                    case "s", "seconds": unit = .seconds
                    case "ms", "milliseconds": unit = .milliseconds
                    case "auto": unit = .automatic
                    default: throw options.error("\"unit\" must be \"s\", \"ms\" or \"auto\", found \(unitValue.rawText)")
                    }
                }
                time = .field(try options.path(field, for: "time.field"), unit: unit)
            } else {
                throw options.error("\"time\" must be \"arrival\" or {\"field\": \"…\"}, found \(value.rawText)")
            }
        }
        guard !fields.isEmpty || time != nil else { throw options.error("name \"fields\", \"time\" or both") }
        self.init(fields: fields, time: time)
    }

    /// The keys `time` sets.
    static let timeKeys = ["year", "month", "day", "hour"]

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
