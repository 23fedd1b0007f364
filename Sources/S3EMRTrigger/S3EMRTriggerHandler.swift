import AWSSigning
import EMRClient
import Foundation
import HTTPClient
import LambdaRuntime

/// The S3 event notification's Lambda: adds a Spark step to the EMR cluster for the objects
/// Firehose writes under `streaming-data/`.
public struct S3EMRTriggerHandler: LambdaHandler {
    let trigger: EMRTrigger
    /// Time kept back from the invocation's deadline for reporting an error.
    static let reserve: Duration = .milliseconds(500)

    /// A trigger configured from `environment` (see ``TriggerConfiguration``), calling EMR through
    /// `transport`. A missing or invalid setting is a `ConfigurationError` naming it.
    public init(environment: LambdaEnvironment, transport: any HTTPTransport = URLSessionTransport()) throws {
        let configuration: TriggerConfiguration
        do {
            configuration = try TriggerConfiguration(environment: environment.variables)
        } catch {
            throw ConfigurationError(error.description)
        }
        guard let region = environment.region else {
            throw ConfigurationError("AWS_REGION is not set (Lambda sets it; set it for local runs)")
        }
        guard let credentials = AWSCredentials(environment: environment.variables) else {
            throw ConfigurationError("no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the function's role)")
        }
        guard let endpoint = EMRClient.endpoint(region: region, environment: environment.variables) else {
            throw ConfigurationError("AWS_ENDPOINT_URL_EMR or AWS_ENDPOINT_URL is not an http(s) URL")
        }
        trigger = EMRTrigger(configuration: configuration,
                             client: EMRClient(region: region, credentials: credentials, endpoint: endpoint, transport: transport))
    }

    public func handle(_ event: Data, context: LambdaContext) async throws -> [UInt8] {
        guard let s3Event = S3Event(json: [UInt8](event)) else {
            throw InvalidEventError("not an S3 event: expected an S3 notification (\"Records\"), an EventBridge \"Object Created\" event, or the s3:TestEvent")
        }
        let logger = context.logger
        let summary: TriggerSummary
        do {
            summary = try await trigger.handle(s3Event, deadline: .now + context.remainingTime - S3EMRTriggerHandler.reserve,
                                               log: { logger.info($0) })
        } catch {
            throw TriggerFailure(error)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(summary))
    }
}

/// A trigger error as Lambda reports it: the event is retried and can reach a dead-letter queue.
struct TriggerFailure: LambdaError, CustomStringConvertible {
    let errorType: String
    let description: String

    init(_ error: TriggerError) {
        errorType = error.errorType
        description = error.description
    }
}

extension HandlerCatalog.Entry {
    /// `s3-emr-trigger`: ``S3EMRTriggerHandler``.
    public static let s3EMRTrigger = HandlerCatalog.Entry("s3-emr-trigger") { environment in
        try S3EMRTriggerHandler(environment: environment)
    }
}
