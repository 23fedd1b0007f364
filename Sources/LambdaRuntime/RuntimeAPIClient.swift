import CivilTime
import Foundation
import HTTPClient

/// An event handed out by `/next`, with the headers that describe it.
public struct Invocation: Sendable {
    /// `Lambda-Runtime-Aws-Request-Id`.
    public let requestID: String
    /// `Lambda-Runtime-Deadline-Ms`: when Lambda stops the invocation, in Unix milliseconds.
    public let deadlineEpochMilliseconds: Int64
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    public let invokedFunctionARN: String
    /// `Lambda-Runtime-Trace-Id`.
    public let traceID: String?
    /// `Lambda-Runtime-Client-Context`, raw JSON.
    public let clientContext: String?
    /// `Lambda-Runtime-Cognito-Identity`, raw JSON.
    public let cognitoIdentity: String?
    /// The event's bytes, as the transport received them.
    public let event: Data
}

/// The Runtime API failed: the environment is broken and the runtime must exit.
public struct RuntimeAPIError: Error, CustomStringConvertible {
    /// What failed, with the call.
    public let description: String
}

/// The four calls of the Lambda Runtime API (2018-06-01), over any transport.
struct RuntimeAPIClient: Sendable {
    static let version = "/2018-06-01/runtime"
    /// The deadline assumed when `/next` omits one: Lambda's longest timeout.
    static let defaultTimeoutMilliseconds: Int64 = 900_000
    /// How long `/next` may wait for an event: a function idles for as long as Lambda keeps it.
    /// Finite, since URLSession on Linux traps on an infinite timeout.
    static let eventWait: Duration = .seconds(365 * 24 * 3600)
    /// The longest any other call may take, in all, before the API is considered gone.
    static let callLimit: Duration = .seconds(60)

    let transport: any HTTPTransport
    /// `http://host:port`.
    let base: String

    /// A client of the Runtime API at `endpoint` (`host:port`, as in `AWS_LAMBDA_RUNTIME_API`).
    init(endpoint: String, transport: any HTTPTransport) {
        base = endpoint.contains("://") ? endpoint : "http://" + endpoint
        self.transport = transport
    }

    /// Long-polls for the next event.
    func next() async throws(RuntimeAPIError) -> Invocation {
        let path = RuntimeAPIClient.version + "/invocation/next"
        let response = try await send(path, method: "GET", waitsForEvent: true)
        guard response.status == 200 else { throw unexpected(response, from: path) }
        guard let requestID = response.header("Lambda-Runtime-Aws-Request-Id"), !requestID.isEmpty else {
            throw RuntimeAPIError(description: "GET \(path) returned an event without a Lambda-Runtime-Aws-Request-Id header")
        }
        let deadline = response.header("Lambda-Runtime-Deadline-Ms").flatMap { Int64($0) ?? Int64($0.trimmingCharacters(in: .whitespaces)) }
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
        let path = RuntimeAPIClient.version + "/invocation/\(RuntimeAPIClient.pathSegment(requestID))/response"
        return try outcome(of: try await send(path, method: "POST", headers: [("Content-Type", "application/json")], body: body), from: path)
    }

    func postError(requestID: String, _ error: ErrorResponse) async throws(RuntimeAPIError) -> PostOutcome {
        try await postError(RuntimeAPIClient.version + "/invocation/\(RuntimeAPIClient.pathSegment(requestID))/error", error)
    }

    func postInitError(_ error: ErrorResponse) async throws(RuntimeAPIError) -> PostOutcome {
        try await postError(RuntimeAPIClient.version + "/init/error", error)
    }

    private func postError(_ path: String, _ error: ErrorResponse) async throws(RuntimeAPIError) -> PostOutcome {
        let headers = [("Content-Type", "application/json"), ("Lambda-Runtime-Function-Error-Type", error.errorType)]
        return try outcome(of: try await send(path, method: "POST", headers: headers, body: error.json), from: path)
    }

    /// 2xx and 4xx are answers about this invocation; anything else (a redirect, a 5xx) means the
    /// API is broken.
    private func outcome(of response: HTTPResponse, from path: String) throws(RuntimeAPIError) -> PostOutcome {
        switch response.status {
        case 200..<300: return .accepted
        case 413: return .tooLarge
        case 400..<500: return .rejected(status: response.status, message: unexpected(response, from: path).description)
        default: throw unexpected(response, from: path)
        }
    }

    /// One call. The `/next` long poll (`waitsForEvent`) may wait as long as the function idles.
    /// Every other call must be over within `callLimit` in all, and a post is sent once more,
    /// body and all, when it fails the way a stale connection makes it fail (see `resendsPost`).
    private func send(_ path: String, method: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                      waitsForEvent: Bool = false) async throws(RuntimeAPIError) -> HTTPResponse {
        guard let url = URL(string: base + path) else {
            throw RuntimeAPIError(description: "AWS_LAMBDA_RUNTIME_API does not make a URL: \(base + path)")
        }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body,
                                  deadline: waitsForEvent ? nil : .now + RuntimeAPIClient.callLimit,
                                  idleTimeout: waitsForEvent ? RuntimeAPIClient.eventWait : RuntimeAPIClient.answerWait)
        do {
            return try await transport.send(request)
        } catch where method == "POST" && RuntimeAPIClient.resendsPost(after: error.kind) {
            do {
                return try await transport.send(request)
            } catch {
                throw RuntimeAPIError(description: "\(method) \(path) failed twice: \(error)")
            }
        } catch {
            throw RuntimeAPIError(description: "\(method) \(path) failed: \(error)")
        }
    }

    /// How long the Runtime API may stay silent once a request is sent. It answers at once; the
    /// silence that lasts is libcurl's retry of a post whose reused connection the server
    /// closed: it re-sends the headers on a new connection *without the body*, and both sides
    /// wait. Keeping connections alive is worth it (a new one per invocation costs more CPU than
    /// a small event's whole handling), so that case is caught by this timeout instead.
    static let answerWait: Duration = .seconds(3)

    /// Whether a post that failed this way is sent again: closed unanswered, answered with
    /// nothing, or stalled as above. If the first one did arrive, the API answers the second 4xx.
    static func resendsPost(after failure: HTTPTransportError.Kind) -> Bool {
        failure == .connectionLost || failure == .badResponse || failure == .idleTimeout
    }

    private func unexpected(_ response: HTTPResponse, from path: String) -> RuntimeAPIError {
        let body = String(decoding: response.body.prefix(512), as: UTF8.self)
        let location = response.header("Location").map { " (a redirect to \($0), which the Runtime API never sends)" } ?? ""
        return RuntimeAPIError(description: "\(path) answered HTTP \(response.status)\(location)\(body.isEmpty ? "" : ": \(body)")")
    }

    /// `text` as one path segment: every byte outside RFC 3986's unreserved characters
    /// percent-encoded, so a request id can never reach another path or a query.
    static func pathSegment(_ text: String) -> String {
        // Lambda's ids (UUIDs) need no encoding, and checking that costs less than encoding.
        if text.unicodeScalars.allSatisfy(unreserved.contains) { return text }
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The host part of `host:port`, `[v6]:port` or a URL.
    static func host(of endpoint: String) -> String {
        var rest = Substring(endpoint)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return String(rest)
    }

    /// libcurl honours `http_proxy` even for loopback addresses; listing the Runtime API host in
    /// `no_proxy` keeps a proxy meant for the function's outbound calls off the local API.
    static func bypassProxies(for host: String) {
        for name in ["no_proxy", "NO_PROXY"] {
            let current = ProcessInfo.processInfo.environment[name] ?? ""
            let entries = current.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !entries.contains(host) && !entries.contains("*") else { continue }
            setenv(name, current.isEmpty ? host : current + "," + host, 1)
        }
    }
}
