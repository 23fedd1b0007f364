import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// HTTP through one long-lived URLSession, used the way that costs least CPU on Linux
/// (completion handlers: no delegate hop per 16 KB piece) and with what URLSession lacks there:
///
/// - a total deadline, by cancelling the task when it passes (URLSession's own timeout is an idle
///   timeout that restarts with every piece, and its resource timeout does nothing on Linux);
/// - redirects refused, delivered as the 3xx response they are;
/// - nothing stored: no cache, cookies or credentials (`URLSession.shared` writes a disk cache);
/// - errors that name the server without credentials, and say what happened.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    /// A transport with its own session, kept for the life of the process.
    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
    }

    /// Performs one exchange, ending it at the request's deadline.
    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        let start = ContinuousClock.now
        if let deadline = request.deadline, deadline <= start {
            throw HTTPTransportError(.deadlineExceeded, server: HTTPTransportError.server(of: request.url), limit: .zero)
        }
        let (data, response, error, deadlinePassed) = await withCheckedContinuation { continuation in
            let watched = Mutex<DeadlineWatch.Entry?>(nil)
            let task = session.dataTask(with: URLSessionTransport.urlRequest(for: request)) { data, response, error in
                let passed = watched.withLock { $0.map(DeadlineWatch.shared.finish) } ?? false
                continuation.resume(returning: (data, response, error, passed))
            }
            if let deadline = request.deadline {
                watched.withLock { $0 = DeadlineWatch.shared.watch(task, until: deadline) }
            }
            task.resume()
        }
        if let error {
            throw HTTPTransportError(URLSessionTransport.kind(of: error, deadlinePassed: deadlinePassed),
                                     server: HTTPTransportError.server(of: request.url),
                                     limit: deadlinePassed ? request.deadline.map { $0 - start } : request.idleTimeout)
        }
        guard let http = response as? HTTPURLResponse else {
            throw HTTPTransportError(.badResponse, server: HTTPTransportError.server(of: request.url))
        }
        return HTTPResponse(http, body: data ?? Data())
    }

    /// The URLRequest for `request`.
    static func urlRequest(for request: HTTPRequest) -> URLRequest {
        var urlRequest = URLRequest(url: withoutCredentials(request.url))
        // GET is the default, and setting a method costs a microsecond.
        if request.method != "GET" {
            urlRequest.httpMethod = request.method
            urlRequest.httpBody = sharing(request.body)
        }
        // FoundationNetworking counts whole seconds, times out at once on 0 and traps on infinity.
        let idle = request.idleTimeout.components
        urlRequest.timeoutInterval = max(1, Double(idle.seconds) + (idle.attoseconds > 0 ? 1 : 0))
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        if request.closesConnection {
            urlRequest.setValue("close", forHTTPHeaderField: "Connection")
        }
        return urlRequest
    }

    /// `bytes` as Data without copying them (a response can be 6 MB): the Data keeps the array
    /// alive, and an array's storage neither moves nor changes while another copy of it exists.
    static func sharing(_ bytes: [UInt8]) -> Data {
        guard !bytes.isEmpty else { return Data() }
        let start = bytes.withUnsafeBufferPointer { UnsafeMutableRawPointer(mutating: $0.baseAddress!) }
        return Data(bytesNoCopy: start, count: bytes.count, deallocator: .custom { _, _ in withExtendedLifetime(bytes) {} })
    }

    /// `url` without a user or password: AWS endpoints authenticate by signature, and a
    /// password must never travel or be shown.
    static func withoutCredentials(_ url: URL) -> URL {
        guard url.user != nil || url.password != nil, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return url
        }
        components.user = nil
        components.password = nil
        return components.url ?? url
    }

    static func kind(of error: any Error, deadlinePassed: Bool) -> HTTPTransportError.Kind {
        let code = (error as? URLError)?.code.rawValue ?? (error as NSError).code
        switch code {
        case NSURLErrorCancelled where deadlinePassed: return .deadlineExceeded
        case NSURLErrorTimedOut: return .idleTimeout
        case NSURLErrorCannotConnectToHost: return .connectionRefused
        case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed: return .unknownHost
        case NSURLErrorNetworkConnectionLost, NSURLErrorNotConnectedToInternet: return .connectionLost
        case NSURLErrorBadServerResponse, NSURLErrorZeroByteResource: return .badResponse
        case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateUntrusted,
             NSURLErrorServerCertificateHasUnknownRoot, NSURLErrorServerCertificateNotYetValid, NSURLErrorClientCertificateRejected,
             NSURLErrorClientCertificateRequired, NSURLErrorCannotLoadFromNetwork:
            return .tls
        default: return .other(code: code)
        }
    }
}

/// Delivers a redirect as the 3xx response it is: neither the Runtime API nor AWS redirect, and
/// following one would send a function's output, or a signed request, wherever `Location` says.
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
