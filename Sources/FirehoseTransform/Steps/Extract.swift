import ByteJSON

/// A new object with the named fields, in the given order, read from the input by path;
/// a missing field becomes `null` (as the seeds' `data.get(...)` does).
public struct Extract: ConfigurableTransformer {
    /// `{"extract": {"username": "user", "city": "geo.city"}}`
    public static let stepName = "extract"

    /// The output fields and where each is read from.
    public let fields: [(name: String, path: FieldPath)]
    /// `fields` flattened for the hot loop: text in `names`, positions in trivial structs, so
    /// reading them per record costs no reference counting.
    private let names: [UInt8]
    private let layouts: [FieldLayout]
    /// Every path component, as a range of `names`.
    private let components: [Range<Int>]

    private struct FieldLayout {
        /// `"name":`, ready to copy.
        var key: Range<Int>
        /// The field's path, as a range of `components`.
        var path: Range<Int>
    }

    /// A step writing `fields`, in order.
    public init(_ fields: [(name: String, path: FieldPath)]) {
        self.fields = fields
        var names: [UInt8] = []
        var layouts: [FieldLayout] = []
        var components: [Range<Int>] = []
        func add(_ text: [UInt8]) -> Range<Int> {
            names += text
            return (names.count - text.count)..<names.count
        }
        for field in fields {
            let key = add(JSONKey(field.name).encoded)
            let first = components.count
            components += field.path.utf8.map(add)
            layouts.append(FieldLayout(key: key, path: first..<components.count))
        }
        self.names = names
        self.layouts = layouts
        self.components = components
    }

    /// An object of output field to input path.
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        let fields = try options.members(of: try options.object("an object of output field to input path"))
        guard !fields.isEmpty else { throw options.error("name at least one field") }
        self.init(try fields.map { field throws(PipelineConfigurationError) in (field.name, try options.path(field.value, for: field.name)) })
    }

    /// Writes the new object, validating the whole record as JSON on the way.
    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        try names.withUnsafeBufferPointer { names in
            try record.writeObject { output, input in
                try withUnsafeTemporaryAllocation(of: JSONObject.Member?.self, capacity: layouts.count) { found in
                    found.initialize(repeating: nil)
                    try findFirstKeys(in: input, names: names, into: found)
                    for (index, layout) in layouts.enumerated() {
                        output.beginMember(encodedKey: UnsafeBufferPointer(rebasing: names[layout.key]))
                        guard let (range, kind) = locate(layout.path.dropFirst(), from: found[index], names: names, in: input) else {
                            output.writer.append(raw: "null")
                            continue
                        }
                        let raw = UnsafeBufferPointer(rebasing: input[range])
                        if kind == .object || kind == .array {
                            output.writer.appendCompact(raw)
                        } else {
                            output.writer.append(raw: raw)
                        }
                    }
                }
            }
        }
        return .keep
    }

    /// Scans the record as a JSON object (validating all of it), noting for each field the
    /// member its first path component names; the last occurrence of a key wins.
    private func findFirstKeys(in storage: UnsafeBufferPointer<UInt8>, names: UnsafeBufferPointer<UInt8>,
                               into found: UnsafeMutableBufferPointer<JSONObject.Member?>) throws {
        var scanner = JSONScanner(storage)
        do throws(JSONError) {
            try scanner.expectObjectDocument()
            try scanner.scanObject(depthLimit: JSONLimits.maximumDepth) { member in
                for (index, layout) in layouts.enumerated() {
                    let first = components[layout.path.lowerBound]
                    // An unescaped key of another length cannot match: most members stop here.
                    guard member.keyHasEscapes || first.count == member.key.count else { continue }
                    if member.keyEquals(UnsafeBufferPointer(rebasing: names[first]), in: storage) { found[index] = member }
                }
            }
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw JSONError(.trailingContent, at: scanner.position) }
        } catch {
            throw TransformFailure(TransformRecord.describe(error))
        }
    }

    /// Follows the rest of a path (`components` indices) from a top-level member through
    /// nested objects.
    private func locate(_ rest: Range<Int>, from member: JSONObject.Member?, names: UnsafeBufferPointer<UInt8>,
                        in input: UnsafeBufferPointer<UInt8>) -> (range: Range<Int>, kind: JSONKind)? {
        guard let member else { return nil }
        guard let next = rest.first else { return (member.value, member.kind) }
        guard member.kind == .object else { return nil }
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: input[..<member.value.upperBound]), position: member.value.lowerBound)
        let key = UnsafeBufferPointer(rebasing: names[components[next]])
        guard let members = try? scanner.scanObjectMembers(depthLimit: JSONLimits.maximumDepth),
              let nested = members.last(where: { $0.keyEquals(key, in: input) }) else { return nil }
        return locate(rest.dropFirst(), from: nested, names: names, in: input)
    }
}
