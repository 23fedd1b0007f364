import HTTPExchange

/// One HTTP request to the Lambda Runtime API.
public struct RuntimeRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    public var method: Method
    /// Path and query, e.g. `/2018-06-01/runtime/invocation/next`.
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The `/next` long poll: it may wait for an event for as long as the function stays idle.
    public var waitsForEvent: Bool

    public init(method: Method, path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], waitsForEvent: Bool = false) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.waitsForEvent = waitsForEvent
    }
}

/// How the runtime reaches the Runtime API. `URLSessionTransport` is the real one; tests
/// substitute a fake so the loop runs without sockets.
public protocol RuntimeTransport: Sendable {
    /// Performs one exchange. Throws only when no HTTP response arrived (connection refused,
    /// reset, timed out); an HTTP error status is a normal response.
    func send(_ request: RuntimeRequest) async throws -> HTTPResponse
}
