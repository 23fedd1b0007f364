import ByteJSON

/// A path to a field through nested objects: `"user.address.city"` or `["a.b", "c"]` when a
/// key itself contains a dot.
public struct FieldPath: Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The keys, outermost first.
    public let components: [String]
    let utf8: [[UInt8]]

    /// A path of these keys.
    public init(_ components: [String]) {
        self.components = components
        self.utf8 = components.map { Array($0.utf8) }
    }

    /// Splits a dotted path.
    public init(dotted: String) {
        self.init(dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    /// A dotted path written as a literal.
    public init(stringLiteral value: String) { self.init(dotted: value) }

    /// The dotted form.
    public var description: String { components.joined(separator: ".") }

    /// The value at this path, if every step exists and leads into an object.
    public func value(in object: JSONObject) -> JSONValue? {
        var current = object
        for (depth, key) in utf8.enumerated() {
            guard let index = key.withUnsafeBufferPointer({ current.index(ofKey: $0) }) else { return nil }
            let value = current.value(of: current.members[index])
            if depth == utf8.count - 1 { return value }
            guard let next = value.objectValue else { return nil }
            current = next
        }
        return nil
    }
}
