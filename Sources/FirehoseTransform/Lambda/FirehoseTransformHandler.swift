import CivilTime
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LambdaRuntime

/// Firehose's transformation Lambda: runs a pipeline over every record of each batch and logs
/// one CloudWatch Embedded Metric Format line per batch.
///
/// A binary serves it as the `firehose-transform` handler:
///
/// ```swift
/// Lambda.main(handlers: [.firehoseTransform(steps: StepRegistry.builtIn.adding(RedactEmail.self))])
/// ```
public struct FirehoseTransformHandler: LambdaHandler {
    /// The metric namespace when `METRICS_NAMESPACE` is unset.
    public static let defaultMetricsNamespace = "StreamingPipeline"

    let processor: BatchProcessor
    let metricsNamespace: String

    /// Runs `FIREHOSE_PIPELINE`, whose steps come from `steps`, or without it `defaultPipeline`.
    /// An invalid pipeline is a `ConfigurationError` naming the step and the reason.
    public init(environment: LambdaEnvironment, steps: StepRegistry = .builtIn,
                defaultPipeline: Pipeline = .usernameTimestampAction) throws {
        let pipeline: Pipeline
        if let configuration = environment["FIREHOSE_PIPELINE"] {
            do {
                pipeline = try PipelineConfiguration.parse(configuration, steps: steps)
            } catch {
                throw ConfigurationError(error.description)
            }
        } else {
            pipeline = defaultPipeline
        }
        self.init(pipeline: pipeline, environment: environment)
    }

    /// Runs `pipeline`, with the metrics namespace (`METRICS_NAMESPACE`) and threads (one per
    /// vCPU Lambda grants) that `environment` gives.
    public init(pipeline: Pipeline, environment: LambdaEnvironment) {
        processor = BatchProcessor(pipeline: pipeline, parallelism: environment.grantedProcessors)
        metricsNamespace = environment["METRICS_NAMESPACE"] ?? FirehoseTransformHandler.defaultMetricsNamespace
    }

    public func handle(_ event: Data, context: LambdaContext) async throws -> [UInt8] {
        let start = ContinuousClock.now
        let outcome: BatchProcessor.Outcome
        do {
            outcome = try processor.process(event)
        } catch {
            throw InvalidEventError(error.description)
        }
        let report = outcome.report
        let logger = context.logger
        if report.processingFailed > report.overBudget {
            let samples = report.failureSamples.map { "\($0.recordID): \($0.reason)" }.joined(separator: "; ")
            logger.warning("\(report.processingFailed - report.overBudget) of \(report.recordsIn) records failed and return to Firehose as ProcessingFailed with their original data; first: \(samples)")
        }
        if report.overBudget > 0 {
            logger.warning("\(report.overBudget) of \(report.recordsIn) transformed records did not fit Lambda's 6 MB response and return as ProcessingFailed with their original data (response \(report.bytesOut) bytes)")
        }
        if !report.responseFits {
            logger.error("the batch's original data alone exceeds Lambda's 6 MB response limit (\(report.bytesOut) bytes); Lambda will refuse the response")
        }
        logger.write(rawLine: report.embeddedMetricFormat(namespace: metricsNamespace, functionName: context.functionName,
                                                          durationMilliseconds: (ContinuousClock.now - start) / .milliseconds(1),
                                                          timestamp: UTCTime.currentEpochMilliseconds()))
        return outcome.response
    }
}

extension HandlerCatalog.Entry {
    /// `firehose-transform`: ``FirehoseTransformHandler``, with `steps` for `FIREHOSE_PIPELINE`
    /// and `defaultPipeline` without it.
    public static func firehoseTransform(steps: StepRegistry = .builtIn,
                                         defaultPipeline: Pipeline = .usernameTimestampAction) -> HandlerCatalog.Entry {
        HandlerCatalog.Entry("firehose-transform") { environment in
            try FirehoseTransformHandler(environment: environment, steps: steps, defaultPipeline: defaultPipeline)
        }
    }
}
