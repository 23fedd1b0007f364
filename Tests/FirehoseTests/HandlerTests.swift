import ByteJSON
import FirehoseTransform
import Foundation
import LambdaRuntime
import Synchronization
import Testing

@Suite struct FirehoseTransformHandlerTests {
    final class Lines: Sendable {
        let captured = Mutex<[String]>([])
        var sink: LambdaLogger.Sink { { line in self.captured.withLock { $0.append(String(decoding: line, as: UTF8.self)) } } }
    }

    private func context(_ lines: Lines) -> LambdaContext {
        LambdaContext(requestID: "req", deadlineEpochMilliseconds: 0, invokedFunctionARN: "",
                      environment: LambdaEnvironment(["AWS_LAMBDA_FUNCTION_NAME": "transform"]),
                      logger: LambdaLogger(format: .json, sink: lines.sink).with(requestID: "req"))
    }

    @Test func anInvalidPipelineIsAnInitErrorNamingTheStep() {
        let environment = LambdaEnvironment(["FIREHOSE_PIPELINE": #"[{"extract": {"a": "a"}}, {"filter": {"field": "a"}}]"#])
        do {
            _ = try HandlerCatalog([.firehoseTransform()]).makeHandler(named: "firehose-transform", environment: environment)
            Issue.record("accepted an invalid pipeline")
        } catch {
            let response = ErrorResponse(error)
            #expect(response.errorType == "Runtime.InvalidConfiguration")
            #expect(response.errorMessage.contains("firehose-transform"))
            #expect(response.errorMessage.contains("FIREHOSE_PIPELINE step 2 (filter)"))
        }
    }

    @Test func logsMetricsAndAWarningForFailedRecords() async throws {
        let lines = Lines()
        let handler = try FirehoseTransformHandler(environment: LambdaEnvironment(["METRICS_NAMESPACE": "Test/Pipeline"]))
        let response = try await handler.handle(TestBatch.event([TestBatch.record("a", json: "{}"), TestBatch.record("b", json: "{")]),
                                                context: context(lines))
        #expect(try TestBatch.results(response).map(\.result) == ["Ok", "ProcessingFailed"])
        let logged = lines.captured.withLock { $0 }
        let metrics = try #require(logged.first { $0.hasPrefix("{\"_aws\"") })
        let object = try JSONObject(parsing: Array(metrics.utf8.dropLast()))
        #expect(object.value(at: ["_aws", "CloudWatchMetrics"])?.arrayValues?.first?.objectValue?["Namespace"]?.stringValue == "Test/Pipeline")
        #expect(object["RecordsProcessingFailed"]?.rawText == "1" && object["FunctionName"]?.stringValue == "transform")
        let warning = try #require(logged.first { $0.contains("\"WARN\"") })
        #expect(warning.contains("1 of 2 records failed") && warning.contains("b: the data is not valid JSON"))
    }

    @Test func anEventThatIsNotABatchIsAnInvalidEventError() async throws {
        let handler = try FirehoseTransformHandler(environment: LambdaEnvironment([:]))
        await #expect(throws: InvalidEventError.self) {
            _ = try await handler.handle(Data(#"{"Records":[{"s3":{}}]}"#.utf8), context: context(Lines()))
        }
    }
}
