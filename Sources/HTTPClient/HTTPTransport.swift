import Foundation

/// One HTTP request, with the limits it must be answered within.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// Where it goes. Any user and password in it are never sent and never shown.
    public var url: URL
    /// Headers, in order.
    public var headers: [(name: String, value: String)]
    /// The body; empty for none.
    public var body: [UInt8]
    /// When the whole exchange must be over, answer included; nil for no total limit.
    public var deadline: ContinuousClock.Instant?
    /// How long the server may stay silent; URLSession restarts this clock with every piece it
    /// receives, so it is no total limit.
    public var idleTimeout: Duration
    /// Whether to close the connection after this exchange, so that the next request opens a
    /// fresh one. A request with a body must not go out on a connection the server may just
    /// have closed: libcurl would retry it on a new connection without its body. (A fresh
    /// connection costs a few milliseconds of CPU; keep it for calls that are rare.)
    public var closesConnection: Bool

    /// A request to `url`.
    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                deadline: ContinuousClock.Instant? = nil, idleTimeout: Duration = .seconds(60), closesConnection: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.deadline = deadline
        self.idleTimeout = idleTimeout
        self.closesConnection = closesConnection
    }

    /// The header named `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// How the package's clients (the Runtime API's and EMR's) exchange HTTP. `URLSessionTransport`
/// is the real one; tests substitute scripted ones.
public protocol HTTPTransport: Sendable {
    /// Performs one exchange. Throws only when no complete HTTP response arrived in time; an
    /// error status is a normal response, and so is a redirect, which is never followed.
    func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse
}

/// Why no response arrived, in words that name the server (host and port, never credentials).
public struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The request's deadline passed; the exchange was abandoned.
        case deadlineExceeded
        /// The server said nothing for longer than the request's idle timeout.
        case idleTimeout
        /// Nothing listens at the address.
        case connectionRefused
        /// The host name does not resolve.
        case unknownHost
        /// The connection closed or reset before a whole response arrived.
        case connectionLost
        /// No valid HTTP response: the connection closed without one (curl's "empty reply"), or
        /// what arrived is not HTTP.
        case badResponse
        /// TLS failed (for example an untrusted certificate).
        case tls
        /// Anything else URLSession reports.
        case other(code: Int)
    }

    /// What went wrong.
    public let kind: Kind
    /// `host:port` of the server.
    public let server: String
    /// The limit that ran out, for the two timeouts.
    public let limit: Duration?

    /// An error of `kind` talking to `server`.
    public init(_ kind: Kind, server: String, limit: Duration? = nil) {
        self.kind = kind
        self.server = server
        self.limit = limit
    }

    public var description: String {
        let seconds = limit.map { String(format: "%.1f s", $0 / .seconds(1)) } ?? "?"
        switch kind {
        case .deadlineExceeded: return "no response from \(server) within \(seconds) (the call's deadline)"
        case .idleTimeout: return "\(server) sent nothing for \(seconds)"
        case .connectionRefused: return "connection refused by \(server)"
        case .unknownHost: return "cannot resolve \(server)"
        case .connectionLost: return "\(server) closed the connection before answering in full"
        case .badResponse: return "\(server) sent no valid HTTP response (it closed the connection without one, or answered with something else)"
        case .tls: return "TLS with \(server) failed (untrusted certificate or handshake error)"
        case .other(let code): return "request to \(server) failed (URLError \(code))"
        }
    }

    /// `host:port` of `url`, without user or password.
    public static func server(of url: URL) -> String {
        let host = url.host ?? "?"
        let shown = host.contains(":") ? "[\(host)]" : host
        return url.port.map { "\(shown):\($0)" } ?? shown
    }
}
