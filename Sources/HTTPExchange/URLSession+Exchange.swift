import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// One session for the life of the process that stores nothing: ephemeral, and no cache,
    /// cookies or credentials (`URLSession.shared` writes a cache to disk).
    public static func withoutStorage(timeout: TimeInterval? = nil) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        if let timeout {
            configuration.timeoutIntervalForRequest = timeout
            configuration.timeoutIntervalForResource = timeout
        }
        return URLSession(configuration: configuration)
    }

    /// Sends `request` and collects the whole response. Throws only when no HTTP response
    /// arrived; an HTTP error status is a normal response.
    public func exchange(_ request: URLRequest) async throws -> HTTPResponse {
        let (data, response) = try await data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for case let (name as String, value as String) in http.allHeaderFields {
            headers[name] = value
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: [UInt8](data))
    }
}
