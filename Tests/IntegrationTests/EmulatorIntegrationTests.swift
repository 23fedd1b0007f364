import ByteJSON
import Foundation
import LambdaRuntime
import Testing

private func json(_ data: Data) throws -> JSONObject {
    try JSONObject(parsing: Array(data))
}

private func errorType(_ data: Data) throws -> String? {
    try json(data)["errorType"]?.stringValue
}

extension Integration {
    /// The real `bootstrap` and `lambda-emulator`, started as processes.
    @Suite(.timeLimit(.minutes(3))) struct EmulatorIntegrationTests {
        @Test func invokePrintsTheResponseAndLambdasReportLines() throws {
            let event = try Harness.event("firehose-batch.json")
            let result = try Harness.invoke("firehose-transform", event: event)
            #expect(result.status == 0, "\(result.stderr)")
            let records = try #require(try json(result.stdout)["records"]?.arrayValues)
            let input = try #require(try json(event)["records"]?.arrayValues)
            #expect(records.count == input.count)
            #expect(records.allSatisfy { $0.objectValue?["result"]?.stringValue == "Ok" })
            #expect(records.map { $0.objectValue?["recordId"]?.stringValue } == input.map { $0.objectValue?["recordId"]?.stringValue })
            #expect(result.stderr.contains("START RequestId: "))
            #expect(result.stderr.contains("END RequestId: "))
            let report = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("REPORT RequestId: ") })
            for field in ["Duration: ", "Billed Duration: ", "Memory Size: 128 MB", "Max Memory Used: ", "Init Duration: "] {
                #expect(report.contains(field), "REPORT line lacks \(field): \(report)")
            }
        }

        @Test func aMalformedEventIsAnInvocationErrorWithTypeAndMessage() throws {
            let result = try Harness.invoke("firehose-transform", event: try Harness.event("malformed.json"))
            #expect(result.status == 1)
            let error = try json(result.stdout)
            #expect(error["errorType"]?.stringValue == "InvalidEvent")
            #expect(error["errorMessage"]?.stringValue?.isEmpty == false)
        }

        @Test func anUnknownHandlerIsAnInitError() throws {
            let result = try Harness.invoke("no-such-handler", event: Data("{}".utf8))
            #expect(result.status == 1)
            let error = try json(result.stdout)
            #expect(error["errorType"]?.stringValue == "Runtime.NoSuchHandler")
            let message = try #require(error["errorMessage"]?.stringValue)
            #expect(message.contains("no-such-handler"))
            // The binary serves exactly the handlers the in-process tests build.
            #expect(message.hasSuffix("known handlers: \(Harness.handlers.names.joined(separator: ", "))"), "\(message)")
            #expect(result.stderr.contains("INIT_REPORT"))
        }

        @Test func anErrorThenRecoveryInOneEnvironment() throws {
            let function = try ServedFunction(handler: "firehose-transform")
            let failed = try function.invoke(Data("{\"records\": 42}".utf8))
            #expect(failed.status == 200)
            #expect(failed.headers["x-amz-function-error"] == "Unhandled")
            #expect(try errorType(failed.body) == "InvalidEvent")

            let succeeded = try function.invoke(try Harness.event("firehose-batch.json"), chunked: true)
            #expect(succeeded.status == 200)
            #expect(succeeded.headers["x-amz-function-error"] == nil)
            #expect(try json(succeeded.body)["records"]?.arrayValues?.count == 4)
            // Same runtime process: one cold start for both invocations.
            #expect(function.stderr.components(separatedBy: "Init Duration").count == 2)
        }

        @Test func aProxyInTheEnvironmentCannotHijackTheRuntimeAPI() throws {
            let result = try Harness.invoke("firehose-transform", event: try Harness.event("firehose-batch.json"),
                                            environment: ["http_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
                                                          "no_proxy": "example.com"])
            #expect(result.status == 0, "\(result.stderr)")
        }

        @Test func jsonLogFormatReachesTheRuntime() throws {
            let result = try Harness.invoke("firehose-transform", event: try Harness.event("malformed.json"),
                                            environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
            let logLine = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("{") })
            let object = try JSONObject(parsing: Array(logLine.utf8))
            #expect(object["level"]?.stringValue == "ERROR")
            #expect(object["requestId"]?.stringValue?.isEmpty == false)
        }

        @Test func theRuntimeExitsPromptlyWhenTheRuntimeAPIIsDown() throws {
            let start = Date()
            let result = try Harness.run(Harness.bootstrap, [], environment: [
                "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9", "_HANDLER": "firehose-transform",
            ])
            #expect(result.status != 0)
            #expect(Date().timeIntervalSince(start) < 10)
            #expect(result.stderr.contains("FATAL"))
        }

        @Test func theRuntimeRefusesToRunOutsideLambda() throws {
            let result = try Harness.run(Harness.bootstrap, [], removing: ["AWS_LAMBDA_RUNTIME_API"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("AWS_LAMBDA_RUNTIME_API"))
        }

        // MARK: Lambda's rules, enforced by the emulator

        @Test func aTimeoutKillsTheRuntimeAndSaysSo() throws {
            let runtime = Harness.pythonRuntime("""
                call("GET", "/invocation/next")
                time.sleep(60)
                """)
            let start = Date()
            let result = try Harness.invoke("slow", event: Data("{}".utf8), options: ["--timeout", "1"], runtime: runtime)
            #expect(result.status == 1)
            #expect(Date().timeIntervalSince(start) < 20)
            let error = try json(result.stdout)
            #expect(error["errorType"]?.stringValue == "Sandbox.Timedout")
            #expect(error["errorMessage"]?.stringValue?.contains("Task timed out after 1.00 seconds") == true)
        }

        @Test func aCrashIsRuntimeExitErrorAndTheNextInvocationRestarts() throws {
            let runtime = Harness.pythonRuntime("""
                status, headers, body = call("GET", "/invocation/next")
                request_id = headers["Lambda-Runtime-Aws-Request-Id"]
                if body == b"crash":
                    sys.exit(3)
                call("POST", "/invocation/" + request_id + "/response", b"survived")
                call("GET", "/invocation/next")
                """)
            let function = try ServedFunction(handler: "crashy", runtime: runtime)
            let crashed = try function.invoke(Data("crash".utf8))
            #expect(try errorType(crashed.body) == "Runtime.ExitError")
            #expect(String(decoding: crashed.body, as: UTF8.self).contains("exit status 3"))
            // The crashed process's peak memory is still reported: the kernel's account outlives it.
            let report = try #require(function.stderr.split(separator: "\n").first { $0.contains("Status: error") })
            let used = report.split(separator: "\t").first { $0.hasPrefix("Max Memory Used: ") }
            #expect((used?.dropFirst("Max Memory Used: ".count).split(separator: " ").first.flatMap { Int($0) } ?? 0) > 0, "\(report)")
            let survived = try function.invoke(Data("fine".utf8))
            #expect(String(decoding: survived.body, as: UTF8.self) == "survived")
        }

        @Test func eventsOverLambdasLimitAreRefusedBeforeTheFunctionRuns() throws {
            let function = try ServedFunction(handler: "firehose-transform")
            let refused = try function.invoke(Data(repeating: UInt8(ascii: " "), count: LambdaLimits.requestBytes + 1))
            #expect(refused.status == 413)
            #expect(try errorType(refused.body) == "RequestEntityTooLargeException")
            #expect(!function.stderr.contains("START RequestId"), "the function saw the event")
            let result = try Harness.invoke("firehose-transform", event: Data(repeating: UInt8(ascii: " "), count: LambdaLimits.requestBytes + 1))
            #expect(result.status == 1 && result.stdoutText.contains("RequestEntityTooLargeException"))
        }

        @Test func conflictingFramingIsABadRequest() throws {
            let function = try ServedFunction(handler: "firehose-transform")
            for headers in ["Content-Length: 2\r\nContent-Length: 20", "Content-Length: 2\r\nTransfer-Encoding: chunked"] {
                let reply = try RawHTTP.exchange(port: function.port, "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\n\(headers)\r\n\r\n{}")
                #expect(reply.hasPrefix("HTTP/1.1 400"), "\(headers): \(reply)")
            }
        }

        @Test func idleConnectionsAreClosedAndTheirNumberIsBounded() throws {
            let function = try ServedFunction(handler: "firehose-transform", options: ["--idle-timeout", "1"])
            // Past the cap, a connection is answered 503 at once; the ones within it stay open until idle.
            let sockets = try (0..<66).map { _ in try RawHTTP.connect(port: function.port) }
            defer { sockets.forEach { close($0) } }
            usleep(300_000)
            #expect(RawHTTP.read(sockets[65], waiting: .seconds(1)).hasPrefix("HTTP/1.1 503"))
            // A silent connection is closed (EOF) once idle for a second.
            let start = ContinuousClock.now
            #expect(RawHTTP.read(sockets[0], waiting: .seconds(5)).isEmpty)
            #expect(ContinuousClock.now - start < .seconds(3))
            // And the server still serves.
            #expect(try function.invoke(Data(#"{"records":[]}"#.utf8)).status == 200)
        }

        @Test func responsesOverSixMegabytesAreRefusedWith413() throws {
            let runtime = Harness.pythonRuntime("""
                status, headers, body = call("GET", "/invocation/next")
                request_id = headers["Lambda-Runtime-Aws-Request-Id"]
                status, _, reply = call("POST", "/invocation/" + request_id + "/response", b"x" * 6291557)
                assert status == 413, status
                error = json.dumps({"errorMessage": "too big: " + reply.decode(), "errorType": "Function.ResponseSizeTooLarge"})
                call("POST", "/invocation/" + request_id + "/error", error, {"Lambda-Runtime-Function-Error-Type": "Function.ResponseSizeTooLarge"})
                call("GET", "/invocation/next")
                """)
            let result = try Harness.invoke("big", event: Data("{}".utf8), runtime: runtime)
            #expect(result.status == 1)
            #expect(try errorType(result.stdout) == "Function.ResponseSizeTooLarge")
        }

        @Test func theRuntimeAPIRejectsAnswersForTheWrongRequest() throws {
            let runtime = Harness.pythonRuntime("""
                status, headers, body = call("GET", "/invocation/next")
                bad, _, _ = call("POST", "/invocation/not-the-id/response", b"x")
                request_id = headers["Lambda-Runtime-Aws-Request-Id"]
                late, _, _ = call("POST", "/init/error", b"{}")
                call("POST", "/invocation/" + request_id + "/response", json.dumps([bad, late]).encode())
                call("GET", "/invocation/next")
                """)
            let result = try Harness.invoke("strict", event: Data("{}".utf8), runtime: runtime)
            #expect(result.stdoutText == "[400, 403]")
        }

        /// Lambda keeps an idle environment for minutes; the long poll must outlive URLSession's
        /// 60-second default. Slow, so it runs when RUN_SLOW_TESTS=1 (CI sets it).
        @Test(.enabled(if: ProcessInfo.processInfo.environment["RUN_SLOW_TESTS"] == "1", "set RUN_SLOW_TESTS=1 to run"))
        func survivesMoreThanSixtySecondsIdleBeforeTheFirstEvent() throws {
            let function = try ServedFunction(handler: "firehose-transform")
            Thread.sleep(forTimeInterval: 65)
            let reply = try function.invoke(try Harness.event("firehose-batch.json"))
            #expect(reply.status == 200)
            #expect(reply.headers["x-amz-function-error"] == nil, "\(String(decoding: reply.body, as: UTF8.self))")
            #expect(try json(reply.body)["records"]?.arrayValues?.count == 4)
        }
    }
}
