import ByteJSON

/// Keeps the records whose field meets a condition; the others are returned as `Dropped`.
public struct Filter: ConfigurableTransformer {
    /// `{"filter": {"field": "action", "in": ["login", "purchase"]}}`
    public static let stepName = "filter"

    /// What the field must meet for the record to be kept.
    public enum Condition: Sendable {
        /// Equal to the value (see `JSONValue.isEqual(to:)`).
        case equals(JSONValue)
        /// Missing, or not equal to the value.
        case notEquals(JSONValue)
        /// Equal to one of the values.
        case oneOf([JSONValue])
        /// Missing, or equal to none of the values.
        case noneOf([JSONValue])
        /// Whether the field is present and not `null`.
        case exists(Bool)
    }

    /// The field the condition reads.
    public let path: FieldPath
    /// The condition.
    public let condition: Condition

    /// A filter keeping the records whose field at `path` meets `condition`.
    public init(_ path: FieldPath, _ condition: Condition) {
        self.path = path
        self.condition = condition
    }

    /// `field` and exactly one of `equals`, `notEquals`, `in`, `notIn`, `exists`.
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        let conditions = ["equals", "notEquals", "in", "notIn", "exists"]
        let members = try options.members(of: try options.object("an object like {\"field\": \"action\", \"equals\": \"login\"}"),
                                          allowed: ["field"] + conditions)
        guard let field = members.first(where: { $0.name == "field" })?.value else { throw options.error("\"field\" is required") }
        let given = members.filter { conditions.contains($0.name) }
        guard given.count == 1, let (name, value) = given.first else {
            throw options.error("exactly one of \(conditions.joined(separator: ", ")) is required")
        }
        let path = try options.path(field, for: "field")
        func list() throws(PipelineConfigurationError) -> [JSONValue] {
            guard let values = value.arrayValues, !values.isEmpty else { throw options.error("\"\(name)\" needs a non-empty array of values") }
            return values
        }
        switch name {
        case "equals": self.init(path, .equals(value))
        case "notEquals": self.init(path, .notEquals(value))
        case "in": self.init(path, .oneOf(try list()))
        case "notIn": self.init(path, .noneOf(try list()))
        default:
            guard let flag = value.boolValue else { throw options.error("\"exists\" must be true or false") }
            self.init(path, .exists(flag))
        }
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        let value = path.value(in: try record.json())
        let matches: Bool
        switch condition {
        case .equals(let expected):
            matches = value?.isEqual(to: expected) ?? false
        case .notEquals(let expected):
            matches = !(value?.isEqual(to: expected) ?? false)
        case .oneOf(let candidates):
            matches = value.map { value in candidates.contains { value.isEqual(to: $0) } } ?? false
        case .noneOf(let candidates):
            matches = !(value.map { value in candidates.contains { value.isEqual(to: $0) } } ?? false)
        case .exists(let expected):
            matches = (value.map { !$0.isNull } ?? false) == expected
        }
        return matches ? .keep : .drop
    }
}
