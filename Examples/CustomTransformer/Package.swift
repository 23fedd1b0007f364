// swift-tools-version:6.0
import PackageDescription

// A Firehose transform with a step of its own, built on this repository's libraries.
let package = Package(
    name: "CustomTransformer",
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
    ],
    dependencies: [
        .package(name: "swift-streaming-lambdas", path: "../.."),
    ],
    targets: [
        // The step: redacts e-mail addresses and replaces user ids with their hashes.
        .target(name: "PersonalData", dependencies: [
            .product(name: "FirehoseTransform", package: "swift-streaming-lambdas"),
            .product(name: "AWSSigning", package: "swift-streaming-lambdas"),
        ]),
        // The function: the same runtime as the repository's bootstrap, serving the step.
        .executableTarget(name: "bootstrap", dependencies: [
            "PersonalData",
            .product(name: "FirehoseTransform", package: "swift-streaming-lambdas"),
            .product(name: "LambdaRuntime", package: "swift-streaming-lambdas"),
        ]),
        .testTarget(name: "PersonalDataTests", dependencies: [
            "PersonalData",
            .product(name: "FirehoseTransform", package: "swift-streaming-lambdas"),
            .product(name: "LambdaRuntime", package: "swift-streaming-lambdas"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
