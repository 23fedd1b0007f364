import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTPS exchange with an AWS endpoint.
public struct HTTPRequest: Sendable {
    public var url: URL
    public var method: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header values keyed by lowercased name.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }
}

/// How the EMR client reaches AWS. Tests substitute a stub to play throttling and failures.
public protocol HTTPTransport: Sendable {
    /// Throws only when no HTTP response arrived; an error status is a normal response.
    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse
}

/// HTTPS through one ephemeral `URLSession` (no cache, no cookies), kept for the process's life.
public final class URLSessionHTTPTransport: HTTPTransport {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = max(1, timeout)
        for header in request.headers where header.name.lowercased() != "host" {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.httpBody = Data(request.body)
        let (data, response) = try await session.data(for: urlRequest)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for case let (name as String, value as String) in http.allHeaderFields { headers[name] = value }
        return HTTPResponse(status: http.statusCode, headers: headers, body: [UInt8](data))
    }
}
