/// The steps a record goes through, ending with its output format.
public struct Pipeline: Sendable {
    /// The steps in order; the last is the ``OutputFormat``.
    public let steps: [any RecordTransformer]

    /// `steps`, then `format` (JSON Lines unless said otherwise).
    public init(_ steps: [any RecordTransformer], format: OutputFormat = .jsonLines) {
        self.steps = steps + [format]
    }

    /// What runs when `FIREHOSE_PIPELINE` is unset, the seeds' transform: each record becomes
    /// `{"username": user, "timestamp": time, "action": action}` on its own line.
    public static let usernameTimestampAction = Pipeline([
        Extract([("username", "user"), ("timestamp", "time"), ("action", "action")]),
    ])

    /// Runs every step over `record`, stopping at the first that drops it.
    public func run(_ record: inout TransformRecord) throws -> TransformDecision {
        try steps.withUnsafeBufferPointer { steps in
            for index in steps.indices where try steps[index].transform(&record) == .drop {
                return .drop
            }
            return .keep
        }
    }
}
