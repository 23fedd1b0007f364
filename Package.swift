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

        // The custom runtime: knows the Runtime API, nothing of Firehose or EMR.
        .target(name: "LambdaRuntime", dependencies: ["ByteJSON", "CivilTime"]),

        // Firehose: the event and response codec, then the transformers that run per record.
        .target(name: "FirehoseCodec", dependencies: ["ByteJSON"]),
        .target(name: "FirehoseTransform", dependencies: ["FirehoseCodec", "ByteJSON", "CivilTime"]),

        // The functions, joined to the runtime by thin adapters in `Handlers`.
        .target(name: "Handlers", dependencies: ["LambdaRuntime", "FirehoseTransform", "CivilTime"]),
        .executableTarget(name: "bootstrap", dependencies: ["LambdaRuntime", "Handlers"]),

        // A local Lambda Runtime API, for `./build.sh invoke` and the integration tests.
        .executableTarget(name: "LambdaEmulator", dependencies: ["ByteJSON"]),

        // `./build.sh bench`: the Firehose handler against a Foundation version (and, from
        // `reference/`, the seeds' Python).
        .executableTarget(name: "Benchmarks", dependencies: ["FirehoseTransform"], exclude: ["reference"]),

        .testTarget(name: "ByteJSONTests", dependencies: ["ByteJSON", "CivilTime"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "Handlers"]),
        .testTarget(name: "FirehoseTests", dependencies: ["FirehoseCodec", "FirehoseTransform", "Handlers", "ByteJSON", "LambdaRuntime"]),
        .testTarget(name: "IntegrationTests", dependencies: ["ByteJSON"]),
    ],
    swiftLanguageModes: [.v6]
)
