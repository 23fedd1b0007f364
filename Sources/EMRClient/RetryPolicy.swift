/// Exponential backoff with full jitter (the AWS SDKs' default strategy), bounded both in
/// attempts and by the caller's deadline.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maximumAttempts: Int
    /// The first retry's delay ceiling; it doubles with each further attempt.
    public var baseDelay: Duration
    /// The longest any one delay can be.
    public var maximumDelay: Duration
    /// The least time an attempt needs; no retry starts with less left before the deadline.
    public var minimumAttemptTime: Duration

    /// A policy; the defaults are 5 attempts and delays of up to 100 ms, doubling, capped at 5 s.
    public init(maximumAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5),
                minimumAttemptTime: Duration = .seconds(1)) {
        self.maximumAttempts = maximumAttempts
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.minimumAttemptTime = minimumAttemptTime
    }

    /// How long to wait after failed attempt number `attempt` (1-based): a random duration up to
    /// `baseDelay × 2^(attempt-1)`, capped at `maximumDelay`.
    public func delay(afterAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(attempt - 1, 30)
        let ceiling = min(maximumDelay, baseDelay * (1 << exponent))
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...max(0, nanoseconds), using: &random))
    }
}
