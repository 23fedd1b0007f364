/// One JSON value inside a validated buffer. Nothing is decoded until asked for, and the
/// raw bytes are always available to copy through unchanged.
public struct JSONValue: Sendable {
    /// The buffer the value lies in, usually the whole document, shared rather than copied.
    public let storage: [UInt8]
    /// Where the value lies in `storage`, without surrounding whitespace.
    public let range: Range<Int>
    /// Which of the six kinds the value is, known without decoding it.
    public let kind: JSONKind

    init(storage: [UInt8], range: Range<Int>, kind: JSONKind) {
        self.storage = storage
        self.range = range
        self.kind = kind
    }

    /// A value at `range` in `storage` that `JSONScanner` has already validated as `kind`.
    public init(validated storage: [UInt8], range: Range<Int>, kind: JSONKind) {
        self.init(storage: storage, range: range, kind: kind)
    }

    /// Parses and validates `bytes` as exactly one JSON text of any kind.
    public init(parsing bytes: [UInt8], depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) {
        let kind = try bytes.withUnsafeBufferPointer { buffer throws(JSONError) in
            var scanner = JSONScanner(buffer)
            return try scanner.scanDocument(depthLimit: depthLimit)
        }
        var start = 0
        while start < bytes.count, JSONValue.isWhitespace(bytes[start]) { start += 1 }
        var end = bytes.count
        while end > start, JSONValue.isWhitespace(bytes[end - 1]) { end -= 1 }
        self.init(storage: bytes, range: start..<end, kind: kind)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The value's bytes exactly as written.
    public var rawBytes: ArraySlice<UInt8> { storage[range] }

    /// Calls `body` with the value's bytes exactly as written, without copying them.
    public func withRawBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The value's JSON text exactly as written.
    public var rawText: String { String(decoding: rawBytes, as: UTF8.self) }

    /// Whether this is JSON `null` (as opposed to an absent key).
    public var isNull: Bool { kind == .null }

    /// The boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        kind == .bool ? storage[range.lowerBound] == UInt8(ascii: "t") : nil
    }

    /// The decoded string, if this is a string.
    public var stringValue: String? {
        guard kind == .string else { return nil }
        return withStringContent { content, hasEscapes in JSONString.decode(content, hasEscapes: hasEscapes) }
    }

    /// The decoded UTF-8 bytes, if this is a string.
    public var stringBytes: [UInt8]? {
        guard kind == .string else { return nil }
        return withStringContent { content, hasEscapes in
            if !hasEscapes { return Array(content) }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(content.count)
            JSONString.unescape(content, into: &bytes)
            return bytes
        }
    }

    /// Calls `body` with the bytes between the quotes of this string value.
    func withStringContent<R>(_ body: (UnsafeBufferPointer<UInt8>, Bool) -> R) -> R {
        withRawBytes { raw in
            let content = UnsafeBufferPointer(rebasing: raw[1..<(raw.count - 1)])
            return body(content, content.contains(UInt8(ascii: "\\")))
        }
    }

    /// The number's text exactly as written, if this is a number.
    public var numberText: String? { kind == .number ? rawText : nil }

    /// The number as a `Double`, if this is a number.
    public var doubleValue: Double? { kind == .number ? Double(rawText) : nil }

    /// The members of this object, if it is one.
    public var objectValue: JSONObject? {
        kind == .object ? try? JSONObject(storage: storage, range: range) : nil
    }

    /// The elements of this array, if it is one.
    public var arrayValues: [JSONValue]? {
        guard kind == .array else { return nil }
        return withRawBytes { raw in
            var elements: [JSONValue] = []
            var scanner = JSONScanner(raw, position: 1)
            if scanner.consume(UInt8(ascii: "]")) { return elements }
            repeat {
                guard let element = try? scanner.scanValue() else { break }
                let offset = range.lowerBound
                elements.append(JSONValue(storage: storage, range: (element.range.lowerBound + offset)..<(element.range.upperBound + offset), kind: element.kind))
            } while scanner.consume(UInt8(ascii: ","))
            return elements
        }
    }
}

/// A JSON object whose members have been located but whose values are left unparsed.
public struct JSONObject: Sendable {
    /// Where one member's key and value lie in the object's `storage`.
    public struct Member: Sendable {
        /// The key's content, between its quotes.
        public let key: Range<Int>
        /// Whether the key holds backslash escapes, which must be decoded before comparing it.
        public let keyHasEscapes: Bool
        /// Where the value lies in `storage`.
        public let value: Range<Int>
        /// The value's kind, known without decoding it.
        public let kind: JSONKind

        /// A member at these ranges.
        @inlinable
        init(key: Range<Int>, keyHasEscapes: Bool, value: Range<Int>, kind: JSONKind) {
            self.key = key
            self.keyHasEscapes = keyHasEscapes
            self.value = value
            self.kind = kind
        }

        /// Whether this member's key, in `storage`, is `name` (UTF-8), escapes resolved.
        @inline(__always)
        public func keyEquals(_ name: UnsafeBufferPointer<UInt8>, in storage: UnsafeBufferPointer<UInt8>) -> Bool {
            JSONObject.key(self, in: storage, equals: name)
        }
    }

    /// The bytes the object lies in.
    public internal(set) var storage: [UInt8]
    /// Where the object lies in `storage`, braces included.
    public internal(set) var range: Range<Int>
    /// The members in the order written (a repeated key appears more than once).
    public internal(set) var members: [Member]

    /// Parses and validates `bytes` as one JSON text whose root is an object.
    public init(parsing bytes: [UInt8], depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) {
        let (range, members) = try bytes.withUnsafeBufferPointer { buffer throws(JSONError) in
            var scanner = JSONScanner(buffer)
            try scanner.expectObjectDocument(depthLimit: depthLimit)
            let start = scanner.position
            let members = try scanner.scanObjectMembers(depthLimit: depthLimit)
            let end = scanner.position
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw JSONError(.trailingContent, at: scanner.position) }
            return (start..<end, members)
        }
        self.storage = bytes
        self.range = range
        self.members = members
    }

    /// Locates the members of the object at `range` in already validated `storage`.
    init(storage: [UInt8], range: Range<Int>) throws(JSONError) {
        self.storage = storage
        self.range = range
        self.members = try storage.withUnsafeBufferPointer { buffer throws(JSONError) in
            var scanner = JSONScanner(UnsafeBufferPointer(rebasing: buffer[..<range.upperBound]), position: range.lowerBound)
            return try scanner.scanObjectMembers(depthLimit: JSONLimits.maximumDepth)
        }
    }

    /// The number of members; a repeated key counts each time.
    public var count: Int { members.count }

    /// `member`'s key, escapes decoded.
    public func key(of member: Member) -> String {
        storage.withUnsafeBufferPointer {
            JSONString.decode(UnsafeBufferPointer(rebasing: $0[member.key]), hasEscapes: member.keyHasEscapes)
        }
    }

    /// `member`'s value, sharing this object's storage.
    public func value(of member: Member) -> JSONValue {
        JSONValue(storage: storage, range: member.value, kind: member.kind)
    }

    /// The value of `key`. When a key repeats, the last one wins, as in most JSON parsers.
    public subscript(key: String) -> JSONValue? {
        var key = key
        return key.withUTF8 { index(ofKey: $0) }.map { value(of: members[$0]) }
    }

    /// The value at a path of keys through nested objects (`["user", "address", "city"]`).
    public func value(at path: some Collection<String>) -> JSONValue? {
        guard let first = path.first, let value = self[first] else { return nil }
        let rest = path.dropFirst()
        if rest.isEmpty { return value }
        return value.objectValue?.value(at: rest)
    }

    /// The index in `members` of the last member named `key` (UTF-8).
    public func index(ofKey key: UnsafeBufferPointer<UInt8>) -> Int? {
        storage.withUnsafeBufferPointer { index(ofKey: key, in: $0) }
    }

    /// `index(ofKey:)` with `storage` already in hand.
    @inline(__always)
    public func index(ofKey key: UnsafeBufferPointer<UInt8>, in storage: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = members.count
        while index > 0 {
            index -= 1
            if JSONObject.key(members[index], in: storage, equals: key) { return index }
        }
        return nil
    }

    @inline(__always)
    static func key(_ member: Member, in buffer: UnsafeBufferPointer<UInt8>, equals key: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeBufferPointer(rebasing: buffer[member.key])
        if !member.keyHasEscapes {
            guard raw.count == key.count else { return false }
            for index in 0..<raw.count where raw[index] != key[index] { return false }
            return true
        }
        var decoded: [UInt8] = []
        JSONString.unescape(raw, into: &decoded)
        return decoded.elementsEqual(key)
    }
}

extension JSONScanner {
    /// Scans an object starting at `{`, validating every value, and returns its members.
    public mutating func scanObjectMembers(depthLimit: Int) throws(JSONError) -> [JSONObject.Member] {
        var members: [JSONObject.Member] = []
        members.reserveCapacity(16)
        try scanObject(depthLimit: depthLimit) { members.append($0) }
        return members
    }
}

extension JSONValue {
    /// JSON equality: strings by their decoded text, integers exactly (so 20-digit ids stay
    /// distinct), other numbers by value (`1.0 == 1`), objects and arrays by their compact text.
    public func isEqual(to other: JSONValue) -> Bool {
        guard kind == other.kind else { return false }
        switch kind {
        case .string:
            if rawBytes.elementsEqual(other.rawBytes) { return true }
            return stringBytes == other.stringBytes
        case .number:
            if rawBytes.elementsEqual(other.rawBytes) { return true }
            let isInteger = { (value: JSONValue) in value.rawBytes.allSatisfy { $0 == UInt8(ascii: "-") || $0 &- UInt8(ascii: "0") < 10 } }
            if isInteger(self) && isInteger(other) {
                // Distinct integer texts differ in value, except zero and negative zero.
                return rawBytes.allSatisfy { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "0") }
                    && other.rawBytes.allSatisfy { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "0") }
            }
            guard let lhs = doubleValue, let rhs = other.doubleValue else { return false }
            return lhs == rhs
        case .bool, .null:
            return rawBytes.elementsEqual(other.rawBytes)
        case .object, .array:
            var lhs = JSONWriter(capacity: range.count)
            var rhs = JSONWriter(capacity: other.range.count)
            lhs.appendCompact(self)
            rhs.appendCompact(other)
            return lhs.bytes == rhs.bytes
        }
    }
}
