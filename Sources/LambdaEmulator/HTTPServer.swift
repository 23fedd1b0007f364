import Foundation
import Glibc
import Synchronization

/// A parsed HTTP/1.1 request.
struct HTTPRequest {
    var method: String
    var path: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var keepAlive: Bool

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A response, plus what to do if it cannot be delivered (the peer went away).
struct HTTPResponse {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var onDeliveryFailure: (() -> Void)? = nil

    static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    static func reason(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Payload Too Large"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        default: "Status"
        }
    }
}

/// A small threaded HTTP/1.1 server on loopback: one thread per connection, so a handler may
/// block (as `/next` does) without holding up anyone else. Like AWS's emulator it has no
/// authentication: any local process may talk to it. It bounds what a client can take: at most
/// `maximumConnections` at once, and a connection that stays silent for `idleTimeout` (between
/// requests or in the middle of one) is closed.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (HTTPRequest, _ connection: ConnectionInfo) -> HTTPResponse

    struct ConnectionInfo: Sendable {
        /// Stamped at accept time, so the Runtime API can tell connections of an old runtime process.
        let generation: Int
    }

    let port: UInt16
    private let listener: Int32
    private let connections = Atomic<Int>(0)
    /// Bodies beyond this are refused before they are read.
    static let maximumBodyBytes = 64 << 20
    static let maximumHeaderBytes = 64 << 10
    static let maximumConnections = 64
    /// How long a connection may stay silent.
    let idleTimeout: Duration

    init(port: UInt16, idleTimeout: Duration) throws {
        self.idleTimeout = idleTimeout
        // Close-on-exec throughout: a runtime started while a client is connected must not
        // inherit that connection, or the client never sees it close.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EmulatorError("socket() failed: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw EmulatorError("cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            _ = $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
    }

    /// Accepts connections on a background thread until the process exits.
    func start(generation: @escaping @Sendable () -> Int, handler: @escaping Handler) {
        let listener = self.listener
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    usleep(10_000)
                    continue
                }
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                var yes: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
                let connection = HTTPConnection(descriptor: client, idleTimeout: self.idleTimeout)
                guard self.connections.add(1, ordering: .relaxed).newValue <= HTTPServer.maximumConnections else {
                    self.connections.subtract(1, ordering: .relaxed)
                    connection.refuse(HTTPResponse.json(503, Array("{\"errorMessage\":\"too many connections\"}".utf8)))
                    continue
                }
                let info = ConnectionInfo(generation: generation())
                Thread.detachNewThread {
                    connection.serve(info: info, handler: handler)
                    self.connections.subtract(1, ordering: .relaxed)
                }
            }
        }
    }
}

/// Reads requests from one connection and writes the handler's responses, keeping it alive
/// as long as the client does.
final class HTTPConnection: @unchecked Sendable {
    private let descriptor: Int32
    private let idleTimeout: Duration
    private var buffer: [UInt8] = []
    private var start = 0
    /// What one `recv` reads: small, since every connection has its own.
    private static let readSize = 16 << 10

    init(descriptor: Int32, idleTimeout: Duration) {
        self.descriptor = descriptor
        self.idleTimeout = idleTimeout
    }

    /// Answers `response` and closes, without reading a request.
    func refuse(_ response: HTTPResponse) {
        _ = write(response, keepAlive: false)
        close(descriptor)
    }

    func serve(info: HTTPServer.ConnectionInfo, handler: HTTPServer.Handler) {
        defer { close(descriptor) }
        while true {
            let request: HTTPRequest
            do {
                guard let next = try readRequest() else { return }
                request = next
            } catch let error as HTTPParseError {
                if error.status > 0 {
                    _ = write(HTTPResponse.json(error.status, Array("{\"errorMessage\":\"\(error.message)\"}".utf8)), keepAlive: false)
                }
                return
            } catch {
                return
            }
            let response = handler(request, info)
            if !write(response, keepAlive: request.keepAlive) {
                response.onDeliveryFailure?()
                return
            }
            if !request.keepAlive { return }
        }
    }

    // MARK: Reading

    struct HTTPParseError: Error {
        /// The status to answer with; 0 to close without answering.
        let status: Int
        let message: String

        static let idle = HTTPParseError(status: 0, message: "idle")
    }

    /// The next request, or nil when the peer closed the connection between requests.
    private func readRequest() throws -> HTTPRequest? {
        // How many bytes after `start` have been searched: `fill()` may move `start`, never this.
        var scanned = 0
        var headerEnd: Int
        while true {
            if let end = findHeaderEnd(from: start + max(0, scanned - 3)) {
                headerEnd = end
                break
            }
            scanned = buffer.count - start
            guard scanned < HTTPServer.maximumHeaderBytes else {
                throw HTTPParseError(status: 431, message: "request headers too large")
            }
            guard try fill() else {
                if buffer.count == start { return nil }
                throw HTTPParseError(status: 400, message: "connection closed mid-request")
            }
        }
        let head = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
        start = headerEnd + 4
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).makeIterator()
        let requestLine = (lines.next() ?? "").split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            throw HTTPParseError(status: 400, message: "malformed request line")
        }
        var headers: [(name: String, value: String)] = []
        while let line = lines.next(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPParseError(status: 400, message: "malformed header") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var request = HTTPRequest(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: [], keepAlive: true)
        let connection = request.header("Connection")?.lowercased()
        request.keepAlive = requestLine[2] == "HTTP/1.1" ? connection != "close" : connection == "keep-alive"

        if request.header("Expect")?.lowercased() == "100-continue" {
            guard send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return nil }
        }
        // Framing must be unambiguous (RFC 9112 §6.3): a body is delimited one way only.
        let lengths = Set(headers.filter { $0.name.caseInsensitiveCompare("Content-Length") == .orderedSame }.map(\.value))
        let chunked = request.header("Transfer-Encoding")?.lowercased().contains("chunked") == true
        guard lengths.count <= 1, !(chunked && !lengths.isEmpty) else {
            throw HTTPParseError(status: 400, message: "conflicting Content-Length or Transfer-Encoding headers")
        }
        if chunked {
            request.body = try readChunkedBody()
        } else if let lengthText = lengths.first {
            guard let length = Int(lengthText), length >= 0 else { throw HTTPParseError(status: 400, message: "bad Content-Length") }
            guard length <= HTTPServer.maximumBodyBytes else { throw HTTPParseError(status: 413, message: "body too large") }
            request.body = try readExactly(length)
        }
        return request
    }

    private func findHeaderEnd(from index: Int) -> Int? {
        var i = index
        while i + 3 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count - start < count {
            guard try fill() else { throw HTTPParseError(status: 400, message: "connection closed mid-body") }
        }
        let body = Array(buffer[start..<(start + count)])
        start += count
        return body
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer[start...].firstIndex(of: 10) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard buffer.count - start < HTTPServer.maximumHeaderBytes, try fill() else {
                throw HTTPParseError(status: 400, message: "malformed chunked body")
            }
        }
    }

    private func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeField = try readLine().split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeField.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw HTTPParseError(status: 400, message: "bad chunk size")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            guard body.count + size <= HTTPServer.maximumBodyBytes else { throw HTTPParseError(status: 413, message: "body too large") }
            body += try readExactly(size)
            guard try readLine().isEmpty else { throw HTTPParseError(status: 400, message: "bad chunk terminator") }
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > (1 << 20) {
            buffer.removeFirst(start)
            start = 0
        }
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let timeout = Int32(min(Double(Int32.max), idleTimeout / .milliseconds(1)))
        while true {
            let polled = poll(&ready, 1, timeout)
            if polled < 0 && errno == EINTR { continue }
            guard polled > 0 else { throw HTTPParseError.idle }
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: HTTPConnection.readSize))
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + old, HTTPConnection.readSize, 0) }
            buffer.removeLast(HTTPConnection.readSize - max(0, received))
            if received < 0 && errno == EINTR { continue }
            if received < 0 { throw HTTPParseError(status: 400, message: "read failed") }
            return received > 0
        }
    }

    // MARK: Writing

    private func write(_ response: HTTPResponse, keepAlive: Bool) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(HTTPResponse.reason(for: response.status))\r\n"
        for header in response.headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        return send(Array(head.utf8) + response.body)
    }

    private func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += sent
            }
            return true
        }
    }
}

struct EmulatorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
