import AWSSigning
import CivilTime
import Foundation
import HTTPClient

/// Amazon EMR over its JSON 1.1 protocol: the three calls the trigger needs, each signed with
/// SigV4 and retried (throttling, 5xx, lost connections) within the caller's deadline.
public struct EMRClient: Sendable {
    /// Where the calls go (see `endpoint(region:environment:)`).
    public let endpoint: URL
    let signer: SigV4Signer
    let transport: any HTTPTransport
    let retry: RetryPolicy
    /// How the client waits between attempts; tests pass one that does not.
    let sleep: @Sendable (Duration) async throws -> Void

    /// A client for `region` that signs with `credentials` and calls `endpoint` through
    /// `transport`, retrying as `retry` says and waiting between attempts with `sleep`.
    public init(region: String, credentials: AWSCredentials, endpoint: URL, transport: any HTTPTransport = URLSessionTransport(),
                retry: RetryPolicy = RetryPolicy(), sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.endpoint = endpoint
        self.signer = SigV4Signer(credentials: credentials, region: region, service: "elasticmapreduce")
        self.transport = transport
        self.retry = retry
        self.sleep = sleep
    }

    /// The endpoint the AWS SDKs would use: `AWS_ENDPOINT_URL_EMR`, then `AWS_ENDPOINT_URL`, then
    /// `https://elasticmapreduce.{region}.amazonaws.com`. Nil when an override is not an http(s) URL.
    public static func endpoint(region: String, environment: [String: String]) -> URL? {
        for name in ["AWS_ENDPOINT_URL_EMR", "AWS_ENDPOINT_URL"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  url.host != nil else { return nil }
            return url
        }
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return URL(string: "https://elasticmapreduce.\(region).\(domain)")
    }

    // MARK: Operations

    /// The cluster `clusterID`: its state, and why it ended if it did.
    public func describeCluster(_ clusterID: String, deadline: ContinuousClock.Instant) async throws(EMRError) -> Cluster {
        let output: DescribeClusterOutput = try await call("DescribeCluster", DescribeClusterInput(clusterId: clusterID), deadline: deadline)
        return output.cluster
    }

    /// Every step in `states` (all pages).
    public func listSteps(clusterID: String, states: [String], deadline: ContinuousClock.Instant) async throws(EMRError) -> [StepSummary] {
        var steps: [StepSummary] = []
        var marker: String?
        repeat {
            let output: ListStepsOutput = try await call("ListSteps", ListStepsInput(clusterId: clusterID, stepStates: states, marker: marker),
                                                         deadline: deadline)
            steps += output.steps ?? []
            marker = output.marker
        } while marker != nil
        return steps
    }

    /// Adds steps; returns their ids, one per step in order. An answer with another number of
    /// ids is an `invalidResponse` error: which steps were added cannot be told.
    public func addJobFlowSteps(clusterID: String, steps: [StepConfig], deadline: ContinuousClock.Instant) async throws(EMRError) -> [String] {
        let output: AddJobFlowStepsOutput = try await call("AddJobFlowSteps", AddJobFlowStepsInput(jobFlowId: clusterID, steps: steps),
                                                           deadline: deadline)
        guard output.stepIds.count == steps.count else {
            throw EMRError(operation: "AddJobFlowSteps", kind: .invalidResponse,
                           message: "EMR answered \(output.stepIds.count) step id(s) for \(steps.count) step(s) sent")
        }
        return output.stepIds
    }

    // MARK: The JSON 1.1 protocol

    func call<Input: Encodable, Output: Decodable>(_ operation: String, _ input: Input,
                                                   deadline: ContinuousClock.Instant) async throws(EMRError) -> Output {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(input))
        } catch {
            throw EMRError(operation: operation, kind: .invalidResponse, message: "cannot encode the request: \(error)")
        }
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            let result = await attemptCall(operation, body: body, deadline: deadline)
            let error: EMRError
            switch result {
            case .success(let response):
                do {
                    return try JSONDecoder().decode(Output.self, from: response.isEmpty ? Data("{}".utf8) : response)
                } catch {
                    throw EMRError(operation: operation, kind: .invalidResponse, message: "cannot read the response: \(error)")
                }
            case .failure(let failure):
                error = failure
            }
            guard error.isRetryable, attempt < retry.maximumAttempts else { throw error }
            let delay = retry.delay(afterAttempt: attempt, using: &random)
            guard ContinuousClock.now + delay + retry.minimumAttemptTime < deadline else {
                throw EMRError(operation: operation, kind: error.kind, message: "\(error.message) (no time left to retry)")
            }
            do {
                try await sleep(delay)
            } catch {
                throw EMRError(operation: operation, kind: .transport, message: "cancelled while waiting to retry")
            }
        }
    }

    /// One signed attempt: the response body on success, the error otherwise.
    private func attemptCall(_ operation: String, body: [UInt8], deadline: ContinuousClock.Instant) async -> Result<Data, EMRError> {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else {
            return .failure(EMRError(operation: operation, kind: .transport, message: "the invocation's deadline has passed"))
        }
        var request = SignableRequest(method: "POST", path: endpoint.path.isEmpty ? "/" : endpoint.path, headers: [
            ("Host", EMRClient.hostHeader(endpoint)),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "ElasticMapReduce.\(operation)"),
        ], body: body)
        signer.sign(&request, at: .now())
        let response: HTTPResponse
        do {
            // Each call on a fresh connection: a warm function's connection may have idled out,
            // and libcurl re-sends a POST caught on a closed connection without its body.
            response = try await transport.send(HTTPRequest(method: "POST", url: endpoint, headers: request.headers, body: body,
                                                            deadline: deadline, idleTimeout: remaining, closesConnection: true))
        } catch {
            return .failure(EMRError(operation: operation, kind: .transport, message: error.description))
        }
        if (200..<300).contains(response.status) { return .success(response.body) }
        return .failure(EMRClient.serviceError(operation, response))
    }

    /// `Host` as the HTTP client will send it: with the port unless it is the scheme's default.
    static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let isDefault = (url.scheme == "https" && port == 443) || (url.scheme == "http" && port == 80)
        return isDefault ? host : "\(host):\(port)"
    }

    /// The error code from `__type` (`com.amazonaws…#Code`) or `x-amzn-ErrorType` (`Code:uri`),
    /// and the message from `message` or `Message`.
    static func serviceError(_ operation: String, _ response: HTTPResponse) -> EMRError {
        let body = try? JSONDecoder().decode(ErrorBody.self, from: response.body)
        var code = body?.type ?? response.header("x-amzn-ErrorType") ?? ""
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if code.isEmpty { code = "HTTP\(response.status)" }
        let message = body?.message ?? body?.capitalizedMessage
            ?? String(decoding: response.body.prefix(300), as: UTF8.self)
        return EMRError(operation: operation, kind: .service(code: code, status: response.status), message: message)
    }

    struct ErrorBody: Decodable {
        let type: String?
        let message: String?
        let capitalizedMessage: String?

        enum CodingKeys: String, CodingKey {
            case type = "__type", message, capitalizedMessage = "Message"
        }
    }
}
