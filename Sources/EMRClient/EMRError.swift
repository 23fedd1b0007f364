/// A failed EMR call: what AWS answered (or that nothing did), and whether trying again can help.
public struct EMRError: Error, CustomStringConvertible, Sendable {
    /// Where the failure arose, which decides whether a retry can help.
    public enum Kind: Sendable, Equatable {
        /// AWS answered with an error: its code (`ThrottlingException`, `InvalidRequestException`, …).
        case service(code: String, status: Int)
        /// No response: connection refused or reset, DNS, TLS, timeout.
        case transport
        /// A success status whose body could not be read.
        case invalidResponse
    }

    /// The action that failed (`DescribeCluster`, `AddJobFlowSteps`).
    public let operation: String
    /// What failed, with AWS's error code and HTTP status when it answered.
    public let kind: Kind
    /// AWS's error message, or what went wrong locally.
    public let message: String

    /// A failure of `operation`.
    public init(operation: String, kind: Kind, message: String) {
        self.operation = operation
        self.kind = kind
        self.message = message
    }

    /// AWS's error code, else `ConnectionError` (no response) or `InvalidResponse` (unreadable).
    public var code: String {
        switch kind {
        case .service(let code, _): code
        case .transport: "ConnectionError"
        case .invalidResponse: "InvalidResponse"
        }
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException", "SlowDown",
        "TransactionInProgressException", "BandwidthLimitExceeded",
    ]

    static let authenticationCodes: Set<String> = [
        "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "InvalidClientTokenId",
        "AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException", "MissingAuthenticationToken",
        "IncompleteSignature", "AuthFailure", "InvalidAccessKeyId", "NotAuthorized",
    ]

    /// AWS asked the caller to slow down: HTTP 429 or a throttling error code.
    public var isThrottling: Bool {
        if case .service(let code, let status) = kind { return status == 429 || EMRError.throttlingCodes.contains(code) }
        return false
    }

    /// The credentials or the role's permissions were refused: retrying cannot help.
    public var isAuthenticationFailure: Bool {
        if case .service(let code, let status) = kind {
            return EMRError.authenticationCodes.contains(code) || status == 401 || (status == 403 && !isThrottling)
        }
        return false
    }

    /// Throttling, server errors and lost connections are worth another try; validation and
    /// authentication errors never are.
    public var isRetryable: Bool {
        switch kind {
        case .transport: return true
        case .invalidResponse: return false
        case .service(_, let status): return isThrottling || (status >= 500 && !isAuthenticationFailure)
        }
    }

    public var description: String { "EMR \(operation) failed (\(code)): \(message)" }
}
