/// The payload limits of a synchronous invocation, as Lambda enforces them (AWS documents both
/// as "6 MB").
public enum LambdaLimits {
    /// The largest event Lambda accepts for a synchronous invocation: 6 MiB. Larger requests are
    /// refused before the function runs (`RequestEntityTooLargeException`).
    public static let requestBytes = 6_291_456
    /// The largest response the Runtime API accepts: 6 MiB plus 100 bytes. A larger one fails the
    /// invocation as `Function.ResponseSizeTooLarge`.
    public static let responseBytes = 6_291_556
}
