/// The environment variables Lambda sets for a function, with typed accessors for the ones
/// the runtime reads. Handlers read their own configuration through `subscript`.
public struct LambdaEnvironment: Sendable {
    public let variables: [String: String]

    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// The value of `name`, treating an empty value as unset.
    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `host:port` of the Runtime API.
    public var runtimeAPI: String? { self["AWS_LAMBDA_RUNTIME_API"] }
    /// Which registered handler this function runs.
    public var handlerName: String? { self["_HANDLER"] }
    public var functionName: String { self["AWS_LAMBDA_FUNCTION_NAME"] ?? "" }
    public var functionVersion: String { self["AWS_LAMBDA_FUNCTION_VERSION"] ?? "$LATEST" }
    public var memoryLimitInMB: Int { self["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"].flatMap { Int($0) } ?? 128 }
    public var logGroupName: String { self["AWS_LAMBDA_LOG_GROUP_NAME"] ?? "" }
    public var logStreamName: String { self["AWS_LAMBDA_LOG_STREAM_NAME"] ?? "" }
    public var region: String? { self["AWS_REGION"] ?? self["AWS_DEFAULT_REGION"] }
}
