// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-streaming-lambdas",
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
        .executable(name: "lambda-emulator", targets: ["LambdaEmulator"]),
        .executable(name: "firehose-bench", targets: ["Benchmarks"]),
    ],
    targets: [
        // Byte-level building blocks, standard library only.
        .target(name: "ByteJSON"),
        .target(name: "CivilTime"),

        // What the two HTTP clients (the runtime's and EMR's) share: a response, one URLSession.
        .target(name: "HTTPExchange"),

        // The custom runtime: knows the Runtime API, nothing of Firehose or EMR.
        .target(name: "LambdaRuntime", dependencies: ["ByteJSON", "CivilTime", "HTTPExchange"]),

        // Firehose: the event and response codec, then the transformers that run per record.
        .target(name: "FirehoseCodec", dependencies: ["ByteJSON"]),
        .target(name: "FirehoseTransform", dependencies: ["FirehoseCodec", "ByteJSON", "CivilTime"]),

        // AWS request signing (SHA-256, HMAC, SigV4), knowing nothing of any one service.
        .target(name: "AWSSigning", dependencies: ["CivilTime"]),
        // Amazon EMR's JSON API with retries; S3 events to Spark steps.
        .target(name: "EMRClient", dependencies: ["AWSSigning", "CivilTime", "HTTPExchange"]),
        .target(name: "S3EMRTrigger", dependencies: ["EMRClient", "AWSSigning"]),

        // The functions, joined to the runtime by thin adapters in `Handlers`.
        .target(name: "Handlers", dependencies: ["LambdaRuntime", "FirehoseTransform", "S3EMRTrigger", "EMRClient", "AWSSigning", "CivilTime"]),
        .executableTarget(name: "bootstrap", dependencies: ["LambdaRuntime", "Handlers"], exclude: ["lambda-bootstrap.sh"]),

        // A local Lambda Runtime API, for `./build.sh invoke` and the integration tests.
        .executableTarget(name: "LambdaEmulator", dependencies: ["ByteJSON"]),

        // `./build.sh bench`: the Firehose handler against a Foundation version (and, from
        // `reference/`, the seeds' Python).
        .executableTarget(name: "Benchmarks", dependencies: ["FirehoseTransform"], exclude: ["reference"]),

        .testTarget(name: "ByteJSONTests", dependencies: ["ByteJSON", "CivilTime"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "Handlers", "HTTPExchange"]),
        .testTarget(name: "FirehoseTests", dependencies: ["FirehoseCodec", "FirehoseTransform", "Handlers", "ByteJSON", "LambdaRuntime"]),
        .testTarget(name: "AWSSigningTests", dependencies: ["AWSSigning", "CivilTime"]),
        .testTarget(name: "S3EMRTriggerTests", dependencies: ["S3EMRTrigger", "EMRClient", "AWSSigning", "Handlers", "LambdaRuntime", "HTTPExchange"]),
        .testTarget(name: "IntegrationTests", dependencies: ["ByteJSON", "Handlers", "LambdaRuntime"], exclude: ["emr_stub.py"]),
    ],
    swiftLanguageModes: [.v6]
)
