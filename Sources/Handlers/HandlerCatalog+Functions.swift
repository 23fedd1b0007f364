import LambdaRuntime

extension HandlerCatalog {
    /// Every function this binary serves, by the `_HANDLER` name each is deployed with.
    public static let functions = HandlerCatalog([
        (name: "firehose-transform", make: { environment in try FirehoseTransformHandler(environment: environment) }),
        (name: "s3-emr-trigger", make: { environment in try S3EMRTriggerHandler(environment: environment) }),
    ])
}
