import ByteJSON
import LambdaRuntime
import Foundation
import Glibc

/// What an invocation came to.
enum InvocationResult {
    case success([UInt8])
    /// `body` is the error JSON, as Lambda's Invoke API would return it.
    case failure(errorType: String, body: [UInt8])

    static func error(_ errorType: String, _ message: String) -> InvocationResult {
        var writer = JSONWriter()
        writer.append(raw: "{\"errorMessage\":")
        writer.appendString(message)
        writer.append(raw: ",\"errorType\":")
        writer.appendString(errorType)
        writer.append(UInt8(ascii: "}"))
        return .failure(errorType: errorType, body: writer.bytes)
    }
}

/// An event on its way through the emulator. Guarded by the broker's lock.
final class PendingInvocation {
    let requestID = UUID().uuidString.lowercased()
    let event: [UInt8]
    let clientContext: String?
    let cognitoIdentity: String?
    var deliveredAt: Date?
    var responseWasTooLarge = false
    var result: InvocationResult?

    init(event: [UInt8], clientContext: String?, cognitoIdentity: String?) {
        self.event = event
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
    }
}

/// The emulated Lambda service: it starts the runtime, serves the Runtime API to it, and
/// enforces Lambda's rules: one invocation at a time, the timeout (which kills the runtime),
/// the 6 MB response limit, init errors and runtime crashes.
final class RuntimeAPIBroker: @unchecked Sendable {
    struct Configuration {
        var command: [String]
        var environment: [String: String]
        var functionName: String
        var functionARN: String
        var timeout: Double
        var memorySize: Int
        var printReports: Bool
        /// Where to write each new runtime's process id.
        var pidFile: String?
    }

    static let initTimeout: Double = 10

    let configuration: Configuration
    private let invocations = NSLock()
    /// Guards everything below.
    private let state = NSCondition()
    private var process: RuntimeProcess?
    private var generation = 0
    private var exitStatus: ExitStatus?
    private var spawnedAt = Date()
    private var initDuration: Double?
    private var initError: InvocationResult?
    private var coldStartPending = true
    private var waiting: PendingInvocation?
    private var inFlight: PendingInvocation?
    private var peakMemoryKilobytes = 0

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The generation of the current runtime process; connections are stamped with it.
    func currentGeneration() -> Int {
        state.lock()
        defer { state.unlock() }
        return generation
    }

    /// The runtime's peak memory over all invocations so far.
    var peakMemoryMegabytes: Int {
        state.lock()
        defer { state.unlock() }
        return (peakMemoryKilobytes + 1023) / 1024
    }

    /// Starts the runtime now, as Lambda does when it creates an environment.
    func startRuntime() throws {
        state.lock()
        defer { state.unlock() }
        try spawnIfNeeded()
    }

    /// Kills the runtime (at exit).
    func shutdown() {
        state.lock()
        let process = self.process
        state.unlock()
        process?.kill(signal: SIGTERM)
        usleep(100_000)
        process?.kill()
    }

    private func spawnIfNeeded() throws {
        if process != nil && exitStatus == nil { return }
        generation += 1
        exitStatus = nil
        initError = nil
        initDuration = nil
        coldStartPending = true
        spawnedAt = Date()
        let generation = self.generation
        process = try RuntimeProcess(command: configuration.command, environment: configuration.environment) { [weak self] status, peak in
            self?.runtimeExited(status, peakKilobytes: peak, generation: generation)
        }
        if let pidFile = configuration.pidFile, let pid = process?.pid {
            try String(pid).write(toFile: pidFile, atomically: true, encoding: .utf8)
        }
    }

    private func runtimeExited(_ status: ExitStatus, peakKilobytes: Int, generation: Int) {
        state.lock()
        defer { state.unlock() }
        // The kernel's account of the process's peak, which outlives it (a crash included).
        peakMemoryKilobytes = max(peakMemoryKilobytes, peakKilobytes)
        guard generation == self.generation else { return }
        exitStatus = status
        self.generation += 1
        state.broadcast()
    }

    // MARK: Invoking

    /// The error Lambda's Invoke API answers for an event over its limit, before any function runs.
    static let eventTooLarge = InvocationResult.error(
        "RequestEntityTooLargeException", "Request must be smaller than \(LambdaLimits.requestBytes) bytes for the InvokeFunction operation")

    /// Runs one event through the runtime and waits for its result.
    func invoke(_ event: [UInt8], clientContext: String? = nil, cognitoIdentity: String? = nil) -> InvocationResult {
        guard event.count <= LambdaLimits.requestBytes else { return RuntimeAPIBroker.eventTooLarge }
        invocations.lock()
        defer { invocations.unlock() }
        state.lock()
        defer { state.unlock() }

        let invocation = PendingInvocation(event: event, clientContext: clientContext, cognitoIdentity: cognitoIdentity)
        do {
            try spawnIfNeeded()
        } catch {
            return .error("Runtime.InvalidEntrypoint", "RequestId: \(invocation.requestID) Error: \(error)")
        }
        let runtimeGeneration = generation
        waiting = invocation
        state.broadcast()

        let result = awaitResult(of: invocation, runtimeGeneration: runtimeGeneration)
        if waiting === invocation { waiting = nil }
        if inFlight === invocation { inFlight = nil }
        if let peak = process?.peakMemoryKilobytes { peakMemoryKilobytes = max(peakMemoryKilobytes, peak) }
        report(invocation, result: result)
        return result
    }

    /// Waits (lock held) until the invocation has a result, the runtime fails, or time runs out.
    private func awaitResult(of invocation: PendingInvocation, runtimeGeneration: Int) -> InvocationResult {
        let invokedAt = Date()
        while true {
            if let result = invocation.result { return result }
            if let initError { return initError }
            if generation != runtimeGeneration {
                let status = exitStatus.map(String.init(describing:)) ?? "runtime restarted"
                return .error("Runtime.ExitError", "RequestId: \(invocation.requestID) Error: Runtime exited with error: \(status)")
            }
            let (phase, limit, deadline) = currentDeadline(for: invocation, invokedAt: invokedAt)
            if Date() >= deadline {
                killRuntime()
                return .error("Sandbox.Timedout", "RequestId: \(invocation.requestID) Error: \(phase) timed out after \(String(format: "%.2f", limit)) seconds")
            }
            _ = state.wait(until: deadline)
        }
    }

    /// Which limit applies now: the init timeout until the runtime first asks for an event, then
    /// the function's timeout from the moment the event is handed over.
    private func currentDeadline(for invocation: PendingInvocation, invokedAt: Date) -> (phase: String, limit: Double, deadline: Date) {
        if let deliveredAt = invocation.deliveredAt {
            return ("Task", configuration.timeout, deliveredAt.addingTimeInterval(configuration.timeout))
        }
        if initDuration == nil {
            return ("Init", RuntimeAPIBroker.initTimeout, spawnedAt.addingTimeInterval(RuntimeAPIBroker.initTimeout))
        }
        return ("Task", configuration.timeout, invokedAt.addingTimeInterval(configuration.timeout))
    }

    /// Kills the runtime and waits (lock held) until its exit is recorded.
    private func killRuntime() {
        guard let process, exitStatus == nil else { return }
        let generation = self.generation
        process.kill()
        while self.generation == generation { state.wait() }
    }

    private func report(_ invocation: PendingInvocation, result: InvocationResult) {
        guard configuration.printReports else { return }
        let duration = invocation.deliveredAt.map { Date().timeIntervalSince($0) * 1000 } ?? 0
        var line = "END RequestId: \(invocation.requestID)\n"
        line += "REPORT RequestId: \(invocation.requestID)\tDuration: \(String(format: "%.2f", duration)) ms"
        var billed = duration
        if coldStartPending, let initDuration {
            billed += initDuration
        }
        line += "\tBilled Duration: \(Int(billed.rounded(.up))) ms\tMemory Size: \(configuration.memorySize) MB"
        line += "\tMax Memory Used: \((peakMemoryKilobytes + 1023) / 1024) MB"
        if coldStartPending, let initDuration {
            line += "\tInit Duration: \(String(format: "%.2f", initDuration)) ms"
            coldStartPending = false
        }
        if case .failure(let errorType, _) = result { line += "\tStatus: error\tError Type: \(errorType)" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    // MARK: The Runtime API

    static let runtimePrefix = "/2018-06-01/runtime/"
    static let invokePath = "/2015-03-31/functions/function/invocations"

    /// Routes one HTTP request from the runtime (or an invoker).
    func route(_ request: HTTPRequest, connection: HTTPServer.ConnectionInfo) -> HTTPResponse {
        let path = String(request.path.prefix { $0 != "?" })
        if path == RuntimeAPIBroker.invokePath {
            guard request.method == "POST" else { return RuntimeAPIBroker.errorResponse(405, "MethodNotAllowed", "use POST") }
            return invokeEndpoint(request)
        }
        guard path.hasPrefix(RuntimeAPIBroker.runtimePrefix) else {
            return RuntimeAPIBroker.errorResponse(404, "NotFound", "no such endpoint: \(path)")
        }
        let parts = path.dropFirst(RuntimeAPIBroker.runtimePrefix.count).split(separator: "/").map(String.init)
        switch (request.method, parts.count, parts.first, parts.last) {
        case ("GET", 2, "invocation", "next"):
            return next(connection: connection)
        case ("POST", 3, "invocation", "response"):
            return response(requestID: parts[1], body: request.body)
        case ("POST", 3, "invocation", "error"):
            return error(requestID: parts[1], request: request)
        case ("POST", 2, "init", "error"):
            return initError(request)
        default:
            return RuntimeAPIBroker.errorResponse(404, "NotFound", "no such endpoint: \(request.method) \(path)")
        }
    }

    private func next(connection: HTTPServer.ConnectionInfo) -> HTTPResponse {
        state.lock()
        defer { state.unlock() }
        guard connection.generation == generation else { return RuntimeAPIBroker.staleConnection }
        if initDuration == nil { initDuration = Date().timeIntervalSince(spawnedAt) * 1000 }
        if let current = inFlight {
            // Asking for the next event answers the current one with nothing.
            current.result = current.responseWasTooLarge
                ? .error("Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (\(LambdaLimits.responseBytes) bytes).")
                : .error("Runtime.NoResponse", "RequestId: \(current.requestID) Error: the runtime asked for the next event without answering this one")
            inFlight = nil
            state.broadcast()
        }
        while waiting == nil && connection.generation == generation { state.wait() }
        guard connection.generation == generation, let invocation = waiting else { return RuntimeAPIBroker.staleConnection }
        waiting = nil
        inFlight = invocation
        let now = Date()
        invocation.deliveredAt = now
        if configuration.printReports {
            FileHandle.standardError.write(Data("START RequestId: \(invocation.requestID) Version: $LATEST\n".utf8))
        }
        let deadline = Int64((now.timeIntervalSince1970 + configuration.timeout) * 1000)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", invocation.requestID),
            ("Lambda-Runtime-Deadline-Ms", String(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", configuration.functionARN),
            ("Lambda-Runtime-Trace-Id", RuntimeAPIBroker.traceHeader(at: now)),
        ]
        if let context = invocation.clientContext { headers.append(("Lambda-Runtime-Client-Context", context)) }
        if let identity = invocation.cognitoIdentity { headers.append(("Lambda-Runtime-Cognito-Identity", identity)) }
        return HTTPResponse(status: 200, headers: headers, body: invocation.event) { [weak self] in
            self?.redeliver(invocation)
        }
    }

    /// The runtime went away before receiving the event: hand it to the next `/next`.
    private func redeliver(_ invocation: PendingInvocation) {
        state.lock()
        defer { state.unlock() }
        guard inFlight === invocation, invocation.result == nil else { return }
        inFlight = nil
        invocation.deliveredAt = nil
        waiting = invocation
        state.broadcast()
    }

    private func response(requestID: String, body: [UInt8]) -> HTTPResponse {
        state.lock()
        defer { state.unlock() }
        guard let invocation = inFlight, invocation.requestID == requestID else { return invalidRequestID(requestID) }
        guard body.count <= LambdaLimits.responseBytes else {
            invocation.responseWasTooLarge = true
            return RuntimeAPIBroker.errorResponse(413, "RequestEntityTooLarge",
                                                  "Exceeded maximum allowed payload size (\(LambdaLimits.responseBytes) bytes).")
        }
        invocation.result = .success(body)
        inFlight = nil
        state.broadcast()
        return RuntimeAPIBroker.accepted
    }

    private func error(requestID: String, request: HTTPRequest) -> HTTPResponse {
        state.lock()
        defer { state.unlock() }
        guard let invocation = inFlight, invocation.requestID == requestID else { return invalidRequestID(requestID) }
        invocation.result = RuntimeAPIBroker.postedError(request)
        inFlight = nil
        state.broadcast()
        return RuntimeAPIBroker.accepted
    }

    private func initError(_ request: HTTPRequest) -> HTTPResponse {
        state.lock()
        defer { state.unlock() }
        guard initDuration == nil else {
            return RuntimeAPIBroker.errorResponse(403, "InvalidStateTransition", "init errors can only be reported before the first /next")
        }
        let error = RuntimeAPIBroker.postedError(request)
        initError = error
        if configuration.printReports, case .failure(let errorType, _) = error {
            let duration = Date().timeIntervalSince(spawnedAt) * 1000
            FileHandle.standardError.write(Data("INIT_REPORT Init Duration: \(String(format: "%.2f", duration)) ms\tPhase: init\tStatus: error\tError Type: \(errorType)\n".utf8))
        }
        state.broadcast()
        return RuntimeAPIBroker.accepted
    }

    /// An error as the runtime posted it: its JSON body when it is an object, its type from the header.
    static func postedError(_ request: HTTPRequest) -> InvocationResult {
        let body = try? JSONObject(parsing: request.body)
        let errorType = request.header("Lambda-Runtime-Function-Error-Type")
            ?? body?["errorType"]?.stringValue ?? "Unhandled"
        if body != nil { return .failure(errorType: errorType, body: request.body) }
        return .error(errorType, String(decoding: request.body, as: UTF8.self))
    }

    private func invalidRequestID(_ requestID: String) -> HTTPResponse {
        RuntimeAPIBroker.errorResponse(400, "InvalidRequestID", "no invocation \(requestID) is waiting for a result")
    }

    static var accepted: HTTPResponse { .json(202, Array("{\"status\":\"OK\"}".utf8)) }
    /// For a connection of a runtime process that is gone.
    static var staleConnection: HTTPResponse { errorResponse(500, "Runtime.Restarted", "this runtime process has been replaced") }

    static func errorResponse(_ status: Int, _ errorType: String, _ message: String) -> HTTPResponse {
        guard case .failure(_, let body) = InvocationResult.error(errorType, message) else { return HTTPResponse(status: status) }
        return .json(status, body)
    }

    /// The Runtime Interface Emulator's endpoint: invoke and answer with the result.
    private func invokeEndpoint(_ request: HTTPRequest) -> HTTPResponse {
        if request.body.count > LambdaLimits.requestBytes, case .failure(_, let body) = RuntimeAPIBroker.eventTooLarge {
            return .json(413, body)
        }
        let clientContext = request.header("X-Amz-Client-Context")
            .flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        switch invoke(request.body, clientContext: clientContext) {
        case .success(let body):
            return .json(200, body)
        case .failure(_, let body):
            return .json(200, body, headers: [("X-Amz-Function-Error", "Unhandled")])
        }
    }

    /// An X-Ray trace header in Lambda's format.
    static func traceHeader(at date: Date) -> String {
        let seconds = String(UInt32(date.timeIntervalSince1970), radix: 16)
        let root = (0..<3).map { _ in String(format: "%08x", UInt32.random(in: .min ... .max)) }.joined()
        let parent = String(format: "%016llx", UInt64.random(in: .min ... .max))
        return "Root=1-\(seconds)-\(root);Parent=\(parent);Sampled=0"
    }
}
