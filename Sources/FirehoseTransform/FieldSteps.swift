import ByteJSON

/// A path to a field through nested objects: `"user.address.city"` or `["a.b", "c"]` when a
/// key itself contains a dot.
public struct FieldPath: Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let components: [String]
    let utf8: [[UInt8]]

    public init(_ components: [String]) {
        self.components = components
        self.utf8 = components.map { Array($0.utf8) }
    }

    /// Splits a dotted path.
    public init(dotted: String) {
        self.init(dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    public init(stringLiteral value: String) { self.init(dotted: value) }

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

/// A new object with the named fields, in the given order, read from the input by path;
/// a missing field becomes `null` (as the seeds' `data.get(...)` does).
public struct Extract: RecordTransformer {
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

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        let input = record.bytes
        var output = JSONWriter(capacity: 32 * layouts.count + input.count / 2)
        output.append(UInt8(ascii: "{"))
        try names.withUnsafeBufferPointer { names in
            try input.withUnsafeBufferPointer { storage in
                try withUnsafeTemporaryAllocation(of: JSONObject.Member?.self, capacity: layouts.count) { found in
                    found.initialize(repeating: nil)
                    try findFirstKeys(in: storage, names: names, into: found)
                    for (index, layout) in layouts.enumerated() {
                        if index > 0 { output.append(UInt8(ascii: ",")) }
                        output.append(raw: UnsafeBufferPointer(rebasing: names[layout.key]))
                        let rest = layout.path.dropFirst()
                        guard let (range, kind) = locate(rest, from: found[index], names: names, in: input, storage: storage) else {
                            output.append(raw: "null")
                            continue
                        }
                        let raw = UnsafeBufferPointer(rebasing: storage[range])
                        if kind == .object || kind == .array {
                            output.appendCompact(raw)
                        } else {
                            output.append(raw: raw)
                        }
                    }
                }
            }
        }
        output.append(UInt8(ascii: "}"))
        record.setCompactJSONObject(output.bytes)
        return .keep
    }

    /// Scans the record as a JSON object (validating all of it), noting for each field the
    /// member its first path component names; the last occurrence of a key wins.
    private func findFirstKeys(in storage: UnsafeBufferPointer<UInt8>, names: UnsafeBufferPointer<UInt8>,
                               into found: UnsafeMutableBufferPointer<JSONObject.Member?>) throws {
        var scanner = JSONScanner(storage)
        do throws(JSONError) {
            let kind = try scanner.peekKind()
            guard kind == .object else { throw JSONError(.notAnObject(kind), at: scanner.position) }
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
                        in input: [UInt8], storage: UnsafeBufferPointer<UInt8>) -> (range: Range<Int>, kind: JSONKind)? {
        guard let member else { return nil }
        guard let next = rest.first else { return (member.value, member.kind) }
        guard member.kind == .object, let nested = JSONValue(validated: input, range: member.value, kind: .object).objectValue,
              let index = nested.index(ofKey: UnsafeBufferPointer(rebasing: names[components[next]]), in: storage) else { return nil }
        return locate(rest.dropFirst(), from: nested.members[index], names: names, in: input, storage: storage)
    }
}

/// What a field step does with one top-level member.
enum MemberAction {
    case keep
    case remove
    case rename(JSONKey)
    /// Write `value` under `key` instead; `slot` identifies it, so it is written once.
    case replace(slot: Int, key: JSONKey, value: [UInt8])
}

/// Rewrites the record's top-level members in order, by `rewrite(key)` (the key as unescaped
/// UTF-8), then appends `trailing(slotsWritten)`.
func rewriteMembers(of record: inout TransformRecord, rewrite: ([UInt8]) -> MemberAction,
                    trailing: (Set<Int>) -> [(key: JSONKey, value: [UInt8])] = { _ in [] }) throws {
    let input = try record.json()
    var output = JSONObjectWriter(capacity: input.range.count + 64)
    var written = Set<Int>()
    input.storage.withUnsafeBufferPointer { storage in
        for member in input.members {
            let rawKey = UnsafeBufferPointer(rebasing: storage[member.key])
            var key = Array(rawKey)
            if member.keyHasEscapes {
                key = []
                JSONString.unescape(rawKey, into: &key)
            }
            switch rewrite(key) {
            case .remove:
                continue
            case .replace(let slot, let name, let value):
                guard written.insert(slot).inserted else { continue }
                output.add(name, raw: value)
            case .rename(let name):
                output.beginMember(name)
                output.writer.appendCompact(input.value(of: member))
            case .keep:
                output.beginMember(rawKey: rawKey)
                output.writer.appendCompact(input.value(of: member))
            }
        }
    }
    for member in trailing(written) {
        output.add(member.key, raw: member.value)
    }
    record.setCompactJSONObject(output.finish())
}

/// Adds or overwrites constant fields. An overwritten field keeps its position.
public struct SetFields: RecordTransformer {
    let fields: [(key: JSONKey, utf8: [UInt8], value: [UInt8])]

    /// - Parameter fields: names and JSON values (the exact bytes to write).
    public init(_ fields: [(name: String, json: [UInt8])]) {
        self.fields = fields.map { (JSONKey($0.name), Array($0.name.utf8), $0.json) }
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        try rewriteMembers(of: &record, rewrite: { key in
            guard let slot = fields.firstIndex(where: { $0.utf8 == key }) else { return .keep }
            return .replace(slot: slot, key: fields[slot].key, value: fields[slot].value)
        }, trailing: { written in
            fields.indices.filter { !written.contains($0) }.map { (fields[$0].key, fields[$0].value) }
        })
        return .keep
    }
}

/// Renames top-level fields. A field already named like a rename's target gives way to it.
public struct RenameFields: RecordTransformer {
    let renames: [(from: [UInt8], to: JSONKey, toUTF8: [UInt8])]

    public init(_ renames: [(from: String, to: String)]) {
        self.renames = renames.map { (Array($0.from.utf8), JSONKey($0.to), Array($0.to.utf8)) }
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        let input = try record.json()
        // Only a rename whose source is present may displace an existing target.
        let present = renames.filter { rename in rename.from.withUnsafeBufferPointer { input.index(ofKey: $0) != nil } }
        try rewriteMembers(of: &record) { key in
            if let rename = present.first(where: { $0.from == key }) { return .rename(rename.to) }
            if present.contains(where: { $0.toUTF8 == key }) { return .remove }
            return .keep
        }
        return .keep
    }
}

/// Removes top-level fields.
public struct RemoveFields: RecordTransformer {
    let names: Set<[UInt8]>

    public init(_ names: [String]) { self.names = Set(names.map { Array($0.utf8) }) }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        try rewriteMembers(of: &record) { names.contains($0) ? .remove : .keep }
        return .keep
    }
}
