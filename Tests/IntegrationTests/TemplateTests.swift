import ByteJSON
import Foundation
import FirehoseTransform
import S3EMRTrigger
import LambdaRuntime
import Synchronization
import Testing

/// The pipeline's wiring as template.json declares it, and its configuration as the functions read it.
@Suite struct TemplateTests {
    static let functions = [("TransformFunction", "firehose-transform"), ("TriggerFunction", "s3-emr-trigger")]

    @Test(arguments: TemplateTests.functions)
    func bothFunctionsRunTheOneZipOnProvidedAL2(resource: String, handler: String) throws {
        let template = try Template()
        #expect(template.resources[resource]?["Type"] as? String == "AWS::Serverless::Function")
        let properties = try template.properties(resource)
        #expect(properties["CodeUri"] as? String == ".build/lambda/function.zip")
        #expect(properties["Runtime"] as? String == "provided.al2")
        #expect(properties["Architectures"] as? [String] == ["x86_64"])
        #expect(properties["Handler"] as? String == handler)
        #expect(Harness.handlers.names.contains(handler))
    }

    @Test func theDeliveryStreamReadsTheStreamAndCallsTheTransform() throws {
        let template = try Template()
        let stream = try template.properties("DeliveryStream")
        #expect(template.resources["DeliveryStream"]?["Type"] as? String == "AWS::KinesisFirehose::DeliveryStream")
        #expect(stream["DeliveryStreamType"] as? String == "KinesisStreamAsSource")
        let source = try #require(stream["KinesisStreamSourceConfiguration"] as? [String: Any])
        #expect(Template.getAtt(source["KinesisStreamARN"]) == "Stream.Arn")
        #expect(template.resources["Stream"]?["Type"] as? String == "AWS::Kinesis::Stream")

        let s3 = try #require(stream["ExtendedS3DestinationConfiguration"] as? [String: Any])
        #expect(Template.getAtt(s3["BucketARN"]) == "DataLakeBucket.Arn")
        #expect(Template.ref(s3["CompressionFormat"]).map { template.parameters[$0] != nil } == true)
        let processing = try #require(s3["ProcessingConfiguration"] as? [String: Any])
        #expect(processing["Enabled"] as? Bool == true)
        let processors = try #require(processing["Processors"] as? [[String: Any]])
        #expect(processors.count == 1 && processors.first?["Type"] as? String == "Lambda")
        var parameters: [String: Any] = [:]
        for parameter in processors.first?["Parameters"] as? [[String: Any]] ?? [] {
            parameters[try #require(parameter["ParameterName"] as? String)] = parameter["ParameterValue"]
        }
        #expect(Template.getAtt(parameters["LambdaArn"]) == "TransformFunction.Arn")
        for name in ["BufferSizeInMBs", "BufferIntervalInSeconds"] {
            let parameter = try #require(Template.ref(parameters[name]), "\(name) is not a template parameter")
            #expect(template.defaultValue(of: parameter) != nil)
        }
    }

    @Test func objectsLandUnderTheSeedsPartitionedPrefixAndErrorsElsewhere() throws {
        let s3 = try #require(try Template().properties("DeliveryStream")["ExtendedS3DestinationConfiguration"] as? [String: Any])
        let (dynamic, arrival) = try Template.branches(s3["Prefix"], on: "UseDynamicPartitioning")
        func layout(_ key: (String) -> String) -> String {
            "streaming-data/year=\(key("year"))/month=\(key("month"))/day=\(key("day"))/hour=\(key("hour"))/"
        }
        #expect(dynamic as? String == layout { "!{partitionKeyFromLambda:\($0)}" })
        let arrivalFormats = ["year": "yyyy", "month": "MM", "day": "dd", "hour": "HH"]
        #expect(arrival as? String == layout { "!{timestamp:\(arrivalFormats[$0]!)}" })
        let (enabled, _) = try Template.branches(s3["DynamicPartitioningConfiguration"], on: "UseDynamicPartitioning")
        #expect((enabled as? [String: Any])?["Enabled"] as? Bool == true)

        // Objects under streaming-data/ start Spark steps: failed records must not land there.
        let errors = try #require(s3["ErrorOutputPrefix"] as? String)
        #expect(!errors.isEmpty && !errors.hasPrefix("streaming-data/"))
    }

    @Test func withDynamicPartitioningTheTransformEmitsTheKeysThePrefixUses() async throws {
        let template = try Template()
        let variables = try #require(try template.properties("TransformFunction")["Environment"] as? [String: Any])
        let pipeline = try Template.branches((variables["Variables"] as? [String: Any])?["FIREHOSE_PIPELINE"], on: "HasPipeline").else
        let dynamic = try #require(try Template.branches(pipeline, on: "UseDynamicPartitioning").then as? String)

        let handler = try Harness.handlers.makeHandler(named: "firehose-transform",
                                                               environment: LambdaEnvironment(["FIREHOSE_PIPELINE": dynamic]))
        let event = try Harness.event("firehose-batch.json")
        let context = LambdaContext(requestID: "r", deadlineEpochMilliseconds: .max / 2, invokedFunctionARN: "",
                                    environment: LambdaEnvironment([:]), logger: LambdaLogger(format: .text, sink: { _ in }))
        let response = try JSONObject(parsing: try await handler.handle(Array(event), context: context))
        let request = try JSONObject(parsing: Array(event))
        let sent = try #require(request["records"]?.arrayValues)
        let returned = try #require(response["records"]?.arrayValues)
        #expect(returned.count == sent.count && !sent.isEmpty)

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for (input, output) in zip(sent, returned) {
            let record = try #require(output.objectValue)
            #expect(record["result"]?.stringValue == "Ok")
            let keys = try #require(record.value(at: ["metadata", "partitionKeys"])?.objectValue)
            let arrival = try #require(input.objectValue?["approximateArrivalTimestamp"]?.doubleValue)
            let date = calendar.dateComponents([.year, .month, .day, .hour], from: Date(timeIntervalSince1970: arrival / 1000))
            #expect(keys["year"]?.stringValue == String(format: "%04d", date.year!))
            #expect(keys["month"]?.stringValue == String(format: "%02d", date.month!))
            #expect(keys["day"]?.stringValue == String(format: "%02d", date.day!))
            #expect(keys["hour"]?.stringValue == String(format: "%02d", date.hour!))
        }
    }

    @Test func theTriggerHearsOfEveryNewObjectUnderStreamingData() throws {
        let template = try Template()
        let properties = try template.properties("TriggerFunction")
        let events = try #require(properties["Events"] as? [String: [String: Any]])
        let s3Events = events.values.filter { $0["Type"] as? String == "S3" }
        #expect(s3Events.count == 1)
        let event = try #require(s3Events.first?["Properties"] as? [String: Any])
        #expect(Template.ref(event["Bucket"]) == "DataLakeBucket")
        #expect(event["Events"] as? String == "s3:ObjectCreated:*")
        let rules = (event["Filter"] as? [String: Any]).flatMap { ($0["S3Key"] as? [String: Any])?["Rules"] as? [[String: String]] }
        #expect(rules == [["Name": "prefix", "Value": "streaming-data/"]])
        #expect(try template.environment(of: "TriggerFunction", overrides: ["EmrClusterId": "j-EXAMPLE"])["INPUT_PREFIX"] == "streaming-data/")
    }

    @Test(arguments: TemplateTests.functions)
    func theParametersDefaultsMakeAValidConfiguration(resource: String, handler: String) throws {
        let template = try Template()
        let pattern = try #require(template.parameters["EmrClusterId"]?["AllowedPattern"] as? String)
        let clusterID = "j-2AXXXXXXGAPLF"
        #expect(clusterID.range(of: pattern, options: .regularExpression) != nil)
        var environment = try template.environment(of: resource, overrides: ["EmrClusterId": clusterID])
        // What Lambda itself sets.
        environment.merge(["AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret",
                           "AWS_SESSION_TOKEN": "token"]) { own, _ in own }
        #expect(throws: Never.self) {
            _ = try Harness.handlers.makeHandler(named: handler, environment: LambdaEnvironment(environment))
        }
    }

    @Test func rolesReachOnlyThePipelinesOwnResources() throws {
        let template = try Template()
        let roles = template.resources(ofType: "AWS::IAM::Role")
        #expect(roles.count == 3)
        for (name, role) in roles {
            let properties = try #require(role["Properties"] as? [String: Any])
            #expect(properties["ManagedPolicyArns"] == nil, "\(name) uses a managed policy")
            for policy in properties["Policies"] as? [[String: Any]] ?? [] {
                let document = try #require(policy["PolicyDocument"] as? [String: Any])
                let statements = try #require(document["Statement"] as? [[String: Any]])
                for statement in statements {
                    #expect(statement["Effect"] as? String == "Allow")
                    let actions = (statement["Action"] as? [String]) ?? [(statement["Action"] as? String) ?? ""]
                    #expect(actions.allSatisfy { !$0.isEmpty && !$0.contains("*") }, "\(name): \(actions)")
                    let resources = (statement["Resource"] as? [Any]) ?? [statement["Resource"] as Any]
                    #expect(resources.allSatisfy { !($0 is String) }, "\(name) grants \(actions) on a fixed resource, not the stack's own")
                }
            }
        }
        let trigger = try #require(template.resources["TriggerRole"].map { String(describing: $0) })
        #expect(trigger.contains("cluster/${EmrClusterId}"))
    }

    @Test(arguments: ["TransformFunction", "TriggerFunction"])
    func functionsLogToGroupsWithRetention(function: String) throws {
        let template = try Template()
        let logging = try #require(try template.properties(function)["LoggingConfig"] as? [String: Any])
        #expect(logging["LogFormat"] as? String == "JSON")
        let group = try #require(Template.ref(logging["LogGroup"]))
        #expect(template.resources[group]?["Type"] as? String == "AWS::Logs::LogGroup")
        #expect(Template.ref(try template.properties(group)["RetentionInDays"]) == "LogRetentionDays")
    }

    @Test func alarmsWatchWhatTheSeedsAskFor() throws {
        let template = try Template()
        var watched: [String: [String]] = [:]
        for (_, alarm) in template.resources(ofType: "AWS::CloudWatch::Alarm") {
            let properties = try #require(alarm["Properties"] as? [String: Any])
            let namespace = (properties["Namespace"] as? String) ?? Template.ref(properties["Namespace"]).map { "Ref:\($0)" } ?? "?"
            watched["\(namespace) \(properties["MetricName"] as? String ?? "?")", default: []]
                .append(contentsOf: (properties["Dimensions"] as? [[String: Any]] ?? []).map { "\($0["Name"]!)=\(Template.ref($0["Value"]) ?? "")" })
        }
        #expect(watched["AWS/ElasticMapReduce StepsFailed"] == ["JobFlowId=EmrClusterId"])
        #expect(watched["AWS/Firehose DeliveryToS3.DataFreshness"] == ["DeliveryStreamName=DeliveryStream"])
        #expect(watched["AWS/Lambda Errors"]?.sorted() == ["FunctionName=TransformFunction", "FunctionName=TriggerFunction"])
        #expect(watched["Ref:MetricsNamespace RecordsProcessingFailed"] == ["FunctionName=TransformFunction"])
    }

    /// The processing-failure alarm reads the metric the transform emits, in the namespace it is given.
    @Test func theTransformEmitsTheMetricItsAlarmReads() async throws {
        let template = try Template()
        let alarm = try template.properties("TransformProcessingFailedAlarm")
        let environment = try template.environment(of: "TransformFunction")
        #expect(Template.ref(alarm["Namespace"]) == "MetricsNamespace")
        #expect(Template.ref((try template.properties("TransformFunction")["Environment"] as? [String: Any])
            .flatMap { ($0["Variables"] as? [String: Any])?["METRICS_NAMESPACE"] }) == "MetricsNamespace")

        let lines = Mutex<[String]>([])
        let logger = LambdaLogger(format: .json, sink: { line in lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) } })
        let context = LambdaContext(requestID: "r", deadlineEpochMilliseconds: .max / 2, invokedFunctionARN: "",
                                    environment: LambdaEnvironment(["AWS_LAMBDA_FUNCTION_NAME": "stack-TransformFunction-1"]), logger: logger)
        let handler = try Harness.handlers.makeHandler(named: "firehose-transform", environment: LambdaEnvironment(environment))
        let event = try Harness.event("firehose-bad-records.json")
        _ = try await handler.handle(Array(event), context: context)

        let line = try #require(lines.withLock { $0 }.first { $0.hasPrefix("{\"_aws\"") })
        let metrics = try JSONObject(parsing: Array(line.utf8.dropLast()))
        let declaration = try #require(metrics.value(at: ["_aws", "CloudWatchMetrics"])?.arrayValues?.first?.objectValue)
        #expect(declaration["Namespace"]?.stringValue == template.defaultValue(of: "MetricsNamespace"))
        let names = declaration["Metrics"]?.arrayValues?.compactMap { $0.objectValue?["Name"]?.stringValue } ?? []
        #expect(names.contains(try #require(alarm["MetricName"] as? String)))
        #expect(declaration["Dimensions"]?.arrayValues?.first?.arrayValues?.compactMap(\.stringValue) == ["FunctionName"])
        #expect(metrics["FunctionName"]?.stringValue == "stack-TransformFunction-1")
        #expect((metrics["RecordsProcessingFailed"]?.doubleValue ?? 0) > 0)
    }

    static let cfnLint = (try? Harness.run("/usr/bin/env", [Harness.tool("cfn-lint"), "--version"]))?.status == 0

    @Test(.enabled(if: TemplateTests.cfnLint || Harness.integrationRequired, Comment(rawValue: Harness.missingPyPI("cfn-lint"))))
    func cfnLintFindsNoErrorOrWarning() throws {
        #expect(TemplateTests.cfnLint, "REQUIRE_INTEGRATION=1 but cfn-lint is not installed")
        let result = try Harness.run("/usr/bin/env", [Harness.tool("cfn-lint"), "--format", "parseable", "--",
                                                               Harness.packageRoot.appendingPathComponent("template.json").path])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        #expect(result.stdoutText.isEmpty)
    }
}
