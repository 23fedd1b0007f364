#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The environment variables Lambda sets for a function, with typed accessors for the ones
/// the runtime reads. Handlers read their own configuration through `subscript`.
public struct LambdaEnvironment: Sendable {
    /// Every variable.
    public let variables: [String: String]

    /// An environment of `variables`.
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
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    public var functionName: String { self["AWS_LAMBDA_FUNCTION_NAME"] ?? "" }
    /// `AWS_LAMBDA_FUNCTION_VERSION`, `$LATEST` when unset.
    public var functionVersion: String { self["AWS_LAMBDA_FUNCTION_VERSION"] ?? "$LATEST" }
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, 128 (Lambda's smallest) when unset.
    public var memoryLimitInMB: Int { self["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"].flatMap { Int($0) } ?? 128 }
    /// `AWS_LAMBDA_LOG_GROUP_NAME`.
    public var logGroupName: String { self["AWS_LAMBDA_LOG_GROUP_NAME"] ?? "" }
    /// `AWS_LAMBDA_LOG_STREAM_NAME`.
    public var logStreamName: String { self["AWS_LAMBDA_LOG_STREAM_NAME"] ?? "" }
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`.
    public var region: String? { self["AWS_REGION"] ?? self["AWS_DEFAULT_REGION"] }

    /// How many threads of work pay off: the vCPUs Lambda grants. `activeProcessorCount` reports
    /// the host's cores even when the function gets a fraction of one, and splitting work then
    /// only adds CPU time, which is what the function pays for.
    public var grantedProcessors: Int {
        LambdaEnvironment.grantedProcessors(memoryMB: memoryLimitInMB,
                                            cpuMax: try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8),
                                            cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Lambda's memory per full vCPU: below it a function gets a share of one.
    public static let megabytesPerProcessor = 1_769

    /// One thread per `megabytesPerProcessor` of memory, and no more than the cgroup's CPU quota
    /// (`cpu.max`, e.g. `150000 100000`) or the cores allow; never fewer than one.
    static func grantedProcessors(memoryMB: Int, cpuMax: String?, cores: Int) -> Int {
        var granted = min(max(1, cores), max(1, memoryMB / megabytesPerProcessor))
        let fields = cpuMax?.split(whereSeparator: \.isWhitespace) ?? []
        if fields.count == 2, let quota = Int(fields[0]), let period = Int(fields[1]), period > 0 {
            granted = min(granted, max(1, quota / period))
        }
        return granted
    }
}
