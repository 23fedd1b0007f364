import ByteJSON
import Foundation
import HTTPClient
import Synchronization
import Testing
@testable import LambdaRuntime

/// A handler whose behaviour the test chooses per event.
struct ClosureHandler: LambdaHandler {
    let body: @Sendable ([UInt8], LambdaContext) async throws -> [UInt8]

    func handle(_ event: Data, context: LambdaContext) async throws -> [UInt8] {
        try await body([UInt8](event), context)
    }
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "it went boom" }
}

private let baseEnvironment: [String: String] = [
    "_HANDLER": "test",
    "AWS_LAMBDA_FUNCTION_NAME": "pipeline-transform",
    "AWS_LAMBDA_FUNCTION_VERSION": "7",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/pipeline-transform",
    "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/22/[7]abc",
]

private func run(_ api: FakeRuntimeAPI, environment: [String: String] = baseEnvironment,
                 handler: @escaping @Sendable ([UInt8], LambdaContext) async throws -> [UInt8]) async -> (Int32, LogCapture) {
    let logs = LogCapture()
    let catalog = HandlerCatalog([.init("test") { _ in ClosureHandler(body: handler) }])
    let environment = LambdaEnvironment(environment)
    let code = await Lambda.run(handlers: catalog, environment: environment, transport: api,
                                       logger: LambdaLogger(environment: environment, sink: logs.sink))
    return (code, logs)
}

private func errorBody(_ request: HTTPRequest) throws -> (type: String?, message: String?) {
    let object = try JSONObject(parsing: request.body)
    return (object["errorType"]?.stringValue, object["errorMessage"]?.stringValue)
}

/// Serialized: the runtime sets `_X_AMZN_TRACE_ID` in the process environment.
@Suite(.serialized) struct RuntimeLoopTests {
    @Test func buildsTheContextFromHeadersAndEnvironment() async throws {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("{}", requestID: "8476a536", extraHeaders: [
            "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
            "Lambda-Runtime-Client-Context": #"{"client":{"app_title":"demo"}}"#,
            "Lambda-Runtime-Cognito-Identity": #"{"cognitoIdentityId":"id-1"}"#,
        ])])
        let seen = Mutex<LambdaContext?>(nil)
        let traceEnv = Mutex<String?>(nil)
        let (code, _) = await run(api) { _, context in
            seen.withLock { $0 = context }
            traceEnv.withLock { $0 = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) } }
            return Array("ok".utf8)
        }
        #expect(code == 1) // the fake answers 500 once its events run out
        let context = try #require(seen.withLock { $0 })
        #expect(context.requestID == "8476a536")
        #expect(context.deadlineEpochMilliseconds == 1_893_456_000_000)
        #expect(context.invokedFunctionARN == "arn:aws:lambda:eu-west-1:123456789012:function:f")
        #expect(context.traceID == "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
        #expect(traceEnv.withLock { $0 } == context.traceID)
        #expect(context.clientContext == #"{"client":{"app_title":"demo"}}"#)
        #expect(context.cognitoIdentity == #"{"cognitoIdentityId":"id-1"}"#)
        #expect(context.functionName == "pipeline-transform")
        #expect(context.functionVersion == "7")
        #expect(context.memoryLimitInMB == 256)
        #expect(context.logGroupName == "/aws/lambda/pipeline-transform")
        #expect(context.logStreamName == "2026/11/22/[7]abc")
        #expect(context.remainingTime > .seconds(0))
        #expect(context.logger.requestID == "8476a536")
    }

    @Test func postsTheResponseToTheInvocationPath() async throws {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("ping", requestID: "a1")])
        _ = await run(api) { event, _ in Array("pong:".utf8) + event }
        let post = try #require(api.posts.first)
        #expect(post.path == "/2018-06-01/runtime/invocation/a1/response")
        #expect(post.bodyText == "pong:ping")
        #expect(api.requests.first?.path == "/2018-06-01/runtime/invocation/next")
        // The long poll has no total limit; other calls have one, and a short wait for an answer.
        let poll = try #require(api.requests.first)
        #expect(poll.deadline == nil && poll.idleTimeout > .seconds(24 * 3600))
        #expect(post.deadline != nil && post.idleTimeout <= .seconds(5))
    }

    /// An id is one path segment, whatever it holds: it can reach neither another path nor a query.
    @Test(arguments: ["../../init/error", "a?b=c", "x#frag", "sp ace/é"])
    func theRequestIDIsEscapedIntoItsPath(requestID: String) async throws {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("ping", requestID: requestID)])
        _ = await run(api) { _, _ in Array("pong".utf8) }
        let post = try #require(api.posts.first)
        #expect(post.url.query == nil && post.url.fragment == nil)
        let segments = post.url.path(percentEncoded: true).split(separator: "/", omittingEmptySubsequences: false)
        try #require(segments.count == 6, "\(post.url.absoluteString)")
        #expect(segments[1...3] == ["2018-06-01", "runtime", "invocation"] && segments[5] == "response")
        #expect(segments[4].removingPercentEncoding == requestID)
    }

    @Test func reportsAHandlerErrorAndGoesOnToTheNextEvent() async throws {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("fail", requestID: "r1"), FakeRuntimeAPI.event("ok", requestID: "r2")])
        let (code, logs) = await run(api) { event, _ in
            if event == Array("fail".utf8) { throw Boom() }
            return Array("fine".utf8)
        }
        #expect(code == 1)
        let posts = api.posts
        #expect(posts.map(\.path) == ["/2018-06-01/runtime/invocation/r1/error", "/2018-06-01/runtime/invocation/r2/response"])
        let error = try errorBody(posts[0])
        #expect(error.type == "Boom")
        #expect(error.message == "it went boom")
        #expect(posts[0].header("Lambda-Runtime-Function-Error-Type") == "Boom")
        #expect(posts[1].bodyText == "fine")
        #expect(logs.all.contains { $0.contains("r1") && $0.contains("ERROR") && $0.contains("it went boom") })
    }

    @Test func lambdaErrorsChooseTheirErrorType() async throws {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("x")])
        _ = await run(api) { _, _ in throw InvalidEventError("records must be an array") }
        let error = try errorBody(try #require(api.posts.first))
        #expect(error.type == "InvalidEvent")
        #expect(error.message == "records must be an array")
    }

    @Test func unknownHandlerIsAnInitErrorNamingTheKnownOnes() async throws {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("{}")])
        var environment = baseEnvironment
        environment["_HANDLER"] = "firehose-transfrom"
        let (code, _) = await run(api, environment: environment) { _, _ in [] }
        #expect(code == 1)
        #expect(api.requests.count == 1, "the runtime must not ask for events after an init error")
        let post = try #require(api.posts.first)
        #expect(post.path == "/2018-06-01/runtime/init/error")
        let error = try errorBody(post)
        #expect(error.type == "Runtime.NoSuchHandler")
        #expect(post.header("Lambda-Runtime-Function-Error-Type") == "Runtime.NoSuchHandler")
        #expect(error.message?.contains("firehose-transfrom") == true)
        #expect(error.message?.contains("test") == true)
    }

    @Test func missingHandlerIsAnInitError() async throws {
        let api = FakeRuntimeAPI()
        var environment = baseEnvironment
        environment["_HANDLER"] = nil
        let (code, _) = await run(api, environment: environment) { _, _ in [] }
        #expect(code == 1)
        #expect(try errorBody(try #require(api.posts.first)).message?.contains("_HANDLER is not set") == true)
    }

    @Test func invalidConfigurationIsAnInitErrorThatNamesTheHandler() async throws {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("{}")])
        let catalog = HandlerCatalog([.init("test") { _ in throw ConfigurationError("EMR_CLUSTER_ID is not set") }])
        let environment = LambdaEnvironment(baseEnvironment)
        let code = await Lambda.run(handlers: catalog, environment: environment, transport: api,
                                           logger: LambdaLogger(format: .text, sink: { _ in }))
        #expect(code == 1)
        let post = try #require(api.posts.first)
        #expect(post.path == "/2018-06-01/runtime/init/error")
        let error = try errorBody(post)
        #expect(error.type == "Runtime.InvalidConfiguration")
        #expect(error.message == "handler \"test\": EMR_CLUSTER_ID is not set")
    }

    @Test func serverErrorOnNextExitsNonZero() async {
        let api = FakeRuntimeAPI()
        let (code, logs) = await run(api) { _, _ in [] }
        #expect(code == 1)
        #expect(api.requests.count == 1)
        #expect(logs.all.contains { $0.contains("FATAL") && $0.contains("500") })
    }

    @Test func lostConnectionExitsNonZero() async {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("x")])
        api.loseConnectionOnNext()
        let (code, _) = await run(api) { _, _ in [] }
        #expect(code == 1)
        #expect(api.posts.isEmpty)
    }

    @Test func tooLargeResponseBecomesAnErrorPost() async throws {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("x", requestID: "big")])
        api.answerPosts(with: [413, 202])
        let (code, _) = await run(api) { _, _ in Array(repeating: 0x41, count: 7_000_000) }
        #expect(code == 1)
        let posts = api.posts
        #expect(posts.map(\.path) == ["/2018-06-01/runtime/invocation/big/response", "/2018-06-01/runtime/invocation/big/error"])
        let error = try errorBody(posts[1])
        #expect(error.type == "Function.ResponseSizeTooLarge")
        #expect(error.message?.contains("7000000 bytes") == true)
    }

    @Test func serverErrorOnResponseExitsWithoutAskingForMore() async {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("x"), FakeRuntimeAPI.event("y")])
        api.answerPosts(with: [500])
        let (code, _) = await run(api) { _, _ in [1] }
        #expect(code == 1)
        #expect(api.requests.filter { $0.method == "GET" }.count == 1)
    }

    @Test func aRefusedResponseIsLoggedAndTheLoopGoesOn() async {
        let api = FakeRuntimeAPI(events: [FakeRuntimeAPI.event("x", requestID: "late"), FakeRuntimeAPI.event("y", requestID: "next")])
        api.answerPosts(with: [400])
        let (_, logs) = await run(api) { _, _ in [1] }
        #expect(api.posts.map(\.path).last == "/2018-06-01/runtime/invocation/next/response")
        #expect(logs.all.contains { $0.contains("WARN") && $0.contains("refused") })
    }

    @Test func missingDeadlineFallsBackToLambdasLongestTimeout() async throws {
        var event = FakeRuntimeAPI.event("x")
        event.headers["Lambda-Runtime-Deadline-Ms"] = nil
        let api = FakeRuntimeAPI(events: [event])
        let remaining = Mutex<Duration>(.zero)
        _ = await run(api) { _, context in
            remaining.withLock { $0 = context.remainingTime }
            return []
        }
        let value = remaining.withLock { $0 }
        #expect(value > .seconds(890) && value <= .seconds(900))
    }

    @Test func aDeadlineWithSpacesAroundItIsRead() async throws {
        var event = FakeRuntimeAPI.event("x")
        event.headers["Lambda-Runtime-Deadline-Ms"] = " 1893456000000 "
        let api = FakeRuntimeAPI(events: [event])
        let deadline = Mutex<Int64>(0)
        _ = await run(api) { _, context in
            deadline.withLock { $0 = context.deadlineEpochMilliseconds }
            return []
        }
        #expect(deadline.withLock { $0 } == 1_893_456_000_000)
    }

    /// Each invocation's trace id goes into the same buffer: glibc's `setenv` would keep every
    /// one of them for the life of the process.
    @Test func theTraceIDVariableIsRewrittenInPlace() throws {
        defer { TraceIDVariable.set(nil) }
        TraceIDVariable.set("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
        let first = try #require(getenv(TraceIDVariable.name))
        for id in ["Root=1-00000000-000000000000000000000001", "Root=1-00000000-000000000000000000000002"] {
            TraceIDVariable.set(id)
            #expect(getenv(TraceIDVariable.name) == first)
            #expect(ProcessInfo.processInfo.environment[TraceIDVariable.name] == id)
        }
        TraceIDVariable.set(nil)
        #expect(getenv(TraceIDVariable.name) == nil)
        let long = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Lineage=" + String(repeating: "a", count: 300)
        TraceIDVariable.set(long)
        #expect(getenv(TraceIDVariable.name).map { String(cString: $0) } == long)
        TraceIDVariable.set("Root=short")
        #expect(getenv(TraceIDVariable.name).map { String(cString: $0) } == "Root=short")
    }
}

@Suite struct CodableHandlerTests {
    struct Greeting: Decodable { let name: String; let times: Int }
    struct Reply: Encodable { let message: String }

    struct Greeter: CodableLambdaHandler {
        func handle(_ event: Greeting, context: LambdaContext) async throws -> Reply {
            Reply(message: Array(repeating: "hello \(event.name)", count: event.times).joined(separator: ", "))
        }
    }

    private var context: LambdaContext {
        LambdaContext(requestID: "r", deadlineEpochMilliseconds: 0, invokedFunctionARN: "", environment: LambdaEnvironment([:]),
                      logger: LambdaLogger(format: .text, sink: { _ in }))
    }

    @Test func decodesAndEncodes() async throws {
        let output = try await Greeter().handle(Data(#"{"name":"kim/dh","times":2}"#.utf8), context: context)
        #expect(String(decoding: output, as: UTF8.self) == #"{"message":"hello kim/dh, hello kim/dh"}"#)
    }

    @Test func aBadEventIsAnInvalidEventNamingThePath() async throws {
        await #expect(throws: InvalidEventError.self) {
            _ = try await Greeter().handle(Data(#"{"name":"x"}"#.utf8), context: context)
        }
        do {
            _ = try await Greeter().handle(Data(#"{"name":"x","times":"two"}"#.utf8), context: context)
        } catch let error as InvalidEventError {
            #expect(error.description.contains("times"))
        }
    }
}

@Suite struct LoggerTests {
    @Test func jsonFormatWritesOneObjectPerLine() throws {
        let logs = LogCapture()
        let logger = LambdaLogger(environment: LambdaEnvironment(["AWS_LAMBDA_LOG_FORMAT": "JSON"]), sink: logs.sink)
            .with(requestID: "r-9")
        logger.info("hello \"world\"\nsecond line")
        let line = try #require(logs.all.first)
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        let object = try JSONObject(parsing: Array(line.utf8.dropLast()))
        #expect(object["level"]?.stringValue == "INFO")
        #expect(object["message"]?.stringValue == "hello \"world\"\nsecond line")
        #expect(object["requestId"]?.stringValue == "r-9")
        let timestamp = try #require(object["timestamp"]?.stringValue)
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z") && timestamp.contains("T"))
    }

    @Test func levelFilteringFollowsTheEnvironment() {
        let logs = LogCapture()
        let logger = LambdaLogger(environment: LambdaEnvironment(["AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN"]),
                                  sink: logs.sink)
        logger.debug("no")
        logger.info("no")
        logger.warning("yes warn")
        logger.error("yes error")
        #expect(logs.all.count == 2)
        #expect(logs.all.allSatisfy { $0.contains("yes") })
        let verbose = LambdaLogger(environment: LambdaEnvironment(["AWS_LAMBDA_LOG_LEVEL": "debug"]), sink: logs.sink)
        #expect(verbose.isEnabled(.debug) && !verbose.isEnabled(.trace))
    }

    @Test func textFormatIsTabSeparatedOnOneLine() throws {
        let logs = LogCapture()
        LambdaLogger(environment: LambdaEnvironment([:]), sink: logs.sink).with(requestID: "r-1").error("a\nb")
        let fields = try #require(logs.all.first).dropLast().split(separator: "\t", omittingEmptySubsequences: false)
        #expect(fields.count == 4)
        #expect(fields[1] == "r-1" && fields[2] == "ERROR" && fields[3] == "a\rb")
    }

    @Test func rawLinesBypassFormatAndLevel() {
        let logs = LogCapture()
        let logger = LambdaLogger(environment: LambdaEnvironment(["AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "FATAL"]),
                                  sink: logs.sink)
        logger.write(rawLine: Array(#"{"_aws":{}}"#.utf8))
        #expect(logs.all == ["{\"_aws\":{}}\n"])
    }
}

@Suite struct TransportTests {
    @Test(arguments: [("127.0.0.1:9001", "127.0.0.1"), ("localhost:8080", "localhost"), ("[::1]:9001", "::1"),
                      ("http://runtime.local:80/x", "runtime.local"), ("169.254.100.1", "169.254.100.1")])
    func extractsTheRuntimeAPIHost(endpoint: String, host: String) {
        #expect(RuntimeAPIClient.host(of: endpoint) == host)
    }
}
