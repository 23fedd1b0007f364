import ByteJSON
import Foundation
import FirehoseTransform
import S3EMRTrigger
import LambdaRuntime
import Synchronization
import Testing

extension Integration {
    /// The pipeline's wiring as template.json declares it, and its configuration as the functions read it.
    @Suite struct TemplateTests {
        static let functions = [("TransformFunction", "firehose-transform"), ("TriggerFunction", "s3-emr-trigger")]
        /// What the transform counts, as the README's "Metrics" lists it.
        static let transformRecordMetrics = ["RecordsIn", "RecordsOk", "RecordsDropped", "RecordsProcessingFailed", "RecordsOverBudget"]

        @Test(arguments: TemplateTests.functions)
        func bothFunctionsRunTheOneZipOnTheRuntimeParameter(resource: String, handler: String) throws {
            let template = try Template()
            #expect(template.resources[resource]?["Type"] as? String == "AWS::Serverless::Function")
            let properties = try template.properties(resource)
            #expect(properties["CodeUri"] as? String == ".build/lambda/function.zip")
            #expect(Template.ref(properties["Runtime"]) == "FunctionRuntime")
            #expect(properties["Architectures"] as? [String] == ["x86_64"])
            #expect(properties["Handler"] as? String == handler)
            #expect(Harness.handlers.names.contains(handler))
            // No cfn-lint rule is silenced for the runtime any more.
            #expect(template.resources[resource]?["Metadata"] == nil)
        }

        /// provided.al2023 unless a deployment picks provided.al2: the zip runs on both.
        @Test func theRuntimeIsAL2023UnlessAL2IsChosen() throws {
            let runtime = try #require(try Template().parameters["FunctionRuntime"])
            #expect(runtime["Type"] as? String == "String")
            #expect(runtime["Default"] as? String == "provided.al2023")
            #expect(runtime["AllowedValues"] as? [String] == ["provided.al2023", "provided.al2"])
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
            // Firehose compresses JSON objects as asked; with Parquet, the file compresses itself.
            let (parquet, json) = try Template.branches(s3["CompressionFormat"], on: "UseParquet")
            #expect(parquet as? String == "UNCOMPRESSED")
            #expect(Template.ref(json).map { template.parameters[$0] != nil } == true)
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
            let response = try JSONObject(parsing: try await handler.handle(event, context: context))
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

        /// Two ways to deploy: the defaults (JSON, the stack's own cluster), and Parquet onto a given cluster.
        static let deployments: [[String: String]] = [[:], ["StreamFormat": "parquet", "EmrClusterId": "j-2AXXXXXXGAPLF"]]

        @Test(arguments: TemplateTests.deployments)
        func rolesReachOnlyThePipelinesOwnResources(overrides: [String: String]) throws {
            let template = try Template()
            let conditions = try template.conditions(overrides)
            let roles = template.resources(ofType: "AWS::IAM::Role").filter { template.exists($0.name, conditions) }
            #expect(roles.count == (conditions["CreateEmrCluster"] == true ? 5 : 3))
            for (name, role) in roles {
                let declared = try #require(role["Properties"])
                let properties = try #require(try Template.resolved(declared, conditions) as? [String: Any])
                // One AWS-managed policy, where there is no other way (see the README): EMR's service role.
                let managed = (properties["ManagedPolicyArns"] as? [Any] ?? []).map { Template.sub($0) ?? "\($0)" }
                #expect(managed == (name == "EmrServiceRole" ? ["arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2"] : []),
                        "\(name) uses a managed policy")
                let statements = Template.statements(of: properties)
                #expect(!statements.isEmpty, "\(name) has no inline policy")
                for statement in statements {
                    #expect(statement["Effect"] as? String == "Allow")
                    let actions = Template.actions(of: statement)
                    #expect(actions.allSatisfy { !$0.isEmpty && !$0.contains("*") }, "\(name): \(actions)")
                    let resources = Template.resourceValues(of: statement)
                    #expect(!resources.isEmpty && resources.allSatisfy { !($0 is String) },
                            "\(name) grants \(actions) on a fixed resource, not the stack's own")
                }
            }
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
                    .append(contentsOf: (properties["Dimensions"] as? [[String: Any]] ?? []).map { "\($0["Name"]!)=\(Template.describe($0["Value"]))" })
            }
            #expect(watched["AWS/ElasticMapReduce AppsFailed"] == ["JobFlowId=CreateEmrCluster ? EmrCluster : EmrClusterId"])
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

            let metrics = try await TemplateTests.transformMetricsLine(environment: environment)
            let declaration = try #require(metrics.value(at: ["_aws", "CloudWatchMetrics"])?.arrayValues?.first?.objectValue)
            #expect(declaration["Namespace"]?.stringValue == template.defaultValue(of: "MetricsNamespace"))
            let names = declaration["Metrics"]?.arrayValues?.compactMap { $0.objectValue?["Name"]?.stringValue } ?? []
            #expect(names.contains(try #require(alarm["MetricName"] as? String)))
            #expect(declaration["Dimensions"]?.arrayValues?.first?.arrayValues?.compactMap(\.stringValue) == ["FunctionName"])
            #expect(metrics["FunctionName"]?.stringValue == "stack-TransformFunction-1")
            #expect((metrics["RecordsProcessingFailed"]?.doubleValue ?? 0) > 0)
        }

        /// The Embedded Metric Format line the transform logs for `firehose-bad-records.json`, run with
        /// `environment` as function `stack-TransformFunction-1`.
        static func transformMetricsLine(environment: [String: String]) async throws -> JSONObject {
            let lines = Mutex<[String]>([])
            let logger = LambdaLogger(format: .json, sink: { line in lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) } })
            let context = LambdaContext(requestID: "r", deadlineEpochMilliseconds: .max / 2, invokedFunctionARN: "",
                                        environment: LambdaEnvironment(["AWS_LAMBDA_FUNCTION_NAME": "stack-TransformFunction-1"]), logger: logger)
            let handler = try Harness.handlers.makeHandler(named: "firehose-transform", environment: LambdaEnvironment(environment))
            let event = try Harness.event("firehose-bad-records.json")
            _ = try await handler.handle(event, context: context)

            let line = try #require(lines.withLock { $0 }.first { $0.hasPrefix("{\"_aws\"") })
            return try JSONObject(parsing: Array(line.utf8.dropLast()))
        }

        /// StreamFormat=parquet: Firehose converts the transform's JSON to Parquet with a Glue table whose
        /// columns are exactly what the default transform writes.
        @Test func withParquetFirehoseConvertsWithATableOfTheTransformsColumns() async throws {
            let template = try Template()
            #expect(try template.conditions()["UseParquet"] == false)
            let parquet = try template.conditions(["StreamFormat": "parquet"])
            #expect(parquet["UseParquet"] == true)

            let declared = try #require(try template.properties("DeliveryStream")["ExtendedS3DestinationConfiguration"])
            let json = try #require(try Template.resolved(declared, try template.conditions()) as? [String: Any])
            #expect(json["DataFormatConversionConfiguration"] == nil)
            #expect(Template.ref(json["CompressionFormat"]) == "Compression")

            let s3 = try #require(try Template.resolved(declared, parquet) as? [String: Any])
            // Firehose's rules for conversion: no compression of the object (Parquet compresses inside)...
            #expect(s3["CompressionFormat"] as? String == "UNCOMPRESSED")
            // ...and buffers of 64 MB or more.
            let smallest = try #require(template.parameters["DeliveryBufferSizeMB"]?["MinValue"] as? NSNumber)
            #expect(Template.ref((s3["BufferingHints"] as? [String: Any])?["SizeInMBs"]) == "DeliveryBufferSizeMB" && smallest.intValue >= 64)
            let conversion = try #require(s3["DataFormatConversionConfiguration"] as? [String: Any])
            #expect(conversion["Enabled"] as? Bool == true)
            let deserializer = (conversion["InputFormatConfiguration"] as? [String: Any])?["Deserializer"] as? [String: Any]
            #expect(deserializer.map { Array($0.keys) } == ["OpenXJsonSerDe"])
            let serializer = (conversion["OutputFormatConfiguration"] as? [String: Any])?["Serializer"] as? [String: Any]
            #expect(serializer.map { Array($0.keys) } == ["ParquetSerDe"])
            let schema = try #require(conversion["SchemaConfiguration"] as? [String: Any])
            #expect(Template.ref(schema["DatabaseName"]) == "GlueDatabase")
            #expect(Template.ref(schema["TableName"]) == "GlueTable")
            #expect(Template.getAtt(schema["RoleARN"]) == "FirehoseRole.Arn")

            for (resource, type) in [("GlueDatabase", "AWS::Glue::Database"), ("GlueTable", "AWS::Glue::Table")] {
                #expect(template.resources[resource]?["Type"] as? String == type)
                #expect(template.resources[resource]?["Condition"] as? String == "UseParquet")
            }
            let table = try template.properties("GlueTable")
            #expect(Template.ref(table["DatabaseName"]) == "GlueDatabase")
            let storage = try #require((table["TableInput"] as? [String: Any])?["StorageDescriptor"] as? [String: Any])
            let columns = try #require(storage["Columns"] as? [[String: String]])
            #expect(columns.allSatisfy { $0["Type"] == "string" }, "\(columns)")
            let columnNames = columns.compactMap { $0["Name"] }

            // What the transform really writes with the template's configuration for Parquet.
            let environment = try template.environment(of: "TransformFunction", overrides: ["StreamFormat": "parquet"])
            let handler = try Harness.handlers.makeHandler(named: "firehose-transform", environment: LambdaEnvironment(environment))
            let event = try Harness.event("firehose-batch.json")
            let context = LambdaContext(requestID: "r", deadlineEpochMilliseconds: .max / 2, invokedFunctionARN: "",
                                        environment: LambdaEnvironment([:]), logger: LambdaLogger(format: .text, sink: { _ in }))
            let response = try JSONObject(parsing: try await handler.handle(event, context: context))
            let records = try #require(response["records"]?.arrayValues)
            #expect(!records.isEmpty)
            for record in records {
                let fields = try #require(record.objectValue)
                #expect(fields["result"]?.stringValue == "Ok")
                let text = try #require(fields["data"]?.stringValue)
                var line = Array(try #require(Data(base64Encoded: text)))
                while line.last == UInt8(ascii: "\n") { line.removeLast() }
                let row = try JSONObject(parsing: line)
                #expect(row.members.map { row.key(of: $0) } == columnNames)
            }
        }

        /// Firehose may read the one table it converts with, in its database and catalog: nothing else of Glue.
        @Test func firehoseMayReadOnlyTheGlueTableItConvertsWith() throws {
            let template = try Template()
            func glueStatements(_ overrides: [String: String]) throws -> [[String: Any]] {
                let role = try #require(try Template.resolved(try template.properties("FirehoseRole"), try template.conditions(overrides)) as? [String: Any])
                return Template.statements(of: role).filter { Template.actions(of: $0).contains { $0.hasPrefix("glue:") } }
            }
            #expect(try glueStatements([:]).isEmpty)
            let statements = try glueStatements(["StreamFormat": "parquet"])
            #expect(statements.count == 1)
            let statement = try #require(statements.first)
            #expect(Set(Template.actions(of: statement)) == ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"])
            let arn = "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
            let resources = Template.resourceValues(of: statement).map { Template.sub($0) ?? "\($0)" }
            #expect(resources.sorted() == [arn + "catalog", arn + "database/${GlueDatabase}", arn + "table/${GlueDatabase}/${GlueTable}"].sorted())
        }

        /// The seeds' Step 8 dashboard, for the stack's own stream, delivery stream, cluster and functions.
        @Test func theDashboardShowsThePipelinesMetrics() async throws {
            let template = try Template()
            #expect(template.resources["Dashboard"]?["Type"] as? String == "AWS::CloudWatch::Dashboard")
            let declared = try template.properties("Dashboard")["DashboardBody"]
            let body = try #require(Template.sub(declared), "the dashboard body is not an Fn::Sub")
            let variables = Template.subVariables(declared)
            let pattern = try NSRegularExpression(pattern: #"\$\{([^}]+)\}"#)
            let whole = NSRange(body.startIndex..., in: body)
            for match in pattern.matches(in: body, range: whole) {
                let name = try #require(Range(match.range(at: 1), in: body).map { String(body[$0]) })
                #expect(name.hasPrefix("AWS::") || template.parameters[name] != nil || template.resources[name] != nil || variables[name] != nil,
                        "the dashboard names ${\(name)}, which Fn::Sub cannot resolve")
            }
            let (own, given) = try Template.branches(variables["ClusterId"], on: "CreateEmrCluster")
            #expect(Template.ref(own) == "EmrCluster" && Template.ref(given) == "EmrClusterId")

            // The body with each ${Name} written as Name is the JSON CloudWatch gets.
            let named = pattern.stringByReplacingMatches(in: body, range: whole, withTemplate: "$1")
            let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(named.utf8)) as? [String: Any])
            var shown: Set<String> = []
            for widget in dashboard["widgets"] as? [[String: Any]] ?? [] {
                let properties = widget["properties"] as? [String: Any]
                #expect(properties?["region"] as? String == "AWS::Region")
                for metric in properties?["metrics"] as? [[String]] ?? [] {
                    shown.insert(metric.joined(separator: " "))
                }
            }
            var expected = ["AWS/Kinesis IncomingRecords StreamName Stream",
                            "AWS/Firehose DeliveryToS3.Records DeliveryStreamName DeliveryStream"]
            expected += ["StepsRunning", "StepsCompleted", "StepsFailed"].map { "AWS/ElasticMapReduce \($0) JobFlowId ClusterId" }
            expected += TemplateTests.transformRecordMetrics.map { "MetricsNamespace \($0) FunctionName TransformFunction" }
            for function in ["TransformFunction", "TriggerFunction"] {
                expected += ["Duration", "Errors"].map { "AWS/Lambda \($0) FunctionName \(function)" }
            }
            for metric in expected {
                #expect(shown.contains(metric), "the dashboard lacks \(metric)")
            }

            // The transform's own metrics are ones it emits.
            let line = try await TemplateTests.transformMetricsLine(environment: try template.environment(of: "TransformFunction"))
            let declaration = line.value(at: ["_aws", "CloudWatchMetrics"])?.arrayValues?.first?.objectValue
            let emitted = declaration?["Metrics"]?.arrayValues?.compactMap { $0.objectValue?["Name"]?.stringValue } ?? []
            #expect(Set(TemplateTests.transformRecordMetrics).isSubset(of: emitted), "\(emitted)")
        }

        /// The seeds' Step 3 cluster, created by the stack when no cluster is given.
        @Test func theStackCreatesTheSeedsClusterOnlyWhenNoneIsGiven() throws {
            let template = try Template()
            let parameter = try #require(template.parameters["EmrClusterId"])
            #expect(parameter["Default"] as? String == "")
            let pattern = try NSRegularExpression(pattern: try #require(parameter["AllowedPattern"] as? String))
            for (id, allowed) in [("", true), ("j-2AXXXXXXGAPLF", true), ("cluster-1", false)] {
                let matches = pattern.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil
                #expect(matches == allowed, "EmrClusterId \"\(id)\"")
            }
            #expect(try template.conditions()["CreateEmrCluster"] == true)
            #expect(try template.conditions(["EmrClusterId": "j-2AXXXXXXGAPLF"])["CreateEmrCluster"] == false)
            for resource in ["EmrCluster", "EmrServiceRole", "EmrInstanceRole", "EmrInstanceProfile"] {
                #expect(template.resources[resource]?["Condition"] as? String == "CreateEmrCluster", "\(resource)")
            }
            #expect(template.resources["EmrCluster"]?["Type"] as? String == "AWS::EMR::Cluster")
            let cluster = try template.properties("EmrCluster")

            let release = try #require(Template.ref(cluster["ReleaseLabel"]).flatMap { template.defaultValue(of: $0) })
            #expect(release.range(of: #"^emr-7\.[0-9]+\.[0-9]+$"#, options: .regularExpression) != nil, "\(release)")
            #expect(Set((cluster["Applications"] as? [[String: String]] ?? []).compactMap { $0["Name"] }) == ["Spark", "Hadoop", "Hive"])

            let instances = try #require(cluster["Instances"] as? [String: Any])
            let master = try #require(instances["MasterInstanceGroup"] as? [String: Any])
            #expect(master["Market"] as? String == "ON_DEMAND")
            #expect(master["InstanceType"] as? String == "m5.xlarge")
            #expect((master["InstanceCount"] as? NSNumber)?.intValue == 1)
            let core = try #require(instances["CoreInstanceGroup"] as? [String: Any])
            #expect(core["Market"] as? String == "SPOT")
            #expect((core["InstanceType"] as? String)?.hasPrefix("m5.") == true)
            #expect((core["InstanceCount"] as? NSNumber)?.intValue == 2)
            #expect(instances["KeepJobFlowAliveWhenNoSteps"] as? Bool == true)
            #expect(Template.ref(instances["Ec2SubnetId"]) == "EmrSubnetId")
            let rules = (template.root["Rules"] as? [String: Any])?["NewClusterNeedsSubnet"] as? [String: Any]
            #expect(rules != nil, "nothing asks for the subnet of the stack's own cluster")

            #expect(((cluster["AutoTerminationPolicy"] as? [String: Any])?["IdleTimeout"] as? NSNumber)?.intValue == 14400)
            let limits = try #require((cluster["ManagedScalingPolicy"] as? [String: Any])?["ComputeLimits"] as? [String: Any])
            #expect(limits["UnitType"] as? String == "Instances")
            #expect((limits["MinimumCapacityUnits"] as? NSNumber)?.intValue == 2)
            #expect((limits["MaximumCapacityUnits"] as? NSNumber)?.intValue == 10)

            let bucket = try #require(Template.sub(try template.properties("DataLakeBucket")["BucketName"]))
            #expect(Template.sub(cluster["LogUri"]) == "s3://\(bucket)/emr-logs/")
            let configurations = cluster["Configurations"] as? [[String: Any]] ?? []
            let sparkDefaults = configurations.first { $0["Classification"] as? String == "spark-defaults" }
            #expect(sparkDefaults?["ConfigurationProperties"] as? [String: String] == [
                "spark.sql.adaptive.enabled": "true",
                "spark.sql.adaptive.coalescePartitions.enabled": "true",
                "spark.hadoop.fs.s3a.multipart.size": "134217728",
                "spark.sql.parquet.compression.codec": "snappy",
                "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
            ])
            // AmazonEMRServicePolicy_v2 acts only on what carries this tag; EMR passes it on.
            let tags = cluster["Tags"] as? [[String: String]] ?? []
            #expect(tags.contains(["Key": "for-use-with-amazon-emr-managed-policies", "Value": "true"]))

            #expect(Template.ref(cluster["ServiceRole"]) == "EmrServiceRole")
            #expect(Template.ref(cluster["JobFlowRole"]) == "EmrInstanceProfile")
            let profileRoles = try template.properties("EmrInstanceProfile")["Roles"] as? [Any] ?? []
            #expect(profileRoles.map { Template.describe($0) } == ["EmrInstanceRole"])
            let passes = Template.statements(of: try template.properties("EmrServiceRole")).filter { Template.actions(of: $0) == ["iam:PassRole"] }
            #expect(passes.count == 1 && Template.getAtt(passes.first?["Resource"]) == "EmrInstanceRole.Arn")
        }

        /// The trigger, the EMR alarm, the dashboard and the output all name the cluster the condition picks.
        @Test func theTriggerAndTheMonitoringFollowTheCluster() throws {
            let template = try Template()
            func expectFollowsTheCluster(_ value: Any?, _ what: String) {
                #expect(Template.describe(value) == "CreateEmrCluster ? EmrCluster : EmrClusterId", "\(what)")
            }
            let variables = (try template.properties("TriggerFunction")["Environment"] as? [String: Any])?["Variables"] as? [String: Any]
            expectFollowsTheCluster(variables?["EMR_CLUSTER_ID"], "the trigger's EMR_CLUSTER_ID")
            #expect(try template.environment(of: "TriggerFunction", overrides: ["EmrClusterId": "j-1ABC"])["EMR_CLUSTER_ID"] == "j-1ABC")
            #expect(try template.environment(of: "TriggerFunction")["EMR_CLUSTER_ID"] == nil, "the stack's own cluster is a resource")

            let emr = Template.statements(of: try template.properties("TriggerRole"))
                .filter { Template.actions(of: $0).contains { $0.hasPrefix("elasticmapreduce:") } }
            #expect(emr.count == 1)
            let resource = emr.first?["Resource"]
            #expect(Template.sub(resource) == "arn:${AWS::Partition}:elasticmapreduce:${AWS::Region}:${AWS::AccountId}:cluster/${ClusterId}")
            expectFollowsTheCluster(Template.subVariables(resource)["ClusterId"], "the trigger's IAM resource")

            var emrAlarms = 0
            for (name, alarm) in template.resources(ofType: "AWS::CloudWatch::Alarm") {
                let properties = alarm["Properties"] as? [String: Any] ?? [:]
                guard properties["Namespace"] as? String == "AWS/ElasticMapReduce" else { continue }
                emrAlarms += 1
                let dimensions = properties["Dimensions"] as? [[String: Any]] ?? []
                #expect(dimensions.map { $0["Name"] as? String } == ["JobFlowId"], "\(name)")
                expectFollowsTheCluster(dimensions.first?["Value"], name)
            }
            #expect(emrAlarms > 0)
            expectFollowsTheCluster(Template.subVariables(try template.properties("Dashboard")["DashboardBody"])["ClusterId"], "the dashboard")
            expectFollowsTheCluster(template.outputs["ClusterId"]?["Value"], "the ClusterId output")
        }

        /// The cluster's nodes read the stream's objects and the scripts, and write only the Spark job's
        /// output and the cluster's logs. Spark's output commit also reads, lists and deletes under
        /// processed-data/, and S3A probes the key processed-data itself before writing there.
        @Test func theClusterNodesReadTheInputsAndWriteOnlyOutputsAndLogs() throws {
            let template = try Template()
            let bucket = try #require(Template.sub(try template.properties("DataLakeBucket")["BucketName"]))
            let bucketARN = "arn:${AWS::Partition}:s3:::\(bucket)"
            let writes: Set<String> = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
            var readable: Set<String> = [], writable: Set<String> = [], deletable: Set<String> = [], onTheBucket: Set<String> = []
            for statement in Template.statements(of: try template.properties("EmrInstanceRole")) {
                let actions = Template.actions(of: statement)
                #expect(actions.allSatisfy { $0.hasPrefix("s3:") }, "\(actions)")
                for resource in Template.resourceValues(of: statement) {
                    let arn = try #require(Template.sub(resource), "\(resource) is not an Fn::Sub")
                    if arn == bucketARN {
                        onTheBucket.formUnion(actions)
                        continue
                    }
                    #expect(arn.hasPrefix(bucketARN + "/"), "\(arn) is not in the data lake bucket")
                    let key = String(arn.dropFirst(bucketARN.count + 1))
                    if actions.contains("s3:GetObject") { readable.insert(key) }
                    if !writes.isDisjoint(with: actions) { writable.insert(key) }
                    if actions.contains("s3:DeleteObject") { deletable.insert(key) }
                }
            }
            #expect(writable == ["processed-data/*", "emr-logs/*"])
            #expect(deletable == ["processed-data/*"])
            #expect(readable == ["streaming-data/*", "scripts/*", "processed-data/*", "processed-data"])
            #expect(onTheBucket.contains("s3:ListBucket"))
            #expect(onTheBucket.isSubset(of: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]), "\(onTheBucket)")
            // Where the cluster logs and where the trigger points the job are within those grants.
            #expect(Template.sub(try template.properties("EmrCluster")["LogUri"]) == "s3://\(bucket)/emr-logs/")
            let script = try #require(template.defaultValue(of: "SparkScript"))
            #expect(script.hasPrefix("s3://{bucket}/scripts/"))
            #expect(template.defaultValue(of: "SparkOutputPrefix") == "s3://{bucket}/processed-data/")
        }

        /// What `./build.sh deploy` needs once the stack exists: where to upload the Spark script.
        @Test func theOutputsSayWhereTheSparkScriptGoes() throws {
            let template = try Template()
            #expect(Template.ref(template.outputs["BucketName"]?["Value"]) == "DataLakeBucket")
            #expect(Template.ref(template.outputs["SparkScript"]?["Value"]) == "SparkScript")
            #expect(template.outputs["ClusterId"] != nil)
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
}
