/// The steps a record goes through, ending with its output format.
public struct Pipeline: Sendable {
    /// The steps in order; the last is the ``OutputFormat``.
    public var steps: [any RecordTransformer] { boxes.map(\.step) }
    /// Each step in a box of its own, which `run` calls unretained (the pipeline keeps the boxes
    /// alive): no reference counting per record and step.
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
            for index in boxes.indices {
                let decision = try Unmanaged.passUnretained(boxes[index])._withUnsafeGuaranteedRef { try $0.step.transform(&record) }
                if decision == .drop { return .drop }
            }
            return .keep
        }
    }
}
