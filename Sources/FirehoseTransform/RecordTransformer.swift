import ByteJSON
import FirehoseCodec

/// One step of a Firehose transformation: add your own by implementing `transform`.
///
/// A step changes `record` in place and returns `.keep` or `.drop`; throwing fails the record
/// (it is returned to Firehose as `ProcessingFailed` with its original data, and the rest of the
/// batch goes on).
///
/// ```swift
/// struct MaskEmail: RecordTransformer {
///     func transform(_ record: inout TransformRecord) throws -> TransformDecision {
///         let object = try record.json()
///         guard object["email"] != nil else { return .keep }
///         record.bytes = ...  // write a new object with JSONObjectWriter
///         return .keep
///     }
/// }
/// ```
public protocol RecordTransformer: Sendable {
    func transform(_ record: inout TransformRecord) throws -> TransformDecision
}

public enum TransformDecision: Sendable, Equatable {
    case keep
    /// Returned to Firehose as `Dropped`: intentionally left out of the destination.
    case drop
}

/// Why a step failed a record; the message is logged with the record id.
public struct TransformFailure: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// A record on its way through the pipeline: its current bytes, what Firehose says about it,
/// and the partition keys collected so far.
public struct TransformRecord {
    public let metadata: RecordMetadata
    private var storage: [UInt8]
    private var parsed: JSONObject?
    /// Whether `storage` is a JSON object written by a built-in step: on one line, valid.
    private(set) var isCompactJSONObject = false
    /// Keys for Firehose dynamic partitioning (`!{partitionKeyFromLambda:key}`), in order.
    public private(set) var partitionKeys: [(key: String, value: String)] = []

    public init(bytes: [UInt8], metadata: RecordMetadata) {
        self.storage = bytes
        self.metadata = metadata
    }

    /// The record's current data. Setting it discards any parsed view.
    public var bytes: [UInt8] {
        get { storage }
        set {
            storage = newValue
            parsed = nil
            isCompactJSONObject = false
        }
    }

    /// The data as a JSON object, parsed once and kept until `bytes` change. Throws a
    /// `TransformFailure` when the data is not valid UTF-8 JSON whose root is an object.
    public mutating func json() throws -> JSONObject {
        if let parsed { return parsed }
        do {
            let object = try JSONObject(parsing: storage)
            parsed = object
            return object
        } catch {
            throw TransformFailure(TransformRecord.describe(error))
        }
    }

    /// Replaces the data with a compact JSON object a built-in step has just written.
    mutating func setCompactJSONObject(_ bytes: [UInt8]) {
        storage = bytes
        parsed = nil
        isCompactJSONObject = true
    }

    /// Edits the data in place (no copy), discarding any parsed view.
    mutating func editBytes(_ edit: (inout [UInt8]) -> Void) {
        parsed = nil
        isCompactJSONObject = false
        edit(&storage)
    }

    /// Sets a partition key, replacing an earlier value for the same key.
    public mutating func setPartitionKey(_ key: String, _ value: String) {
        if let index = partitionKeys.firstIndex(where: { $0.key == key }) {
            partitionKeys[index].value = value
        } else {
            partitionKeys.append((key, value))
        }
    }

    static func describe(_ error: JSONError) -> String {
        switch error.reason {
        case .notAnObject(let kind): "the data is \(kind), not a JSON object"
        case .invalidUTF8: "the data is not valid UTF-8 (byte \(error.offset))"
        case .tooDeep: "the data is nested too deeply: \(error)"
        default: "the data is not valid JSON: \(error)"
        }
    }
}

/// The steps a record goes through, ending with its output format.
public struct Pipeline: Sendable {
    public let steps: [any RecordTransformer]

    /// `steps`, then `format` (JSON Lines unless said otherwise).
    public init(_ steps: [any RecordTransformer], format: OutputFormat = .jsonLines) {
        self.steps = steps + [format]
    }

    /// The seeds' transform: `{"username": user, "timestamp": time, "action": action}`, one per line.
    public static let seeds = Pipeline([
        Extract([("username", "user"), ("timestamp", "time"), ("action", "action")]),
    ])

    public func run(_ record: inout TransformRecord) throws -> TransformDecision {
        try steps.withUnsafeBufferPointer { steps in
            for index in steps.indices where try steps[index].transform(&record) == .drop {
                return .drop
            }
            return .keep
        }
    }
}
