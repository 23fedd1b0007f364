/// The steps a record goes through, ending with its output format.
public struct Pipeline: Sendable {
    /// The steps in order; the last is the ``OutputFormat``.
    public var steps: [any RecordTransformer] { boxes.map(\.step) }
    /// Each step in a box of its own type, so that running one calls its concrete type on the
    /// box's own copy instead of copying an existential (and retaining what it holds) for every
    /// record.
    private let boxes: [any StepBox]

    private protocol StepBox: AnyObject, Sendable {
        var step: any RecordTransformer { get }
        func transform(_ record: inout TransformRecord) throws -> TransformDecision
    }

    private final class Box<Step: RecordTransformer>: StepBox {
        let concrete: Step
        init(_ step: Step) { concrete = step }
        var step: any RecordTransformer { concrete }
        func transform(_ record: inout TransformRecord) throws -> TransformDecision { try concrete.transform(&record) }
    }

    /// `steps`, then `format` (JSON Lines unless said otherwise).
    public init(_ steps: [any RecordTransformer], format: OutputFormat = .jsonLines) {
        func box(_ step: some RecordTransformer) -> any StepBox { Box(step) }
        boxes = (steps + [format]).map { box($0) }
    }

    /// What runs when `FIREHOSE_PIPELINE` is unset, the seeds' transform: each record becomes
    /// `{"username": user, "timestamp": time, "action": action}` on its own line.
    public static let usernameTimestampAction = Pipeline([
        Extract([("username", "user"), ("timestamp", "time"), ("action", "action")]),
    ])

    /// Runs every step over `record`, stopping at the first that drops it.
    public func run(_ record: inout TransformRecord) throws -> TransformDecision {
        try boxes.withUnsafeBufferPointer { boxes in
            for index in boxes.indices where try boxes[index].transform(&record) == .drop {
                return .drop
            }
            return .keep
        }
    }
}
