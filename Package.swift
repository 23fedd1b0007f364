// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-streaming-lambdas",
    products: [
        // Libraries to build your own functions on: the runtime, and each function's module.
        .library(name: "LambdaRuntime", targets: ["LambdaRuntime"]),
        .library(name: "FirehoseTransform", targets: ["FirehoseTransform"]),
        .library(name: "S3EMRTrigger", targets: ["S3EMRTrigger"]),
        .library(name: "AWSSigning", targets: ["AWSSigning"]),

        // Both functions in one binary (named `bootstrap` in the Lambda zip; a package built on
        // this one is free to name its own product `bootstrap`).
        .executable(name: "streaming-lambdas", targets: ["Functions"]),
        .executable(name: "lambda-emulator", targets: ["LambdaEmulator"]),
        .executable(name: "firehose-bench", targets: ["Benchmarks"]),
        .executable(name: "bare-runtime-loop", targets: ["RuntimeLoopFloor"]),
    ],
    targets: [
        // Byte-level building blocks, standard library only.
        .target(name: "ByteJSON"),
        .target(name: "CivilTime"),

        // HTTP over URLSession for the runtime's and EMR's clients alike: total deadlines, no
        // redirects, errors that name the server and never its credentials.
        .target(name: "HTTPClient"),

        // The custom runtime: knows the Runtime API, nothing of Firehose or EMR.
        .target(name: "LambdaRuntime", dependencies: ["ByteJSON", "CivilTime", "HTTPClient"]),

        // Firehose: the event and response codec, then the transformers that run per record and
        // the handler that serves them.
        .target(name: "FirehoseCodec", dependencies: ["ByteJSON"]),
        .target(name: "FirehoseTransform", dependencies: ["FirehoseCodec", "ByteJSON", "CivilTime", "LambdaRuntime"]),

        // AWS request signing (SHA-256, HMAC, SigV4), knowing nothing of any one service.
        .target(name: "AWSSigning", dependencies: ["CivilTime"]),
        // Amazon EMR's JSON API with retries; S3 events to Spark steps, and their handler.
        .target(name: "EMRClient", dependencies: ["AWSSigning", "CivilTime", "HTTPClient"]),
        .target(name: "S3EMRTrigger", dependencies: ["EMRClient", "AWSSigning", "LambdaRuntime"]),

        // The one binary that serves both functions.
        .executableTarget(name: "Functions", dependencies: ["LambdaRuntime", "FirehoseTransform", "S3EMRTrigger"],
                          exclude: ["lambda-bootstrap.sh"]),

        // A local Lambda Runtime API, for `./build.sh invoke` and the integration tests.
        .executableTarget(name: "LambdaEmulator", dependencies: ["ByteJSON", "LambdaRuntime"]),

        // `./build.sh bench`: the Firehose handler against a Foundation version (and, from
        // `reference/`, the seeds' Python).
        .executableTarget(name: "Benchmarks", dependencies: ["FirehoseTransform", "LambdaRuntime"], exclude: ["reference"]),
        // The floor the runtime is measured against: a URLSession loop that does nothing else.
        .executableTarget(name: "RuntimeLoopFloor"),

        .testTarget(name: "ByteJSONTests", dependencies: ["ByteJSON", "CivilTime"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "HTTPClient"]),
        .testTarget(name: "FirehoseTests", dependencies: ["FirehoseCodec", "FirehoseTransform", "ByteJSON", "LambdaRuntime"]),
        .testTarget(name: "AWSSigningTests", dependencies: ["AWSSigning", "CivilTime"]),
        .testTarget(name: "S3EMRTriggerTests", dependencies: ["S3EMRTrigger", "EMRClient", "AWSSigning", "LambdaRuntime", "HTTPClient"]),
        .testTarget(name: "IntegrationTests", dependencies: ["ByteJSON", "FirehoseTransform", "S3EMRTrigger", "LambdaRuntime"],
                    exclude: ["emr_stub.py", "faulty_server.py", "Pipeline"]),
    ],
    swiftLanguageModes: [.v6]
)
