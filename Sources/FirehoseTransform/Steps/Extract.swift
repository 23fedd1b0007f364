import ByteJSON

/// A new object with the named fields, in the given order, read from the input by path;
/// a missing field becomes `null` (as the seeds' `data.get(...)` does).
public struct Extract: ConfigurableTransformer {
    /// `{"extract": {"username": "user", "city": "geo.city"}}`
    public static let stepName = "extract"

    /// The output fields and where each is read from.
    public var fields: [(name: String, path: FieldPath)] { plan.fields }
    /// Everything in one object, so that the pipeline copies the step for one reference count.
    private let plan: Plan

    /// `fields` flattened for the hot loop: text in `names`, positions in trivial structs, so
    /// reading them per record costs no reference counting.
    private final class Plan: Sendable {
        let fields: [(name: String, path: FieldPath)]
        let names: [UInt8]
        let layouts: [FieldLayout]
        /// Every path component, as a range of `names`.
        let components: [Range<Int>]
        /// Each field's first path component: the top-level key it is read from.
        let firstKeys: [Range<Int>]

        init(fields: [(name: String, path: FieldPath)], names: [UInt8], layouts: [FieldLayout], components: [Range<Int>]) {
            self.fields = fields
            self.names = names
            self.layouts = layouts
            self.components = components
            firstKeys = layouts.map { components[$0.path.lowerBound] }
        }
    }

    private struct FieldLayout {
        /// `"name":`, ready to copy.
        var key: Range<Int>
        /// The field's path, as a range of `components`.
        var path: Range<Int>
    }

    /// A step writing `fields`, in order.
    public init(_ fields: [(name: String, path: FieldPath)]) {
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
        plan = Plan(fields: fields, names: names, layouts: layouts, components: components)
    }

    /// An object of output field to input path.
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        let fields = try options.fields("an object of output field to input path")
        self.init(try fields.map { field throws(PipelineConfigurationError) in (field.name, try options.path(field.value, for: field.name)) })
    }

    /// Writes the new object, validating the whole record as JSON on the way.
    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        try plan.names.withUnsafeBufferPointer { names in
            try plan.layouts.withUnsafeBufferPointer { layouts in
                try plan.components.withUnsafeBufferPointer { components in
                  try plan.firstKeys.withUnsafeBufferPointer { firstKeys in
                    try record.writeObject { output, input in
                        try withUnsafeTemporaryAllocation(of: JSONObject.Member?.self, capacity: layouts.count) { found in
                            found.initialize(repeating: nil)
                            try Extract.findFirstKeys(in: input, names: names, firstKeys: firstKeys, into: found)
                            for index in layouts.indices {
                                let layout = layouts[index]
                                output.beginMember(encodedKey: UnsafeBufferPointer(rebasing: names[layout.key]))
                                guard let (range, kind) = Extract.locate(layout.path.dropFirst(), from: found[index], names: names,
                                                                         components: components, in: input) else {
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
                }
            }
        }
        return .keep
    }

    /// Scans the record as a JSON object (validating all of it), noting for each field the
    /// member its first path component names; the last occurrence of a key wins.
    private static func findFirstKeys(in storage: UnsafeBufferPointer<UInt8>, names: UnsafeBufferPointer<UInt8>,
                                      firstKeys: UnsafeBufferPointer<Range<Int>>,
                                      into found: UnsafeMutableBufferPointer<JSONObject.Member?>) throws {
        var scanner = JSONScanner(storage)
        do throws(JSONError) {
            try scanner.expectObjectDocument()
            try scanner.scanObject(findingMembers: found, named: firstKeys, in: names)
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw JSONError(.trailingContent, at: scanner.position) }
        } catch {
            throw TransformFailure(TransformRecord.describe(error))
        }
    }

    /// Follows the rest of a path (`components` indices) from a top-level member through
    /// nested objects.
    private static func locate(_ rest: Range<Int>, from member: JSONObject.Member?, names: UnsafeBufferPointer<UInt8>,
                               components: UnsafeBufferPointer<Range<Int>>, in input: UnsafeBufferPointer<UInt8>) -> (range: Range<Int>, kind: JSONKind)? {
        guard let member else { return nil }
        guard let next = rest.first else { return (member.value, member.kind) }
        guard member.kind == .object else { return nil }
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: input[..<member.value.upperBound]), position: member.value.lowerBound)
        let key = UnsafeBufferPointer(rebasing: names[components[next]])
        guard let members = try? scanner.scanObjectMembers(depthLimit: JSONLimits.maximumDepth),
              let nested = members.last(where: { $0.keyEquals(key, in: input) }) else { return nil }
        return locate(rest.dropFirst(), from: nested, names: names, components: components, in: input)
    }
}
