/// Appends JSON text to a byte array. Values passed as raw bytes are copied verbatim, so
/// numbers and strings keep exactly the form they arrived in.
public struct JSONWriter {
    /// The JSON text written so far.
    public var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A writer that appends to `buffer`, emptied but keeping its capacity.
    public init(reusing buffer: consuming [UInt8]) {
        bytes = consume buffer
        bytes.removeAll(keepingCapacity: true)
    }

    /// Appends one byte as is, such as a comma or bracket.
    @inline(__always)
    public mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// Appends bytes verbatim: JSON text copied through, or punctuation.
    @inline(__always)
    public mutating func append(raw: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: raw) }

    /// Appends bytes verbatim: JSON text copied through, or punctuation.
    @inline(__always)
    public mutating func append(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    /// Appends a literal's UTF-8 verbatim, unescaped: for fixed fragments such as `null`.
    public mutating func append(raw: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: raw.utf8Start, count: raw.utf8CodeUnitCount))
    }

    /// Appends `value` as a quoted, escaped JSON string.
    public mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends valid UTF-8 as JSON string content (no quotes), escaping what JSON requires.
    public mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for i in 0..<utf8.count {
            let byte = utf8[i]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
            runStart = i + 1
            switch byte {
            case UInt8(ascii: "\""): append(raw: "\\\"")
            case UInt8(ascii: "\\"): append(raw: "\\\\")
            case 0x0A: append(raw: "\\n")
            case 0x0D: append(raw: "\\r")
            case 0x09: append(raw: "\\t")
            case 0x08: append(raw: "\\b")
            case 0x0C: append(raw: "\\f")
            default:
                append(raw: "\\u00")
                bytes.append(JSONWriter.hexDigits[Int(byte >> 4)])
                bytes.append(JSONWriter.hexDigits[Int(byte & 0xF)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }

    /// Appends valid UTF-8 from an array as JSON string content (no quotes).
    public mutating func appendEscaped(_ utf8: [UInt8]) {
        utf8.withUnsafeBufferPointer { appendEscaped($0) }
    }

    /// Appends a validated JSON value without insignificant whitespace, so it fits on one line.
    /// Everything else (strings, escapes, numbers) is copied byte for byte.
    public mutating func appendCompact(_ value: JSONValue) {
        value.withRawBytes { raw in
            guard value.kind == .object || value.kind == .array else {
                bytes.append(contentsOf: raw)
                return
            }
            appendCompact(raw)
        }
    }

    /// Appends validated JSON text without whitespace outside strings.
    public mutating func appendCompact(_ raw: UnsafeBufferPointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { compact in
            let count = JSONWriter.writeCompact(raw, to: compact.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: compact[..<count]))
        }
    }

    /// Copies `raw` (a key, a value, a fixed fragment) to `output`, which has room for it and
    /// does not overlap it; returns the number of bytes. Runs of up to 32 bytes, as most keys and
    /// values are, are copied inline in two overlapping moves: a call to `memcpy` costs more than
    /// they do.
    @inlinable @inline(__always)
    public static func write(_ raw: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt8>) -> Int {
        let count = raw.count
        guard let source = raw.baseAddress else { return 0 }
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(output)
        switch count {
        case 17...32:
            let head = from.loadUnaligned(as: SIMD16<UInt8>.self), tail = from.loadUnaligned(fromByteOffset: count &- 16, as: SIMD16<UInt8>.self)
            to.storeBytes(of: head, as: SIMD16<UInt8>.self)
            to.storeBytes(of: tail, toByteOffset: count &- 16, as: SIMD16<UInt8>.self)
        case 8...16:
            let head = from.loadUnaligned(as: UInt64.self), tail = from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: count &- 8, as: UInt64.self)
        case 4..<8:
            let head = from.loadUnaligned(as: UInt32.self), tail = from.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
            to.storeBytes(of: head, as: UInt32.self)
            to.storeBytes(of: tail, toByteOffset: count &- 4, as: UInt32.self)
        case 0..<4:
            for index in 0..<count { output[index] = source[index] }
        default:
            output.initialize(from: source, count: count)
        }
        return count
    }

    /// Writes validated JSON text without whitespace outside strings to `output`, which has room
    /// for `raw.count` bytes; returns the number written.
    public static func writeCompact(_ raw: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        var inString = false
        var escaped = false
        for byte in raw {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                continue
            }
            output[written] = byte
            written += 1
        }
        return written
    }

    /// Appends an integer in decimal, as a JSON number: digit by digit for anything that fits in
    /// 64 bits (a generic `String(value)` costs a microsecond).
    public mutating func append(integer value: some BinaryInteger) {
        guard let value = Int64(exactly: value) else {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// A JSON object key, escaped and framed once (`"name":`) so hot loops only copy it.
public struct JSONKey: Sendable, Hashable {
    /// The key as text.
    public let name: String
    /// `"name":` as bytes.
    public let encoded: [UInt8]
    /// The key's UTF-8, unescaped: what member lookups compare.
    public let utf8Name: [UInt8]
    /// Whether `encoded` needed escapes.
    let encodedNameHasEscapes: Bool

    /// The key `name`.
    public init(_ name: String) {
        self.name = name
        var writer = JSONWriter(capacity: name.utf8.count + 3)
        writer.appendString(name)
        writer.append(UInt8(ascii: ":"))
        encoded = writer.bytes
        utf8Name = Array(name.utf8)
        encodedNameHasEscapes = encoded.count != utf8Name.count + 3
    }
}

/// Builds one JSON object member by member, managing commas and braces.
public struct JSONObjectWriter {
    /// The bytes so far; after ``beginMember(_:)``, append exactly one value here.
    public var writer: JSONWriter
    private var isEmpty = true

    /// A writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        writer = JSONWriter(capacity: capacity)
        writer.append(UInt8(ascii: "{"))
    }

    /// A writer that fills `buffer`, emptied but keeping its capacity, so that repeated objects
    /// reuse one allocation.
    public init(reusing buffer: consuming [UInt8]) {
        writer = JSONWriter(reusing: consume buffer)
        writer.append(UInt8(ascii: "{"))
    }

    /// Starts a member; the caller then appends exactly one value to `writer`.
    @inline(__always)
    public mutating func beginMember(_ key: JSONKey) {
        if !isEmpty { writer.append(UInt8(ascii: ",")) }
        isEmpty = false
        writer.append(raw: key.encoded)
    }

    /// Starts a member whose key is given encoded and framed, as `JSONKey.encoded` is: `"name":`.
    @inline(__always)
    public mutating func beginMember(encodedKey: UnsafeBufferPointer<UInt8>) {
        if !isEmpty { writer.append(UInt8(ascii: ",")) }
        isEmpty = false
        writer.append(raw: encodedKey)
    }

    /// Adds a member whose value is JSON text, copied verbatim.
    public mutating func add(_ key: JSONKey, raw value: UnsafeBufferPointer<UInt8>) {
        beginMember(key)
        writer.append(raw: value)
    }

    /// Adds a member whose value is JSON text, copied verbatim.
    public mutating func add(_ key: JSONKey, raw value: some Sequence<UInt8>) {
        beginMember(key)
        writer.append(raw: value)
    }

    /// Adds a string member.
    public mutating func add(_ key: JSONKey, string value: String) {
        beginMember(key)
        writer.appendString(value)
    }

    /// Adds a string member given as UTF-8, escaping what JSON requires.
    public mutating func add(_ key: JSONKey, utf8String value: UnsafeBufferPointer<UInt8>) {
        beginMember(key)
        writer.append(UInt8(ascii: "\""))
        writer.appendEscaped(value)
        writer.append(UInt8(ascii: "\""))
    }

    /// Adds a member whose value is an integer.
    public mutating func add(_ key: JSONKey, integer value: some BinaryInteger) {
        beginMember(key)
        writer.append(integer: value)
    }

    /// Adds a member whose value is `null`.
    public mutating func addNull(_ key: JSONKey) {
        beginMember(key)
        writer.append(raw: "null")
    }

    /// Closes the object and returns its bytes.
    public consuming func finish() -> [UInt8] {
        writer.append(UInt8(ascii: "}"))
        return writer.bytes
    }
}
