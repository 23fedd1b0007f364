import Foundation

/// The trigger's environment variables are unusable; the message names the variable.
public struct TriggerConfigurationError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, naming the variable.
    public let description: String
}

/// How S3 objects become Spark steps, from the function's environment.
public struct TriggerConfiguration: Sendable {
    /// The values `ACTION_ON_FAILURE` accepts, as EMR spells them.
    public static let actionsOnFailure = ["CONTINUE", "CANCEL_AND_WAIT", "TERMINATE_CLUSTER", "TERMINATE_JOB_FLOW"]

    /// `EMR_CLUSTER_ID` (required).
    public var clusterID: String
    /// `SPARK_SCRIPT`: the application; `{bucket}` is the event's bucket.
    public var script: String
    /// `OUTPUT_PREFIX`: where the Spark job writes; `{bucket}` is the event's bucket.
    public var outputPrefix: String
    /// `SPARK_SUBMIT_ARGS`: options placed before the script (a JSON array, or words separated by spaces).
    public var sparkSubmitArguments: [String]
    /// `ACTION_ON_FAILURE`.
    public var actionOnFailure: String
    /// `INPUT_PREFIX`: only keys under it are work.
    public var inputPrefix: String

    /// A configuration from explicit values; the defaults are what an unset variable means.
    public init(clusterID: String, script: String = "s3://{bucket}/scripts/streaming_processor.py",
                outputPrefix: String = "s3://{bucket}/processed-data/", sparkSubmitArguments: [String] = [],
                actionOnFailure: String = "CONTINUE", inputPrefix: String = "streaming-data/") {
        self.clusterID = clusterID
        self.script = script
        self.outputPrefix = outputPrefix
        self.sparkSubmitArguments = sparkSubmitArguments
        self.actionOnFailure = actionOnFailure
        self.inputPrefix = inputPrefix
    }

    /// Reads the variables above, trimmed, an empty one counting as unset. Throws when
    /// `EMR_CLUSTER_ID` is missing or a value is invalid.
    public init(environment: [String: String]) throws(TriggerConfigurationError) {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let clusterID = value("EMR_CLUSTER_ID") else {
            throw TriggerConfigurationError(description: "EMR_CLUSTER_ID is not set: name the cluster that runs the Spark steps (j-…)")
        }
        self.init(clusterID: clusterID)
        if let script = value("SPARK_SCRIPT") {
            guard script.hasPrefix("s3://") else { throw TriggerConfigurationError(description: "SPARK_SCRIPT must be an s3:// URI, got \(script)") }
            self.script = script
        }
        if let output = value("OUTPUT_PREFIX") {
            guard output.hasPrefix("s3://") else { throw TriggerConfigurationError(description: "OUTPUT_PREFIX must be an s3:// URI, got \(output)") }
            self.outputPrefix = output
        }
        if let arguments = value("SPARK_SUBMIT_ARGS") {
            sparkSubmitArguments = try TriggerConfiguration.arguments(arguments)
        }
        if let action = value("ACTION_ON_FAILURE") {
            guard TriggerConfiguration.actionsOnFailure.contains(action.uppercased()) else {
                throw TriggerConfigurationError(description: "ACTION_ON_FAILURE must be one of \(TriggerConfiguration.actionsOnFailure.joined(separator: ", ")), got \(action)")
            }
            actionOnFailure = action.uppercased()
        }
        if let prefix = value("INPUT_PREFIX") {
            inputPrefix = prefix
        }
    }

    /// A JSON array of strings, or words separated by whitespace.
    static func arguments(_ text: String) throws(TriggerConfigurationError) -> [String] {
        guard text.hasPrefix("[") else { return text.split(whereSeparator: \.isWhitespace).map(String.init) }
        guard let array = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw TriggerConfigurationError(description: "SPARK_SUBMIT_ARGS starts with [ but is not a JSON array of strings: \(text)")
        }
        return array
    }

    func resolve(_ template: String, bucket: String) -> String {
        template.replacingOccurrences(of: "{bucket}", with: bucket)
    }
}
