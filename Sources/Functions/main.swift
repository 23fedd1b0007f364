import FirehoseTransform
import LambdaRuntime
import S3EMRTrigger

Lambda.main(handlers: [.firehoseTransform(), .s3EMRTrigger])
