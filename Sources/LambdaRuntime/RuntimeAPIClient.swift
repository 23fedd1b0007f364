import CivilTime
import HTTPExchange
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An event handed out by `/next`, with the headers that describe it.
public struct Invocation: Sendable {
    public let requestID: String
    public let deadlineEpochMilliseconds: Int64
    public let invokedFunctionARN: String
    public let traceID: String?
    public let clientContext: String?
    public let cognitoIdentity: String?
    public let event: [UInt8]
}

/// The Runtime API failed: the environment is broken and the runtime must exit.
public struct RuntimeAPIError: Error, CustomStringConvertible {
    public let description: String
}

/// The four calls of the Lambda Runtime API (2018-06-01), over any transport.
struct RuntimeAPIClient: Sendable {
    static let version = "/2018-06-01/runtime"
    /// The deadline assumed when `/next` omits one: Lambda's longest timeout.
    static let defaultTimeoutMilliseconds: Int64 = 900_000

    let transport: any RuntimeTransport

    /// Long-polls for the next event.
    func next() async throws(RuntimeAPIError) -> Invocation {
        let path = RuntimeAPIClient.version + "/invocation/next"
        let response = try await send(RuntimeRequest(method: .get, path: path, waitsForEvent: true))
        guard response.status == 200 else { throw unexpected(response, from: path) }
        guard let requestID = response.header("Lambda-Runtime-Aws-Request-Id"), !requestID.isEmpty else {
            throw RuntimeAPIError(description: "GET \(path) returned an event without a Lambda-Runtime-Aws-Request-Id header")
        }
        let deadline = response.header("Lambda-Runtime-Deadline-Ms").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            ?? UTCTime.currentEpochMilliseconds() + RuntimeAPIClient.defaultTimeoutMilliseconds
        return Invocation(
            requestID: requestID,
            deadlineEpochMilliseconds: deadline,
            invokedFunctionARN: response.header("Lambda-Runtime-Invoked-Function-Arn") ?? "",
            traceID: response.header("Lambda-Runtime-Trace-Id"),
            clientContext: response.header("Lambda-Runtime-Client-Context"),
            cognitoIdentity: response.header("Lambda-Runtime-Cognito-Identity"),
            event: response.body)
    }

    /// How the Runtime API took a posted result.
    enum PostOutcome: Equatable {
        case accepted
        /// 413: the response exceeds Lambda's limit; the caller reports an error instead.
        case tooLarge
        /// Another 4xx: this invocation is over for the API (e.g. it timed out); the loop goes on.
        case rejected(status: Int, message: String)
    }

    /// Posts a handler's result.
    func postResponse(requestID: String, body: [UInt8]) async throws(RuntimeAPIError) -> PostOutcome {
        let path = RuntimeAPIClient.version + "/invocation/\(requestID)/response"
        let response = try await send(RuntimeRequest(method: .post, path: path, headers: [("Content-Type", "application/json")], body: body))
        return try outcome(of: response, from: path)
    }

    func postError(requestID: String, _ error: ErrorResponse) async throws(RuntimeAPIError) -> PostOutcome {
        try await postError(RuntimeAPIClient.version + "/invocation/\(requestID)/error", error)
    }

    func postInitError(_ error: ErrorResponse) async throws(RuntimeAPIError) -> PostOutcome {
        try await postError(RuntimeAPIClient.version + "/init/error", error)
    }

    private func postError(_ path: String, _ error: ErrorResponse) async throws(RuntimeAPIError) -> PostOutcome {
        let headers = [("Content-Type", "application/json"), ("Lambda-Runtime-Function-Error-Type", error.errorType)]
        let response = try await send(RuntimeRequest(method: .post, path: path, headers: headers, body: error.json))
        return try outcome(of: response, from: path)
    }

    /// 2xx and 4xx are answers about this invocation; anything else means the API is broken.
    private func outcome(of response: HTTPResponse, from path: String) throws(RuntimeAPIError) -> PostOutcome {
        switch response.status {
        case 200..<300: return .accepted
        case 413: return .tooLarge
        case 400..<500: return .rejected(status: response.status, message: unexpected(response, from: path).description)
        default: throw unexpected(response, from: path)
        }
    }

    private func send(_ request: RuntimeRequest) async throws(RuntimeAPIError) -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch {
            throw RuntimeAPIError(description: "\(request.method.rawValue) \(request.path) failed: \(error)")
        }
    }

    private func unexpected(_ response: HTTPResponse, from path: String) -> RuntimeAPIError {
        let body = String(decoding: response.body.prefix(512), as: UTF8.self)
        return RuntimeAPIError(description: "\(path) answered HTTP \(response.status)\(body.isEmpty ? "" : ": \(body)")")
    }
}
