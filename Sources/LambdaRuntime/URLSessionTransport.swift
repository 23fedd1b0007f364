import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPExchange

/// The Runtime API over one long-lived, ephemeral `URLSession` (keep-alive, no cache, no cookies).
public final class URLSessionTransport: RuntimeTransport {
    /// A finite stand-in for "no timeout": a function may idle for hours between events, and
    /// URLSession on Linux both times out after 60 s by default and traps on `.infinity`.
    static let idleTimeout: TimeInterval = 365 * 24 * 3600
    /// The longest any other call may take before the API is considered gone.
    static let callTimeout: TimeInterval = 60

    private let session: URLSession
    private let baseURL: String

    /// - Parameter endpoint: `host:port`, as in `AWS_LAMBDA_RUNTIME_API`.
    public init(endpoint: String) {
        baseURL = endpoint.contains("://") ? endpoint : "http://" + endpoint
        URLSessionTransport.bypassProxies(for: URLSessionTransport.host(of: endpoint))
        session = .withoutStorage(timeout: URLSessionTransport.idleTimeout)
    }

    public func send(_ request: RuntimeRequest) async throws -> HTTPResponse {
        guard let url = URL(string: baseURL + request.path) else { throw URLError(.badURL) }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method.rawValue
        urlRequest.timeoutInterval = request.waitsForEvent ? URLSessionTransport.idleTimeout : URLSessionTransport.callTimeout
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        if request.method == .post {
            urlRequest.httpBody = Data(request.body)
        }
        return try await session.exchange(urlRequest)
    }

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
