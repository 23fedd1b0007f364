import CivilTime
import FirehoseTransform
import LambdaRuntime

/// Firehose's transformation Lambda: runs `FIREHOSE_PIPELINE` (by default the seeds' transform)
/// over every record, and logs one CloudWatch Embedded Metric Format line per batch.
public struct FirehoseTransformHandler: LambdaHandler {
    let processor: BatchProcessor
    let metricsNamespace: String

    public init(environment: LambdaEnvironment) throws {
        let pipeline: Pipeline
        if let configuration = environment["FIREHOSE_PIPELINE"] {
            do {
                pipeline = try PipelineConfiguration.parse(configuration)
            } catch {
                throw ConfigurationError(error.description)
            }
        } else {
            pipeline = .seeds
        }
        processor = BatchProcessor(pipeline: pipeline)
        metricsNamespace = environment["METRICS_NAMESPACE"] ?? "StreamingPipeline"
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
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
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.write(rawLine: report.embeddedMetricFormat(namespace: metricsNamespace, functionName: context.functionName,
                                                          durationMilliseconds: milliseconds,
                                                          timestamp: UTCTime.currentEpochMilliseconds()))
        return outcome.response
    }
}
