import ByteJSON
import Foundation
import Glibc
import Testing

extension Integration {
    /// `bootstrap` against a Runtime API that is not ours: Python's `http.server`, which speaks
    /// HTTP/1.0, closes every connection and sends no Content-Type, the opposite of our emulator.
    @Suite(.timeLimit(.minutes(2))) struct IndependentRuntimeAPITests {
        static let server = """
            import http.server, json, sys, threading

            events = [(b"evt-1", open(sys.argv[2], "rb").read()),
                      (b"evt-2", b'{"records": "nope"}')]
            results = []
            lock = threading.Lock()

            class RuntimeAPI(http.server.BaseHTTPRequestHandler):
                def log_message(self, *args): pass

                def reply(self, status, body=b"", headers={}):
                    self.send_response(status)
                    for k, v in headers.items(): self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

                def do_GET(self):
                    with lock:
                        if not events:
                            self.reply(500, b"no more events")
                            return
                        request_id, body = events.pop(0)
                    self.reply(200, body, {"Lambda-Runtime-Aws-Request-Id": request_id.decode(),
                                           "Lambda-Runtime-Deadline-Ms": "99999999999999",
                                           "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:1:function:f",
                                           "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000"})

                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    with lock:
                        results.append({"path": self.path, "errorType": self.headers.get("Lambda-Runtime-Function-Error-Type"),
                                        "body": body.decode()})
                        with open(sys.argv[3], "w") as f: json.dump(results, f)
                    self.reply(202)

            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeAPI)
            with open(sys.argv[1], "w") as f: f.write(str(server.server_address[1]))
            server.serve_forever()
            """

        @Test func servesEventsAndReportsErrorsToAForeignServer() throws {
            let directory = try Harness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let script = directory.appendingPathComponent("api.py")
            try IndependentRuntimeAPITests.server.write(to: script, atomically: true, encoding: .utf8)
            let portFile = directory.appendingPathComponent("port")
            let resultsFile = directory.appendingPathComponent("results.json")
            let server = Process()
            server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            server.arguments = ["python3", script.path, portFile.path,
                                Harness.packageRoot.appendingPathComponent("events/firehose-batch.json").path, resultsFile.path]
            try server.run()
            // SIGKILL: test runners start children with SIGTERM blocked.
            defer { kill(server.processIdentifier, SIGKILL) }
            let api = try #require(Harness.port(writtenTo: portFile))

            // The server answers 500 once its two events are served: the runtime must then exit non-zero.
            let result = try Harness.run(Harness.bootstrap, [], environment: [
                "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(api)", "_HANDLER": "firehose-transform",
            ])
            #expect(result.status == 1)
            #expect(result.stderr.contains("500"))

            let results = try #require(try JSONValue(parsing: Array(Data(contentsOf: resultsFile))).arrayValues)
            #expect(results.count == 2)
            let first = try #require(results[0].objectValue)
            #expect(first["path"]?.stringValue == "/2018-06-01/runtime/invocation/evt-1/response")
            let response = try JSONObject(parsing: Array(try #require(first["body"]?.stringValue).utf8))
            #expect(response["records"]?.arrayValues?.count == 4)
            let second = try #require(results[1].objectValue)
            #expect(second["path"]?.stringValue == "/2018-06-01/runtime/invocation/evt-2/error")
            #expect(second["errorType"]?.stringValue == "InvalidEvent")
            let error = try JSONObject(parsing: Array(try #require(second["body"]?.stringValue).utf8))
            #expect(error["errorType"]?.stringValue == "InvalidEvent")
            #expect(error["errorMessage"]?.stringValue?.isEmpty == false)
        }
    }
}
