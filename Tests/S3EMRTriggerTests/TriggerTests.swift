import AWSSigning
@testable import EMRClient
import Foundation
import HTTPClient
import Testing
@testable import S3EMRTrigger

private let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "session")

private func trigger(_ stub: StubEMR, _ configuration: TriggerConfiguration = TriggerConfiguration(clusterID: "j-ACTIVE"),
                     retry: RetryPolicy = RetryPolicy(maximumAttempts: 4, baseDelay: .milliseconds(1), minimumAttemptTime: .milliseconds(1))) -> EMRTrigger {
    EMRTrigger(configuration: configuration, client: EMRClient(region: "us-east-1", credentials: credentials,
                                                               endpoint: URL(string: "https://emr.test")!, transport: stub, retry: retry,
                                                               sleep: { _ in }))
}

private func object(_ key: String, bucket: String = "lake", size: Int64? = 100, eTag: String? = "etag-1") -> S3Object {
    S3Object(bucket: bucket, key: key, size: size, eTag: eTag)
}

private var later: ContinuousClock.Instant { .now + .seconds(30) }

@Suite struct S3EventTests {
    @Test(arguments: [("streaming-data/year%3D2025/a+b%2Bc.json", "streaming-data/year=2025/a b+c.json"),
                      ("plain/key", "plain/key"), ("%E2%82%AC+euro", "€ euro")])
    func notificationKeysAreFormDecoded(raw: String, key: String) {
        #expect(S3Event.decodeKey(raw) == key)
    }

    /// Half-decoding `a%ZZ` would make a step for an object that cannot exist.
    @Test(arguments: ["streaming-data/a%ZZ", "streaming-data/%E9t%E9", "streaming-data/50%"])
    func keysThatAreNotURLEncodingAreIgnoredWithAReason(raw: String) async throws {
        #expect(S3Event.decodeKey(raw) == nil)
        let event = try #require(S3Event(json: Array(#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"lake"},"object":{"key":"\#(raw)","size":5}}}]}"#.utf8)))
        let stub = StubEMR()
        let summary = try await trigger(stub).handle(event, deadline: later)
        #expect(summary.added.isEmpty && stub.operations.isEmpty)
        #expect(summary.ignored.map(\.object) == ["s3://lake/\(raw)"])
        #expect(summary.ignored.first?.reason.contains("not valid URL encoding") == true)
    }

    @Test func readsNotificationsTestEventsAndEventBridge() throws {
        let notification = #"""
            {"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"streaming-data/x%3D1","size":5,"eTag":"e1"}}},
                        {"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"gone"}}},
                        {"eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},"object":{"key":"y","size":9}}}]}
            """#
        #expect(S3Event(json: Array(notification.utf8)) == .objectsCreated([
            S3Object(bucket: "b", key: "streaming-data/x=1", size: 5, eTag: "e1"), S3Object(bucket: "b", key: "y", size: 9, eTag: nil),
        ]))
        #expect(S3Event(json: Array(#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}"#.utf8)) == .testEvent)
        let bridged = #"{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"b"},"object":{"key":"k=1 +","size":3,"etag":"e"}}}"#
        #expect(S3Event(json: Array(bridged.utf8)) == .objectsCreated([S3Object(bucket: "b", key: "k=1 +", size: 3, eTag: "e")]))
        for garbage in ["{}", "[]", "not json", #"{"Records":"x"}"#, #"{"source":"aws.ec2","detail-type":"x","detail":{}}"#] {
            #expect(S3Event(json: Array(garbage.utf8)) == nil, "\(garbage)")
        }
    }
}

@Suite struct PlanTests {
    @Test func ignoresWhatIsNotWorkAndGroupsTheRestByBucket() {
        let (steps, ignored) = trigger(StubEMR()).plan([
            object("streaming-data/"), object("streaming-data/year=2025/empty", size: 0), object("scripts/job.py"),
            object("streaming-data/a"), object("streaming-data/b", bucket: "other"), object("streaming-data/c"), object("streaming-data/a"),
        ])
        #expect(ignored.map(\.reason) == ["a folder marker", "an empty object", "outside the input prefix streaming-data/"])
        #expect(steps.count == 2)
        #expect(steps[0].inputs.map(\.uri) == ["s3://lake/streaming-data/a", "s3://lake/streaming-data/c"])
        #expect(steps[0].config.hadoopJarStep.jar == "command-runner.jar")
        #expect(steps[0].config.hadoopJarStep.args == ["spark-submit", "--deploy-mode", "cluster", "s3://lake/scripts/streaming_processor.py",
                                                       "s3://lake/streaming-data/a", "s3://lake/streaming-data/c", "s3://lake/processed-data/"])
        #expect(steps[0].config.actionOnFailure == "CONTINUE")
        #expect(steps[1].config.hadoopJarStep.args.last == "s3://other/processed-data/")
    }

    @Test func configurationShapesTheStep() throws {
        let configuration = try TriggerConfiguration(environment: [
            "EMR_CLUSTER_ID": "j-1", "SPARK_SCRIPT": "s3://jobs/etl.py", "OUTPUT_PREFIX": "s3://{bucket}/out/",
            "SPARK_SUBMIT_ARGS": #"["--conf", "spark.executor.memory=2g", "--py-files", "s3://jobs/lib.zip"]"#,
            "ACTION_ON_FAILURE": "cancel_and_wait", "INPUT_PREFIX": "raw/",
        ])
        let step = try #require(trigger(StubEMR(), configuration).plan([object("raw/x")]).steps.first)
        #expect(step.config.hadoopJarStep.args == ["spark-submit", "--deploy-mode", "cluster", "--conf", "spark.executor.memory=2g",
                                                   "--py-files", "s3://jobs/lib.zip", "s3://jobs/etl.py", "s3://lake/raw/x", "s3://lake/out/"])
        #expect(step.config.actionOnFailure == "CANCEL_AND_WAIT")
        #expect(try TriggerConfiguration(environment: ["EMR_CLUSTER_ID": "j", "SPARK_SUBMIT_ARGS": "--conf  a=b\t--verbose"]).sparkSubmitArguments
                == ["--conf", "a=b", "--verbose"])
    }

    @Test(arguments: [
        ([:], "EMR_CLUSTER_ID is not set"),
        (["EMR_CLUSTER_ID": "j", "ACTION_ON_FAILURE": "EXPLODE"], "ACTION_ON_FAILURE must be one of"),
        (["EMR_CLUSTER_ID": "j", "SPARK_SCRIPT": "/tmp/job.py"], "SPARK_SCRIPT must be an s3:// URI"),
        (["EMR_CLUSTER_ID": "j", "OUTPUT_PREFIX": "hdfs:///out"], "OUTPUT_PREFIX must be an s3:// URI"),
        (["EMR_CLUSTER_ID": "j", "SPARK_SUBMIT_ARGS": "[1, 2]"], "SPARK_SUBMIT_ARGS starts with [ but is not a JSON array"),
    ])
    func badConfigurationNamesTheVariable(environment: [String: String], message: String) {
        #expect(throws: TriggerConfigurationError.self) { try TriggerConfiguration(environment: environment) }
        do {
            _ = try TriggerConfiguration(environment: environment)
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func stepNamesAreDeterministicAndBounded() {
        let a = EMRTrigger.stepName(for: [object("streaming-data/k1"), object("streaming-data/k2")])
        #expect(a == EMRTrigger.stepName(for: [object("streaming-data/k2"), object("streaming-data/k1")]))
        #expect(a.hasPrefix("streaming-processor streaming-data/k1 (+1 more) ["))
        #expect(a != EMRTrigger.stepName(for: [object("streaming-data/k1", eTag: "etag-2"), object("streaming-data/k2")]))
        let long = EMRTrigger.stepName(for: [object("streaming-data/" + String(repeating: "x", count: 600))])
        #expect(long.count <= 256 && long.hasSuffix("]") && long.contains("…"))
    }
}

@Suite struct TriggerRunTests {
    @Test func addsOneStepThenSkipsTheRedeliveredEvent() async throws {
        let stub = StubEMR()
        let event = S3Event.objectsCreated([object("streaming-data/year=2025/f1"), object("streaming-data/year=2025/f2")])
        let first = try await trigger(stub).handle(event, deadline: later)
        #expect(first.added.count == 1 && first.added[0].inputs.count == 2)
        #expect(stub.operations == ["DescribeCluster", "ListSteps", "AddJobFlowSteps"])
        let again = try await trigger(stub).handle(event, deadline: later)
        #expect(again.added.isEmpty && again.duplicates == [first.added[0].name])
        #expect(stub.steps.count == 1)
        // A different object is new work.
        let other = try await trigger(stub).handle(.objectsCreated([object("streaming-data/year=2025/f3")]), deadline: later)
        #expect(other.added.count == 1 && stub.steps.count == 2)
    }

    @Test func theTestEventAndNonWorkTouchNothing() async throws {
        let stub = StubEMR()
        #expect(try await trigger(stub).handle(.testEvent, deadline: later).testEvent)
        let markers = try await trigger(stub).handle(.objectsCreated([object("streaming-data/"), object("logs/x")]), deadline: later)
        #expect(markers.ignored.count == 2 && markers.added.isEmpty)
        #expect(stub.operations.isEmpty)
    }

    @Test(arguments: [("j-GONE", "TERMINATED"), ("j-MISSING", "unknown")])
    func aClusterThatCannotTakeStepsIsAnError(cluster: String, state: String) async {
        let stub = StubEMR()
        do {
            _ = try await trigger(stub, TriggerConfiguration(clusterID: cluster)).handle(.objectsCreated([object("streaming-data/a")]), deadline: later)
            Issue.record("expected an error")
        } catch {
            #expect(error.errorType == "EMR.ClusterNotActive")
            #expect(error.description.contains(cluster) && error.description.contains(state))
        }
        #expect(!stub.operations.contains("AddJobFlowSteps"))
    }

    @Test func anAnswerWithFewerStepIdsThanStepsIsAnError() async throws {
        let stub = StubEMR()
        stub.state.withLock { $0.stepIDsAnswered = 0 }
        do {
            _ = try await trigger(stub).handle(.objectsCreated([object("streaming-data/a")]), deadline: later)
            Issue.record("an answer without the step's id was taken as success")
        } catch {
            #expect(error.errorType == "EMR.InvalidResponse")
            #expect(error.description.contains("0 step id(s) for 1 step(s)"), "\(error.description)")
        }
    }

    @Test func throttlingAndServerErrorsAreRetried() async throws {
        let stub = StubEMR(failures: [.status(400, type: "ThrottlingException", message: "Rate exceeded"), .connectionLost,
                                      .headerOnly(503, errorType: "ServiceUnavailable")])
        let summary = try await trigger(stub).handle(.objectsCreated([object("streaming-data/a")]), deadline: later)
        #expect(summary.added.count == 1)
        #expect(stub.operations == ["DescribeCluster", "DescribeCluster", "DescribeCluster", "DescribeCluster", "ListSteps", "AddJobFlowSteps"])
    }

    @Test func retriesAreBoundedInNumber() async {
        let stub = StubEMR(failures: Array(repeating: .status(400, type: "ThrottlingException", message: "slow down"), count: 10))
        do {
            _ = try await trigger(stub).handle(.objectsCreated([object("streaming-data/a")]), deadline: later)
            Issue.record("expected an error")
        } catch {
            #expect(error.errorType == "EMR.Throttled")
        }
        #expect(stub.operations.count == 4)
    }

    @Test func retriesStopAtTheDeadline() async {
        let stub = StubEMR(failures: Array(repeating: .status(500, type: "InternalFailure", message: "oops"), count: 10))
        let patient = RetryPolicy(maximumAttempts: 10, baseDelay: .milliseconds(1), minimumAttemptTime: .seconds(5))
        do {
            _ = try await trigger(stub, retry: patient).handle(.objectsCreated([object("streaming-data/a")]), deadline: .now + .seconds(3))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("no time left to retry"))
        }
        #expect(stub.operations.count == 1)
    }

    @Test(arguments: [("UnrecognizedClientException", 400, "EMR.AccessDenied"), ("AccessDeniedException", 400, "EMR.AccessDenied"),
                      ("InvalidSignatureException", 403, "EMR.AccessDenied"), ("ValidationException", 400, "EMR.ValidationException")])
    func authenticationAndValidationErrorsAreNeverRetried(code: String, status: Int, errorType: String) async {
        let stub = StubEMR(failures: [.status(status, type: code, message: "refused")])
        do {
            _ = try await trigger(stub).handle(.objectsCreated([object("streaming-data/a")]), deadline: later)
            Issue.record("expected an error")
        } catch {
            #expect(error.errorType == errorType)
            #expect(error.description.contains(code))
        }
        #expect(stub.operations == ["DescribeCluster"])
    }
}

@Suite struct EMRClientTests {
    @Test func endpointsResolveAsTheSDKsDo() {
        #expect(EMRClient.endpoint(region: "ap-northeast-2", environment: [:])?.absoluteString == "https://elasticmapreduce.ap-northeast-2.amazonaws.com")
        #expect(EMRClient.endpoint(region: "cn-north-1", environment: [:])?.absoluteString == "https://elasticmapreduce.cn-north-1.amazonaws.com.cn")
        #expect(EMRClient.endpoint(region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "http://localhost:4566"])?.absoluteString == "http://localhost:4566")
        #expect(EMRClient.endpoint(region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_EMR": "http://emr:2"])?.absoluteString == "http://emr:2")
        #expect(EMRClient.endpoint(region: "us-east-1", environment: ["AWS_ENDPOINT_URL_EMR": "emr.local"]) == nil)
    }

    @Test func errorsAreReadFromTheBodyOrTheHeader() {
        let fromBody = EMRClient.serviceError("X", HTTPResponse(status: 400, body: Data(#"{"__type":"com.amazon.coral.service#SerializationException","Message":"bad"}"#.utf8)))
        #expect(fromBody.code == "SerializationException" && fromBody.message == "bad")
        let fromHeader = EMRClient.serviceError("X", HTTPResponse(status: 400, headers: ["X-Amzn-ErrorType": "ThrottlingException:http://internal"]))
        #expect(fromHeader.code == "ThrottlingException" && fromHeader.isThrottling && fromHeader.isRetryable)
        let bare = EMRClient.serviceError("X", HTTPResponse(status: 502, body: Data("<html>bad gateway</html>".utf8)))
        #expect(bare.code == "HTTP502" && bare.isRetryable)
    }

    @Test func requestsAreSignedForTheRegionWithTheSessionToken() async throws {
        let stub = StubEMR()
        let client = EMRClient(region: "eu-west-1", credentials: credentials, endpoint: URL(string: "http://127.0.0.1:5000")!, transport: stub)
        _ = try await client.describeCluster("j-ACTIVE", deadline: later)
        let headers = try #require(stub.state.withLock { $0.calls.first?.headers })
        #expect(headers["host"] == "127.0.0.1:5000")
        #expect(headers["x-amz-security-token"] == "session")
        #expect(headers["authorization"]?.contains("Credential=AKIDEXAMPLE/") == true)
        #expect(headers["authorization"]?.contains("/eu-west-1/elasticmapreduce/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,") == true)
    }

    @Test func backoffIsFullJitterUnderAnExponentialCap() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maximumDelay: .seconds(2))
        var random = SystemRandomNumberGenerator()
        for attempt in 1...8 {
            let cap = min(Duration.seconds(2), .milliseconds(100) * (1 << (attempt - 1)))
            let delays = (0..<200).map { _ in policy.delay(afterAttempt: attempt, using: &random) }
            #expect(delays.allSatisfy { $0 >= .zero && $0 <= cap })
            #expect(delays.max()! > cap / 2, "delays should spread up to the cap")
        }
    }
}
