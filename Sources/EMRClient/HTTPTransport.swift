import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPExchange

/// One HTTPS exchange with an AWS endpoint.
public struct HTTPRequest: Sendable {
    public var url: URL
    public var method: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
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
        session = .withoutStorage()
    }

    public func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = max(1, timeout)
        for header in request.headers where header.name.lowercased() != "host" {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.httpBody = Data(request.body)
        return try await session.exchange(urlRequest)
    }
}
