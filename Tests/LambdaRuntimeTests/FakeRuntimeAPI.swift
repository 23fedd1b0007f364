import Foundation
import HTTPClient
import Synchronization
@testable import LambdaRuntime

/// A scripted Runtime API: serves queued events on `/next`, records every request, and answers
/// posts with configurable statuses. When the events run out, `/next` answers 500.
final class FakeRuntimeAPI: HTTPTransport {
    struct Event {
        var body: Data
        var headers: [String: String]
    }

    private struct State {
        var events: [Event] = []
        var requests: [HTTPRequest] = []
        var postStatuses: [Int] = []
        var failNextWithConnectionError = false
    }

    private let state = Mutex(State())

    init(events: [Event] = []) {
        state.withLock { $0.events = events }
    }

    static func event(_ body: String, requestID: String = "req-1", extraHeaders: [String: String] = [:]) -> Event {
        var headers = [
            "Lambda-Runtime-Aws-Request-Id": requestID,
            "Lambda-Runtime-Deadline-Ms": "1893456000000",
            "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:123456789012:function:f",
        ]
        headers.merge(extraHeaders) { _, new in new }
        return Event(body: Data(body.utf8), headers: headers)
    }

    /// Statuses for the next posts, in order (default 202).
    func answerPosts(with statuses: [Int]) { state.withLock { $0.postStatuses = statuses } }

    func loseConnectionOnNext() { state.withLock { $0.failNextWithConnectionError = true } }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    var posts: [HTTPRequest] { requests.filter { $0.method == "POST" } }

    func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        try state.withLock { state throws(HTTPTransportError) in
            state.requests.append(request)
            if request.method == "GET" {
                if state.failNextWithConnectionError { throw HTTPTransportError(.connectionLost, server: "fake") }
                guard !state.events.isEmpty else { return HTTPResponse(status: 500, body: Data("{\"errorType\":\"ServiceException\"}".utf8)) }
                let event = state.events.removeFirst()
                return HTTPResponse(status: 200, headers: event.headers, body: event.body)
            }
            let status = state.postStatuses.isEmpty ? 202 : state.postStatuses.removeFirst()
            return HTTPResponse(status: status, body: Data("{\"status\":\"OK\"}".utf8))
        }
    }
}

/// Collects log lines.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var sink: LambdaLogger.Sink {
        { line in self.lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) } }
    }

    var all: [String] { lines.withLock { $0 } }
}

extension HTTPRequest {
    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var path: String { url.path }
}
