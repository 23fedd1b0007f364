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
        let firstKeys: JSONKeySet

        init(fields: [(name: String, path: FieldPath)], names: [UInt8], layouts: [FieldLayout], components: [Range<Int>]) {
            self.fields = fields
            self.names = names
            self.layouts = layouts
            self.components = components
            firstKeys = JSONKeySet(layouts.map { names[components[$0.path.lowerBound]] })
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
                    try withUnsafeTemporaryAllocation(of: JSONObject.Member?.self, capacity: layouts.count) { values in
                        let size = try record.withUnsafeBytes { input, shape in
                            try Extract.locate(layouts, in: input, names: names, components: components, firstKeys: plan.firstKeys,
                                               shape: shape, into: values)
                        }
                        record.writeCompactObject(size: size) { output, input in
                            Extract.write(layouts, values: values, from: input, names: names, to: output)
                        }
                    }
                }
            }
        }
        return .keep
    }

    /// Locates every field's value in one scan of `input` (nil: missing) and returns the most
    /// the object can take: braces, commas, keys, and values at most their size in the input.
    private static func locate(_ layouts: UnsafeBufferPointer<FieldLayout>, in input: UnsafeBufferPointer<UInt8>,
                               names: UnsafeBufferPointer<UInt8>, components: UnsafeBufferPointer<Range<Int>>,
                               firstKeys: JSONKeySet, shape: JSONObjectShape?,
                               into values: UnsafeMutableBufferPointer<JSONObject.Member?>) throws -> Int {
        values.initialize(repeating: nil)
        try findFirstKeys(in: input, firstKeys: firstKeys, shape: shape, into: values)
        var size = 1 + max(1, layouts.count)
        for index in layouts.indices {
            let layout = layouts[index]
            if layout.path.count > 1 {
                values[index] = locate(layout.path.dropFirst(), from: values[index], names: names, components: components, in: input)
            }
            size += layout.key.count + (values[index]?.value.count ?? null.utf8CodeUnitCount)
        }
        return size
    }

    /// Writes the object at `output`; returns its size.
    private static func write(_ layouts: UnsafeBufferPointer<FieldLayout>, values: UnsafeMutableBufferPointer<JSONObject.Member?>,
                              from input: UnsafeBufferPointer<UInt8>, names: UnsafeBufferPointer<UInt8>,
                              to output: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 0
        func write(_ bytes: UnsafeBufferPointer<UInt8>) {
            count += JSONWriter.write(bytes, to: output + count)
        }
        output[0] = UInt8(ascii: "{")
        count = 1
        for index in layouts.indices {
            if index > 0 {
                output[count] = UInt8(ascii: ",")
                count += 1
            }
            write(UnsafeBufferPointer(rebasing: names[layouts[index].key]))
            guard let value = values[index] else {
                write(UnsafeBufferPointer(start: null.utf8Start, count: null.utf8CodeUnitCount))
                continue
            }
            let raw = UnsafeBufferPointer(rebasing: input[value.value])
            if value.kind == .object || value.kind == .array {
                count += JSONWriter.writeCompact(raw, to: output + count)
            } else {
                write(raw)
            }
        }
        output[count] = UInt8(ascii: "}")
        return count + 1
    }

    private static let null: StaticString = "null"

    /// Scans the record as a JSON object (validating all of it), noting for each field the
    /// member its first path component names; the last occurrence of a key wins.
    private static func findFirstKeys(in storage: UnsafeBufferPointer<UInt8>, firstKeys: JSONKeySet, shape: JSONObjectShape?,
                                      into found: UnsafeMutableBufferPointer<JSONObject.Member?>) throws {
        var scanner = JSONScanner(storage)
        do throws(JSONError) {
            try scanner.expectObjectDocument()
            try scanner.scanObject(findingMembers: found, keys: firstKeys, shape: shape)
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw JSONError(.trailingContent, at: scanner.position) }
        } catch {
            throw TransformFailure(TransformRecord.describe(error))
        }
    }

    /// Follows the rest of a path (`components` indices) from a top-level member through
    /// nested objects, to the member holding the value.
    private static func locate(_ rest: Range<Int>, from member: JSONObject.Member?, names: UnsafeBufferPointer<UInt8>,
                               components: UnsafeBufferPointer<Range<Int>>, in input: UnsafeBufferPointer<UInt8>) -> JSONObject.Member? {
        guard let member else { return nil }
        guard let next = rest.first else { return member }
        guard member.kind == .object else { return nil }
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: input[..<member.value.upperBound]), position: member.value.lowerBound)
        let key = UnsafeBufferPointer(rebasing: names[components[next]])
        guard let members = try? scanner.scanObjectMembers(depthLimit: JSONLimits.maximumDepth),
              let nested = members.last(where: { $0.keyEquals(key, in: input) }) else { return nil }
        return locate(rest.dropFirst(), from: nested, names: names, components: components, in: input)
    }
}
