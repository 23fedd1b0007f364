import ByteJSON

/// Builds a `Pipeline` from the JSON in `FIREHOSE_PIPELINE`: an array of steps, each an object
/// with one key naming the step. See the README for every built-in step and its options.
public enum PipelineConfiguration {
    /// The pipeline `text` describes, with steps from `registry`; errors name the step.
    public static func parse(_ text: String, steps registry: StepRegistry = .builtIn,
                             variable: String = "FIREHOSE_PIPELINE") throws(PipelineConfigurationError) -> Pipeline {
        let root: JSONValue
        do {
            root = try JSONValue(parsing: Array(text.utf8))
        } catch {
            throw PipelineConfigurationError(description: "\(variable) is not valid JSON: \(error)")
        }
        guard let steps = root.arrayValues else {
            throw PipelineConfigurationError(description: "\(variable) must be a JSON array of steps, like [{\"extract\": {\"username\": \"user\"}}]; found \(root.kind)")
        }
        let known = registry.names.joined(separator: ", ")
        var transformers: [any RecordTransformer] = []
        var format: OutputFormat?
        for (index, step) in steps.enumerated() {
            let number = index + 1
            guard let object = step.objectValue, object.count == 1 else {
                throw PipelineConfigurationError(description: "\(variable) step \(number): expected an object with exactly one key naming the step (one of \(known))")
            }
            let name = object.key(of: object.members[0])
            let options = StepOptions(object.value(of: object.members[0]), context: "\(variable) step \(number) (\(name))")
            if format != nil {
                throw options.error("the format step must be the last step")
            }
            if name == OutputFormat.stepName {
                format = try build(OutputFormat.self, options)
            } else if let type = registry.step(named: name) {
                transformers.append(try build(type, options))
            } else {
                throw PipelineConfigurationError(description: "\(variable) step \(number): unknown step \"\(name)\"; known steps: \(known)")
            }
        }
        return Pipeline(transformers, format: format ?? .jsonLines)
    }

    /// Builds a step, reporting any error it throws after the step's number and name.
    private static func build<Step: ConfigurableTransformer>(_ type: Step.Type, _ options: StepOptions) throws(PipelineConfigurationError) -> Step {
        do {
            return try Step(options: options)
        } catch let error as PipelineConfigurationError {
            throw error
        } catch {
            throw options.error("\(error)")
        }
    }
}
