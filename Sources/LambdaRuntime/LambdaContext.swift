import CivilTime

/// What a handler knows about the invocation it is serving.
public struct LambdaContext: Sendable {
    /// The invocation's id, for logs and for correlating with Lambda's own records.
    public let requestID: String
    /// When Lambda will stop the invocation, in Unix milliseconds.
    public let deadlineEpochMilliseconds: Int64
    /// The ARN the caller invoked, with any version or alias qualifier.
    public let invokedFunctionARN: String
    /// The X-Ray trace header, also exported as `_X_AMZN_TRACE_ID`.
    public let traceID: String?
    /// Raw JSON of the client context, when the caller sent one (mobile SDKs).
    public let clientContext: String?
    /// Raw JSON of the Cognito identity, when the caller has one.
    public let cognitoIdentity: String?
    /// The function's name, from `AWS_LAMBDA_FUNCTION_NAME`.
    public let functionName: String
    /// The version being run, from `AWS_LAMBDA_FUNCTION_VERSION` (`$LATEST` when unset).
    public let functionVersion: String
    /// The function's configured memory in MB, from `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`.
    public let memoryLimitInMB: Int
    /// The CloudWatch Logs group the function writes to.
    public let logGroupName: String
    /// The CloudWatch Logs stream of this execution environment.
    public let logStreamName: String
    /// A logger that tags every line with this invocation's request id.
    public let logger: LambdaLogger

    /// A context for one invocation; the function details come from `environment`.
    public init(requestID: String, deadlineEpochMilliseconds: Int64, invokedFunctionARN: String,
                traceID: String? = nil, clientContext: String? = nil, cognitoIdentity: String? = nil,
                environment: LambdaEnvironment, logger: LambdaLogger) {
        self.requestID = requestID
        self.deadlineEpochMilliseconds = deadlineEpochMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.functionName = environment.functionName
        self.functionVersion = environment.functionVersion
        self.memoryLimitInMB = environment.memoryLimitInMB
        self.logGroupName = environment.logGroupName
        self.logStreamName = environment.logStreamName
        self.logger = logger
    }

    /// Time left before the deadline (negative once it has passed).
    public var remainingTime: Duration {
        .milliseconds(deadlineEpochMilliseconds - UTCTime.currentEpochMilliseconds())
    }
}
