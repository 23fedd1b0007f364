import Foundation
import S3EMRTrigger
import LambdaRuntime
import Testing

@Suite struct S3EMRTriggerHandlerTests {
    static let configured = ["EMR_CLUSTER_ID": "j-ACTIVE", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s3cr3t"]

    private func initError(_ environment: [String: String]) -> ErrorResponse? {
        do {
            _ = try HandlerCatalog([.s3EMRTrigger]).makeHandler(named: "s3-emr-trigger", environment: LambdaEnvironment(environment))
            return nil
        } catch {
            return ErrorResponse(error)
        }
    }

    @Test(arguments: [("EMR_CLUSTER_ID", "EMR_CLUSTER_ID is not set"), ("AWS_ACCESS_KEY_ID", "no AWS credentials"),
                      ("AWS_REGION", "AWS_REGION is not set")])
    func missingSettingsAreInitErrorsNamingThem(removed: String, message: String) throws {
        var environment = S3EMRTriggerHandlerTests.configured
        environment[removed] = nil
        let error = try #require(initError(environment))
        #expect(error.errorType == "Runtime.InvalidConfiguration")
        #expect(error.errorMessage.contains("s3-emr-trigger") && error.errorMessage.contains(message), "\(error.errorMessage)")
        #expect(!error.errorMessage.contains("s3cr3t"))
    }

    @Test func aBadEndpointOverrideIsAnInitError() throws {
        var environment = S3EMRTriggerHandlerTests.configured
        environment["AWS_ENDPOINT_URL_EMR"] = "localhost:4566"
        #expect(try #require(initError(environment)).errorMessage.contains("not an http(s) URL"))
    }

    @Test func eventsThatAreNotFromS3AreInvalidAndTheTestEventIsNot() async throws {
        let handler = try HandlerCatalog([.s3EMRTrigger]).makeHandler(named: "s3-emr-trigger", environment: LambdaEnvironment(S3EMRTriggerHandlerTests.configured))
        let context = LambdaContext(requestID: "r", deadlineEpochMilliseconds: .max / 2, invokedFunctionARN: "",
                                    environment: LambdaEnvironment([:]), logger: LambdaLogger(format: .text, sink: { _ in }))
        await #expect(throws: InvalidEventError.self) {
            _ = try await handler.handle(Data(#"{"records":[{"recordId":"1"}]}"#.utf8), context: context)
        }
        let reply = try await handler.handle(Data(#"{"Service":"Amazon S3","Event":"s3:TestEvent"}"#.utf8), context: context)
        #expect(String(decoding: reply, as: UTF8.self).contains("\"testEvent\":true"))
    }
}
