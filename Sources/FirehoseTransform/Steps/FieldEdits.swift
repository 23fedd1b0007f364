import ByteJSON

/// Adds or overwrites constant fields. An overwritten field keeps its position.
public struct SetFields: ConfigurableTransformer {
    /// `{"set": {"source": "kinesis", "version": 2}}`
    public static let stepName = "set"

    /// The fields and their values, in order.
    public let fields: [(key: JSONKey, value: JSONValue)]

    /// A step setting `fields`.
    public init(_ fields: [(name: String, value: JSONValue)]) {
        self.fields = fields.map { (JSONKey($0.name), $0.value) }
    }

    /// An object of field to constant value.
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        self.init(try options.fields("an object of field to constant value"))
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        for field in fields { try record.setField(field.key, to: field.value) }
        return .keep
    }
}

/// Renames top-level fields. A field already named like a rename's target gives way to it.
public struct RenameFields: ConfigurableTransformer {
    /// `{"rename": {"user": "username"}}`
    public static let stepName = "rename"

    /// Old name to new name, in order.
    public let renames: [(from: JSONKey, to: JSONKey)]

    /// A step applying `renames` in order.
    public init(_ renames: [(from: String, to: String)]) {
        self.renames = renames.map { (JSONKey($0.from), JSONKey($0.to)) }
    }

    /// An object of old name to new name.
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        let renames = try options.fields("an object of old name to new name")
        self.init(try renames.map { rename throws(PipelineConfigurationError) in (rename.name, try options.string(rename.value, for: rename.name)) })
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        for rename in renames { try record.renameField(rename.from, to: rename.to) }
        return .keep
    }
}

/// Removes top-level fields.
public struct RemoveFields: ConfigurableTransformer {
    /// `{"remove": ["password", "token"]}`
    public static let stepName = "remove"

    /// The fields to remove.
    public let names: [JSONKey]

    /// A step removing `names`.
    public init(_ names: [String]) { self.names = names.map(JSONKey.init) }

    /// A non-empty array of field names.
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        guard let names = options.value.arrayValues, !names.isEmpty else {
            throw options.error("expected a non-empty array of field names, found \(options.value.rawText)")
        }
        self.init(try names.map { name throws(PipelineConfigurationError) in try options.string(name, for: "remove") })
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        for name in names { try record.removeField(name) }
        return .keep
    }
}
