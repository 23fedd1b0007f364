/// The steps a record goes through, ending with its output format.
public struct Pipeline: Sendable {
    /// The steps in order; the last is the ``OutputFormat``.
    public var steps: [any RecordTransformer] { boxes.map(\.step) }
    /// Each step in a box of its own, so that running one borrows it instead of copying it (and
    /// retaining what it holds) for every record.
    private let boxes: [StepBox]

    private final class StepBox: Sendable {
        let step: any RecordTransformer
        init(_ step: any RecordTransformer) { self.step = step }
    }

    /// `steps`, then `format` (JSON Lines unless said otherwise).
    public init(_ steps: [any RecordTransformer], format: OutputFormat = .jsonLines) {
        boxes = (steps + [format]).map(StepBox.init)
    }

    /// What runs when `FIREHOSE_PIPELINE` is unset, the seeds' transform: each record becomes
    /// `{"username": user, "timestamp": time, "action": action}` on its own line.
    public static let usernameTimestampAction = Pipeline([
        Extract([("username", "user"), ("timestamp", "time"), ("action", "action")]),
    ])

    /// Runs every step over `record`, stopping at the first that drops it.
    public func run(_ record: inout TransformRecord) throws -> TransformDecision {
        try boxes.withUnsafeBufferPointer { boxes in
            for index in boxes.indices where try boxes[index].step.transform(&record) == .drop {
                return .drop
            }
            return .keep
        }
    }
}
