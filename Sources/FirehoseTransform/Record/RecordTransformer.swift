/// One step of a Firehose transformation: add your own by implementing `transform`.
///
/// A step changes `record` in place and returns `.keep` or `.drop`; throwing fails the record
/// (it is returned to Firehose as `ProcessingFailed` with its original data, and the rest of the
/// batch goes on).
///
/// ```swift
/// struct TagSource: RecordTransformer {
///     func transform(_ record: inout TransformRecord) throws -> TransformDecision {
///         if try record.json()["test"]?.boolValue == true { return .drop }
///         try record.setField(JSONKey("source"), string: record.metadata.shardID ?? "direct")
///         return .keep
///     }
/// }
/// ```
///
/// To name the step in `FIREHOSE_PIPELINE`, conform to ``ConfigurableTransformer`` as well.
public protocol RecordTransformer: Sendable {
    /// Transforms one record; throw to fail it alone.
    func transform(_ record: inout TransformRecord) throws -> TransformDecision
}

/// What a step decides for a record.
public enum TransformDecision: Sendable, Equatable {
    /// The record goes on to the next step.
    case keep
    /// Returned to Firehose as `Dropped`: intentionally left out of the destination.
    case drop
}

/// Why a step failed a record; the message is logged with the record id.
public struct TransformFailure: Error, CustomStringConvertible, Sendable {
    /// The reason, as logged.
    public let description: String

    /// A failure with this reason.
    public init(_ description: String) { self.description = description }
}
