import FirehoseTransform
import Foundation
import Glibc
import LambdaRuntime
import S3EMRTrigger

/// Paths and process helpers shared by the integration tests.
enum Harness {
    /// Where SwiftPM put the products this test bundle was built with.
    static let productsDirectory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: url.appendingPathComponent("streaming-lambdas").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// The handlers `bootstrap` serves (Sources/Functions/main.swift), for tests that build them
    /// in-process; `anUnknownHandlerIsAnInitError` checks the binary agrees.
    static let handlers: HandlerCatalog = [.firehoseTransform(), .s3EMRTrigger]

    static var emulator: String { productsDirectory.appendingPathComponent("lambda-emulator").path }
    /// The functions' binary, `bootstrap` in the Lambda zip.
    static var bootstrap: String { productsDirectory.appendingPathComponent("streaming-lambdas").path }

    /// The package root, for `events/` and `build.sh`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func event(_ name: String) throws -> Data {
        try Data(contentsOf: packageRoot.appendingPathComponent("events").appendingPathComponent(name))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs a program to completion, capturing its output through files (no pipe deadlocks).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    removing: [String] = [], stdin: Data? = nil) throws -> Result {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout")
        let err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        for name in removing { merged[name] = nil }
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let stdin {
            let input = directory.appendingPathComponent("stdin")
            try stdin.write(to: input)
            process.standardInput = try FileHandle(forReadingFrom: input)
        }
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: try Data(contentsOf: out),
                      stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// `lambda-emulator invoke HANDLER EVENT ...` on an event given as bytes.
    static func invoke(_ handler: String, event: Data, options: [String] = [], environment: [String: String] = [:],
                       runtime: [String] = []) throws -> Result {
        try run(emulator, ["invoke", handler, "-"] + options + (runtime.isEmpty ? [] : ["--"] + runtime),
                environment: environment, stdin: event)
    }

    /// A loopback port that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw HarnessError(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The port a server writes to `file` once it listens, waiting up to 5 s for it.
    static func port(writtenTo file: URL) -> Int? {
        for _ in 0..<200 {
            if let port = (try? String(contentsOf: file, encoding: .utf8)).flatMap({ Int($0) }) { return port }
            usleep(25_000)
        }
        return nil
    }

    /// The Python that has the PyPI test tools: `.build/venv`, where `./build.sh test` installs
    /// them, else whatever `python3` is on PATH.
    static let toolPython: String = {
        let venv = packageRoot.appendingPathComponent(".build/venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }()

    /// A command-line tool from `.build/venv` (such as cfn-lint), else from PATH.
    static func tool(_ name: String) -> String {
        let venv = packageRoot.appendingPathComponent(".build/venv/bin/\(name)").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : name
    }

    /// Whether the tools' Python can import these modules (test tools such as moto).
    static func pythonHas(_ modules: String) -> Bool {
        (try? run("/usr/bin/env", [toolPython, "-c", "import \(modules)"]))?.status == 0
    }

    /// How a test names a PyPI tool it lacks.
    static func missingPyPI(_ requirement: String) -> String {
        "\(requirement) is not installed: ./build.sh test installs it into .build/venv (it needs PyPI)"
    }

    /// What `./build.sh VERB` needs and this machine lacks (`./build.sh missing VERB`).
    static func missing(for verb: String) -> [String] {
        let result = try? run(packageRoot.appendingPathComponent("build.sh").path, ["missing", verb])
        return result?.stdoutText.split(separator: "\n").map(String.init) ?? ["a working ./build.sh"]
    }

    /// CI sets this: tests that need a tool must run, not skip.
    static var integrationRequired: Bool { ProcessInfo.processInfo.environment["REQUIRE_INTEGRATION"] == "1" }

    /// A fake runtime written in Python, for behaviour our own runtime never shows.
    static func pythonRuntime(_ body: String) -> [String] {
        let prelude = """
            import http.client, json, os, sys, time
            api = os.environ["AWS_LAMBDA_RUNTIME_API"]
            def call(method, path, body=None, headers={}):
                c = http.client.HTTPConnection(api)
                c.request(method, "/2018-06-01/runtime" + path, body, headers)
                r = c.getresponse()
                return r.status, dict(r.getheaders()), r.read()

            """
        return ["/usr/bin/env", "python3", "-c", prelude + body]
    }
}

/// A `lambda-emulator serve` process for the duration of a test.
final class ServedFunction {
    let process = Process()
    let port: Int
    let stderrFile: URL
    private let directory: URL

    init(handler: String, options: [String] = [], environment: [String: String] = [:], runtime: [String] = []) throws {
        directory = try Harness.temporaryDirectory()
        let portFile = directory.appendingPathComponent("port")
        stderrFile = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Harness.emulator)
        process.arguments = ["serve", handler, "--port", "0", "--port-file", portFile.path] + options
            + (runtime.isEmpty ? [] : ["--"] + runtime)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        guard let port = Harness.port(writtenTo: portFile) else {
            process.terminate()
            throw HarnessError(description: "the emulator did not start")
        }
        self.port = port
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Invokes through the Runtime Interface Emulator endpoint, as `curl` would.
    func invoke(_ body: Data, chunked: Bool = false) throws -> HTTPReply {
        try HTTPReply.post(port: port, path: "/2015-03-31/functions/function/invocations", body: body, chunked: chunked)
    }
}

/// One HTTP/1.1 exchange over a plain socket, so tests see exactly what the server sends.
struct HTTPReply {
    let status: Int
    let headers: [String: String]
    let body: Data

    static func post(port: Int, path: String, body: Data, chunked: Bool = false) throws -> HTTPReply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError(description: "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError(description: "cannot connect to port \(port)") }
        var request = Data("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".utf8)
        if chunked {
            request += Data("Transfer-Encoding: chunked\r\n\r\n".utf8)
            var offset = 0
            while offset < body.count {
                let piece = body[body.startIndex + offset..<body.startIndex + min(body.count, offset + 7)]
                request += Data("\(String(piece.count, radix: 16))\r\n".utf8) + piece + Data("\r\n".utf8)
                offset += piece.count
            }
            request += Data("0\r\n\r\n".utf8)
        } else {
            request += Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body
        }
        try request.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw HarnessError(description: "send failed") }
                sent += n
            }
        }
        var reply = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply.append(contentsOf: buffer[0..<n])
        }
        guard let split = reply.range(of: Data("\r\n\r\n".utf8)) else { throw HarnessError(description: "no HTTP reply") }
        let head = String(decoding: reply[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPReply(status: status, headers: headers, body: reply[split.upperBound...])
    }
}

/// Raw sockets, for requests no HTTP client would send.
enum RawHTTP {
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, connected == 0 else {
            if fd >= 0 { close(fd) }
            throw HarnessError(description: "cannot connect to port \(port)")
        }
        return fd
    }

    /// What arrives on `fd` until it closes or `waiting` passes without a byte.
    static func read(_ fd: Int32, waiting: Duration) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&ready, 1, Int32(waiting.components.seconds * 1000)) > 0 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Sends `request` as written and returns the reply.
    static func exchange(port: Int, _ request: String) throws -> String {
        let fd = try connect(port: port)
        defer { close(fd) }
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return read(fd, waiting: .seconds(5))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
}
