import FirehoseTransform
import LambdaRuntime
import PersonalData

// `firehose-transform`, with `redactPersonalData` among the steps FIREHOSE_PIPELINE can name, and
// without FIREHOSE_PIPELINE the seeds' transform with its personal data taken out.
Lambda.main(handlers: [
    .firehoseTransform(steps: StepRegistry.builtIn.adding(RedactPersonalData.self), defaultPipeline: .redactedUserActivity),
])
