import ByteJSON

/// Keeps the records whose field meets a condition; the others are returned as `Dropped`.
public struct Filter: RecordTransformer {
    public enum Condition: Sendable {
        case equals(JSONValue)
        case notEquals(JSONValue)
        case oneOf([JSONValue])
        case noneOf([JSONValue])
        /// Whether the field is present and not `null`.
        case exists(Bool)
    }

    public let path: FieldPath
    public let condition: Condition

    public init(_ path: FieldPath, _ condition: Condition) {
        self.path = path
        self.condition = condition
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
