import ByteJSON
import Foundation
import Glibc
import Testing

extension Integration {
    /// s3-emr-trigger through the real runtime against moto in server mode with signature checking
    /// on: an IAM user's keys, an EMR cluster, and the handler's signed calls.
    @Suite(.timeLimit(.minutes(4))) struct MotoIntegrationTests {
        static let available = Harness.pythonHas("moto.server, boto3")

        /// Setup and inspection, through boto3 (a test tool here, not part of the functions).
        static let helper = #"""
            import json, sys, urllib.request, boto3
            endpoint = "http://127.0.0.1:" + sys.argv[2]
            def client(service, key="test", secret="test"):
                return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
            if sys.argv[1] == "setup":
                iam = client("iam")
                iam.create_user(UserName="s3-emr-trigger")
                iam.put_user_policy(UserName="s3-emr-trigger", PolicyName="emr-steps", PolicyDocument=json.dumps({
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
                        "elasticmapreduce:DescribeCluster", "elasticmapreduce:ListSteps", "elasticmapreduce:AddJobFlowSteps"], "Resource": "*"}]}))
                key = iam.create_access_key(UserName="s3-emr-trigger")["AccessKey"]
                emr = client("emr")
                def cluster(name):
                    return emr.run_job_flow(Name=name, ReleaseLabel="emr-6.15.0", Applications=[{"Name": "Spark"}],
                        Instances={"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.large", "InstanceCount": 3,
                                   "KeepJobFlowAliveWhenNoSteps": True},
                        ServiceRole="EMR_DefaultRole", JobFlowRole="EMR_EC2_DefaultRole")["JobFlowId"]
                active, terminated = cluster("streaming-processing-cluster"), cluster("old-cluster")
                emr.terminate_job_flows(JobFlowIds=[terminated])
                # From here on every request must carry a valid signature from a known key.
                request = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"})
                urllib.request.urlopen(request).read()
                print(json.dumps({"key": key["AccessKeyId"], "secret": key["SecretAccessKey"], "active": active, "terminated": terminated}))
            elif sys.argv[1] == "steps":
                steps = client("emr", sys.argv[3], sys.argv[4]).list_steps(ClusterId=sys.argv[5])["Steps"]
                print(json.dumps([{"name": s["Name"], "args": s["Config"]["Args"], "jar": s["Config"]["Jar"],
                                   "action": s["ActionOnFailure"], "state": s["Status"]["State"]} for s in steps]))
            """#

        @Test(.enabled(if: MotoIntegrationTests.available || Harness.integrationRequired,
                       Comment(rawValue: Harness.missingPyPI("moto[server]"))))
        func addsSignedStepsAndRefusesAWrongSecret() throws {
            #expect(MotoIntegrationTests.available, "REQUIRE_INTEGRATION=1 but moto[server] and boto3 are not importable")
            let directory = try Harness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let script = directory.appendingPathComponent("moto_helper.py")
            try MotoIntegrationTests.helper.write(to: script, atomically: true, encoding: .utf8)

            let port = try Harness.freePort()
            let server = Process()
            server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            server.arguments = [Harness.toolPython, "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try server.run()
            defer { kill(server.processIdentifier, SIGKILL) }
            var ready = false
            for _ in 0..<150 where !ready {
                ready = (try? HTTPReply.post(port: port, path: "/moto-api/reset", body: Data()))?.status == 200
                if !ready { usleep(100_000) }
            }
            try #require(ready, "moto did not start on port \(port)")

            let setup = try Harness.run("/usr/bin/env", [Harness.toolPython, script.path, "setup", String(port)])
            try #require(setup.status == 0, "\(setup.stderr)")
            let accounts = try JSONObject(parsing: Array(setup.stdout))
            let key = try #require(accounts["key"]?.stringValue), secret = try #require(accounts["secret"]?.stringValue)
            let active = try #require(accounts["active"]?.stringValue), terminated = try #require(accounts["terminated"]?.stringValue)

            func invoke(_ event: String, cluster: String = active, secret: String = secret) throws -> Harness.Result {
                try Harness.invoke("s3-emr-trigger", event: try Harness.event(event), environment: [
                    "EMR_CLUSTER_ID": cluster, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
                    "AWS_SESSION_TOKEN": "", "AWS_ENDPOINT_URL_EMR": "http://127.0.0.1:\(port)",
                ])
            }
            func steps() throws -> [JSONObject] {
                let listed = try Harness.run("/usr/bin/env", [Harness.toolPython, script.path, "steps", String(port), key, secret, active])
                try #require(listed.status == 0, "\(listed.stderr)")
                return try #require(try JSONValue(parsing: Array(listed.stdout)).arrayValues).compactMap(\.objectValue)
            }

            // A Firehose object, its key URL-encoded as S3 sends it.
            let added = try invoke("s3-put-firehose-object.json")
            #expect(added.status == 0, "\(added.stdoutText)\n\(added.stderr)")
            var current = try steps()
            try #require(current.count == 1)
            let key0 = "streaming-data/year=2025/month=08/day=07/hour=10/streaming-to-s3-pipeline-1-2025-08-07-10-15-00-3f1c9b2e-7d4a-4c1e-9f0b-2a6d8e5c1b7f"
            #expect(current[0]["jar"]?.stringValue == "command-runner.jar")
            #expect(current[0]["action"]?.stringValue == "CONTINUE")
            #expect(current[0]["args"]?.arrayValues?.compactMap(\.stringValue) == [
                "spark-submit", "--deploy-mode", "cluster", "s3://streaming-pipeline-1754561700/scripts/streaming_processor.py",
                "s3://streaming-pipeline-1754561700/\(key0)", "s3://streaming-pipeline-1754561700/processed-data/",
            ])

            // S3 delivers at least once: the same event again adds nothing.
            let duplicate = try invoke("s3-put-firehose-object.json")
            #expect(duplicate.status == 0)
            #expect(try JSONObject(parsing: Array(duplicate.stdout))["duplicates"]?.arrayValues?.count == 1)
            #expect(try steps().count == 1)

            // Not work: the configuration test event and a folder marker.
            for event in ["s3-test-event.json", "s3-put-folder-marker.json"] {
                let ignored = try invoke(event)
                #expect(ignored.status == 0, "\(event): \(ignored.stdoutText)")
            }
            #expect(try steps().count == 1)

            // EventBridge delivers the same kind of object; its key is not encoded.
            #expect(try invoke("eventbridge-object-created.json").status == 0)
            current = try steps()
            #expect(current.count == 2)
            #expect(current.contains { $0["args"]?.rawText.contains("year=2025/month=08/day=07/hour=11/") == true })

            // A wrong secret is refused by moto's signature check; nothing is added.
            let refused = try invoke("eventbridge-object-created.json", secret: "not-the-secret")
            #expect(refused.status == 1)
            let refusal = try JSONObject(parsing: Array(refused.stdout))
            #expect(refusal["errorType"]?.stringValue == "EMR.AccessDenied", "\(refused.stdoutText)")
            #expect(refusal["errorMessage"]?.stringValue?.contains("not-the-secret") == false, "secrets never reach a message")
            #expect(!refused.stderr.contains("not-the-secret"), "secrets never reach a log line")

            // A terminated cluster cannot take steps.
            let gone = try invoke("s3-put-firehose-object.json", cluster: terminated)
            #expect(gone.status == 1)
            #expect(try JSONObject(parsing: Array(gone.stdout))["errorType"]?.stringValue == "EMR.ClusterNotActive")
            #expect(try steps().count == 2)
        }
    }
}

extension Integration {
    /// What moto does not model: an EMR that throttles, then recovers. The retries happen inside the
    /// real runtime, over URLSession.
    @Suite(.timeLimit(.minutes(2))) struct ThrottlingIntegrationTests {
        static let stub = #"""
            import http.server, json, sys
            calls = []
            class EMR(http.server.BaseHTTPRequestHandler):
                def log_message(self, *args): pass
                def do_POST(self):
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                    target = self.headers["X-Amz-Target"].split(".")[-1]
                    calls.append(target)
                    with open(sys.argv[2], "w") as f: json.dump(calls, f)
                    if len(calls) <= 2:
                        status, reply = 400, {"__type": "com.amazonaws.elasticmapreduce#ThrottlingException", "message": "Rate exceeded"}
                    elif len(calls) == 3:
                        status, reply = 500, {"__type": "InternalServerError", "message": "try again"}
                    elif not self.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDSTUB/"):
                        status, reply = 403, {"__type": "IncompleteSignature", "message": "unsigned"}
                    elif target == "DescribeCluster":
                        status, reply = 200, {"Cluster": {"Id": body["ClusterId"], "Status": {"State": "WAITING"}}}
                    elif target == "ListSteps":
                        status, reply = 200, {"Steps": []}
                    else:
                        status, reply = 200, {"StepIds": ["s-STUB"]}
                    data = json.dumps(reply).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EMR)
            open(sys.argv[1], "w").write(str(server.server_address[1]))
            server.serve_forever()
            """#

        @Test func throttlingAndServerErrorsAreRetriedThroughTheRuntime() throws {
            let directory = try Harness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let script = directory.appendingPathComponent("emr_stub.py"), portFile = directory.appendingPathComponent("port")
            let callsFile = directory.appendingPathComponent("calls.json")
            try ThrottlingIntegrationTests.stub.write(to: script, atomically: true, encoding: .utf8)
            let server = Process()
            server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            server.arguments = ["python3", script.path, portFile.path, callsFile.path]
            try server.run()
            defer { kill(server.processIdentifier, SIGKILL) }
            let port = Harness.port(writtenTo: portFile)
            let result = try Harness.invoke("s3-emr-trigger", event: try Harness.event("s3-put-firehose-object.json"), environment: [
                "EMR_CLUSTER_ID": "j-STUB", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDSTUB", "AWS_SECRET_ACCESS_KEY": "stub-secret",
                "AWS_ENDPOINT_URL_EMR": "http://127.0.0.1:\(try #require(port))",
            ])
            #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderr)")
            #expect(try JSONObject(parsing: Array(result.stdout))["added"]?.arrayValues?.first?.objectValue?["stepId"]?.stringValue == "s-STUB")
            let calls = try #require(try JSONValue(parsing: Array(Data(contentsOf: callsFile))).arrayValues).compactMap(\.stringValue)
            #expect(calls == ["DescribeCluster", "DescribeCluster", "DescribeCluster", "DescribeCluster", "ListSteps", "AddJobFlowSteps"])
            #expect(!result.stderr.contains("stub-secret"))
        }
    }
}
