import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The floor of a URLSession runtime: a loop that only does `GET /next` and posts a response,
/// made with one of the ways URLSession offers. The response is the file named by the event's
/// size in RESPONSES (what `bootstrap` answers to that event, so that both move the same bytes),
/// or else the event itself. `./build.sh bench` measures each way against `bootstrap`.
///
/// usage: bare-runtime-loop [async|completion|delegate|upload|stream|completion-close] [RESPONSES]
enum Style: String, CaseIterable {
    /// `data(for:)` for both calls.
    case async
    /// `dataTask(with:completionHandler:)` for both, the body in `httpBody`.
    case completion
    /// As `completion`, with `Connection: close` on `/next` so that each response goes out on a
    /// fresh connection: what avoiding stale connections that way would cost.
    case completionClose = "completion-close"
    /// A data delegate collecting `/next` into a buffer sized from `Content-Length`, and the
    /// response in `httpBody`.
    case delegate
    /// `uploadTask(with:from:completionHandler:)` for the response.
    case upload
    /// The response as `httpBodyStream`.
    case stream
}

let style = CommandLine.arguments.count > 1 ? Style(rawValue: CommandLine.arguments[1]) : .async
guard let style, let api = ProcessInfo.processInfo.environment["AWS_LAMBDA_RUNTIME_API"] else {
    FileHandle.standardError.write(Data("usage: bare-runtime-loop [\(Style.allCases.map(\.rawValue).joined(separator: "|"))] [RESPONSES] (under a Runtime API)\n".utf8))
    exit(2)
}
let base = "http://\(api)/2018-06-01/runtime/invocation/"
let responses = CommandLine.arguments.count > 2 ? URL(fileURLWithPath: CommandLine.arguments[2]) : nil

/// What to post for `event`: prepared before the loop, so that looking it up costs nothing.
let responseForSize: [Int: Data] = {
    guard let responses, let names = try? FileManager.default.contentsOfDirectory(atPath: responses.path) else { return [:] }
    var table: [Int: Data] = [:]
    for name in names {
        if let size = Int(name), let data = try? Data(contentsOf: responses.appendingPathComponent(name)) { table[size] = data }
    }
    return table
}()

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

/// Collects a response body into one buffer sized from `Content-Length`.
final class Collector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    var body: [UInt8] = []
    var response: URLResponse?
    var done: ((Error?) -> Void)?

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        self.response = response
        body = []
        body.reserveCapacity(max(0, Int(response.expectedContentLength)))
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        data.withUnsafeBytes { body.append(contentsOf: $0.bindMemory(to: UInt8.self)) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        done?(error)
    }
}

let configuration = URLSessionConfiguration.ephemeral
configuration.urlCache = nil
configuration.httpCookieStorage = nil
configuration.httpCookieAcceptPolicy = .never
configuration.httpShouldSetCookies = false
configuration.urlCredentialStorage = nil
configuration.timeoutIntervalForRequest = 365 * 24 * 3600
let collector = Collector()
let delegateQueue = OperationQueue()
delegateQueue.maxConcurrentOperationCount = 1
let session = style == .delegate
    ? URLSession(configuration: configuration, delegate: collector, delegateQueue: delegateQueue)
    : URLSession(configuration: configuration)

func next() async throws -> (id: String, body: Data) {
    var request = URLRequest(url: URL(string: base + "next")!)
    if style == .completionClose { request.setValue("close", forHTTPHeaderField: "Connection") }
    switch style {
    case .async:
        let (data, response) = try await session.data(for: request)
        return ((response as! HTTPURLResponse).value(forHTTPHeaderField: "Lambda-Runtime-Aws-Request-Id")!, data)
    case .delegate:
        return try await withCheckedThrowingContinuation { continuation in
            collector.done = { error in
                if let error { return continuation.resume(throwing: error) }
                let id = (collector.response as! HTTPURLResponse).value(forHTTPHeaderField: "Lambda-Runtime-Aws-Request-Id")!
                continuation.resume(returning: (id, Data(collector.body)))
            }
            session.dataTask(with: request).resume()
        }
    case .completion, .completionClose, .upload, .stream:
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                continuation.resume(returning: ((response as! HTTPURLResponse).value(forHTTPHeaderField: "Lambda-Runtime-Aws-Request-Id")!, data!))
            }.resume()
        }
    }
}

func respond(_ id: String, _ body: Data) async throws {
    var request = URLRequest(url: URL(string: base + id + "/response")!)
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    switch style {
    case .async:
        request.httpBody = body
        _ = try await session.data(for: request)
    case .delegate:
        request.httpBody = body
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            collector.done = { error in if let error { continuation.resume(throwing: error) } else { continuation.resume() } }
            session.dataTask(with: request).resume()
        }
    case .completion, .completionClose, .stream:
        if style == .stream {
            // Sent chunked: FoundationNetworking adds `Transfer-Encoding: chunked` even next to
            // a Content-Length, which a server must then refuse.
            request.httpBodyStream = InputStream(data: body)
        } else {
            request.httpBody = body
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            session.dataTask(with: request) { _, _, error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }.resume()
        }
    case .upload:
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            session.uploadTask(with: request, from: body) { _, _, error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }.resume()
        }
    }
}

Task.detached {
    do {
        while true {
            let (id, event) = try await next()
            guard let response = responses == nil ? event : responseForSize[event.count] else {
                throw BenchError(description: "no response for an event of \(event.count) bytes in \(responses!.path)")
            }
            try await respond(id, response)
        }
    } catch {
        FileHandle.standardError.write(Data("bare-runtime-loop: \(error)\n".utf8))
        exit(1)
    }
}
dispatchMain()
