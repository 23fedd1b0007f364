import ByteJSON

/// A step that `FIREHOSE_PIPELINE` can name, as `{"<stepName>": <options>}`.
///
/// ```swift
/// struct RedactEmail: ConfigurableTransformer {
///     static let stepName = "redactEmail"
///     let field: JSONKey
///
///     init(options: StepOptions) throws {
///         let members = try options.members(allowed: ["field"])
///         field = JSONKey(try options.string(members.first?.value ?? options.value, for: "field"))
///     }
///
///     func transform(_ record: inout TransformRecord) throws -> TransformDecision { ... }
/// }
///
/// let steps = StepRegistry.builtIn.adding(RedactEmail.self)
/// ```
public protocol ConfigurableTransformer: RecordTransformer {
    /// The name that selects the step, e.g. `"extract"`.
    static var stepName: String { get }

    /// Builds the step from its options, the JSON value after its name. Throw
    /// ``StepOptions/error(_:)`` to say what is wrong; any other error is reported the same way,
    /// after the step's number and name.
    init(options: StepOptions) throws
}

/// `FIREHOSE_PIPELINE` is unusable; the message names the step and the reason.
public struct PipelineConfigurationError: Error, CustomStringConvertible, Sendable {
    /// `FIREHOSE_PIPELINE step 2 (filter): <reason>`.
    public let description: String

    /// An error with this message.
    public init(description: String) { self.description = description }
}

/// One step's options in `FIREHOSE_PIPELINE`, with readers whose errors name the step.
public struct StepOptions: Sendable {
    /// The options: the JSON value after the step's name.
    public let value: JSONValue
    /// How errors name the step: `FIREHOSE_PIPELINE step 2 (filter)`.
    public let context: String

    /// Options `value` for the step that `context` names.
    public init(_ value: JSONValue, context: String) {
        self.value = value
        self.context = context
    }

    /// An error naming the step, then `reason`.
    public func error(_ reason: String) -> PipelineConfigurationError {
        PipelineConfigurationError(description: "\(context): \(reason)")
    }

    /// `value` (the options themselves unless given) as an object; `what` says what was expected.
    public func object(_ what: String, of value: JSONValue? = nil) throws(PipelineConfigurationError) -> JSONObject {
        let value = value ?? self.value
        guard let object = value.objectValue else { throw error("expected \(what), found \(value.kind)") }
        return object
    }

    /// The members of `object` (the options themselves unless given), as (name, value) in order.
    /// A repeated name is an error, and so is a name outside `allowed` when given.
    public func members(of given: JSONObject? = nil, allowed: [String]? = nil) throws(PipelineConfigurationError) -> [(name: String, value: JSONValue)] {
        let object: JSONObject
        if let given { object = given } else { object = try self.object("an object") }
        var members: [(name: String, value: JSONValue)] = []
        for member in object.members {
            let name = object.key(of: member)
            if let allowed, !allowed.contains(name) {
                throw error("unknown option \"\(name)\"; expected \(allowed.joined(separator: ", "))")
            }
            if members.contains(where: { $0.name == name }) { throw error("duplicate key \"\(name)\"") }
            members.append((name, object.value(of: member)))
        }
        return members
    }

    /// The members of the options, which must be an object (`what` says of what) naming at
    /// least one field.
    func fields(_ what: String) throws(PipelineConfigurationError) -> [(name: String, value: JSONValue)] {
        let fields = try members(of: try object(what))
        guard !fields.isEmpty else { throw error("name at least one field") }
        return fields
    }

    /// A field path: `"a.b.c"`, or `["a.b", "c"]` when a key contains a dot.
    public func path(_ value: JSONValue, for name: String) throws(PipelineConfigurationError) -> FieldPath {
        let components: [String]
        if let text = value.stringValue {
            components = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        } else if let array = value.arrayValues, !array.isEmpty {
            components = try array.map { element throws(PipelineConfigurationError) in
                guard let text = element.stringValue else { throw error("\(name): path elements must be strings") }
                return text
            }
        } else {
            throw error("\(name): expected a field path like \"user.id\" or [\"user\", \"id\"], found \(value.kind)")
        }
        guard !components.contains(where: \.isEmpty) else { throw error("\(name): empty field name in path \(value.rawText)") }
        return FieldPath(components)
    }

    /// A non-empty string.
    public func string(_ value: JSONValue, for name: String) throws(PipelineConfigurationError) -> String {
        guard let text = value.stringValue, !text.isEmpty else { throw error("\(name): expected a non-empty string, found \(value.rawText)") }
        return text
    }
}

/// The steps `FIREHOSE_PIPELINE` can name: the built-in ones and any a binary adds.
public struct StepRegistry: Sendable {
    /// `parse`, `extract`, `set`, `rename`, `remove`, `filter` and `partitionKeys` (and `format`,
    /// which every registry knows).
    public static let builtIn = StepRegistry([
        ParseLog.self, Extract.self, SetFields.self, RenameFields.self, RemoveFields.self, Filter.self, PartitionKeys.self,
    ])

    private let steps: [any ConfigurableTransformer.Type]

    /// A registry of `steps`.
    public init(_ steps: [any ConfigurableTransformer.Type]) {
        self.steps = steps
    }

    /// The same registry with `step` added, or put in place of the step of the same name.
    public func adding(_ step: any ConfigurableTransformer.Type) -> StepRegistry {
        StepRegistry(steps.filter { $0.stepName != step.stepName } + [step])
    }

    /// Every step name, `format` last.
    public var names: [String] { steps.map { $0.stepName } + [OutputFormat.stepName] }

    /// The step named `name`.
    func step(named name: String) -> (any ConfigurableTransformer.Type)? {
        steps.first { $0.stepName == name }
    }
}
