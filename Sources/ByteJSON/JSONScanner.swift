/// A validating, non-allocating JSON scanner over a byte buffer (RFC 8259, UTF-8).
///
/// It never builds values: it checks syntax and reports where values start and end, so
/// callers can copy the exact bytes of what they pass through.
public struct JSONScanner {
    /// The text being scanned; the caller keeps it alive while the scanner is in use.
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Offset of the next byte to read. Ranges the scanner returns are offsets into `bytes` too.
    public var position: Int

    /// A scanner over `bytes`, starting at offset `position`.
    public init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// Whether every byte has been consumed.
    @inline(__always)
    public var atEnd: Bool { position >= bytes.count }

    @inline(__always)
    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Advances past JSON whitespace: space, tab, line feed and carriage return.
    @inline(__always)
    public mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Consumes `byte` (after optional whitespace) or throws.
    @inline(__always)
    public mutating func expect(_ byte: UInt8) throws(JSONError) {
        skipWhitespace()
        guard position < bytes.count else { throw JSONError(.unexpectedEnd, at: position) }
        guard bytes[position] == byte else { throw JSONError(.unexpectedByte(bytes[position]), at: position) }
        position += 1
    }

    /// Consumes `byte` if it is next (after optional whitespace).
    @inline(__always)
    public mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if position < bytes.count, bytes[position] == byte {
            position += 1
            return true
        }
        return false
    }

    /// The kind of the value starting at `position` (after whitespace), without consuming it.
    public mutating func peekKind() throws(JSONError) -> JSONKind {
        skipWhitespace()
        guard let byte = peek() else { throw JSONError(.unexpectedEnd, at: position) }
        guard let kind = JSONScanner.kind(ofFirstByte: byte) else {
            throw JSONError(.unexpectedByte(byte), at: position)
        }
        return kind
    }

    static func kind(ofFirstByte byte: UInt8) -> JSONKind? {
        switch byte {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: nil
        }
    }

    // MARK: Whole values

    /// Validates and skips one value of any kind; returns its kind and the range it occupies.
    @discardableResult
    public mutating func scanValue(depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) -> (kind: JSONKind, range: Range<Int>) {
        skipWhitespace()
        let start = position
        let kind = try peekKind()
        switch kind {
        case .object, .array: try skipContainer(depthLimit: depthLimit)
        case .string: _ = try scanString()
        case .number: try scanNumber()
        case .bool, .null: try scanLiteral()
        }
        return (kind, start..<position)
    }

    /// Checks that the buffer is one JSON text whose root is an object, and leaves the scanner
    /// at its `{`. Anything else throws: a syntax error if the text is not JSON at all, so that
    /// `not json` is reported as invalid rather than as a `null`.
    public mutating func expectObjectDocument(depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) {
        let kind = try peekKind()
        guard kind != .object else { return }
        let start = position
        _ = try scanDocument(depthLimit: depthLimit)
        throw JSONError(.notAnObject(kind), at: start)
    }

    /// Validates the whole buffer as exactly one JSON text.
    public mutating func scanDocument(depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) -> JSONKind {
        let kind = try scanValue(depthLimit: depthLimit).kind
        skipWhitespace()
        guard atEnd else { throw JSONError(.trailingContent, at: position) }
        return kind
    }

    /// Skips an object or array iteratively, so depth costs no stack.
    mutating func skipContainer(depthLimit: Int) throws(JSONError) {
        var open = ContainerStack()
        let depthLimit = min(depthLimit, ContainerStack.capacity)
        // Each pass of the outer loop starts at a value.
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw JSONError(.unexpectedEnd, at: position) }
            switch byte {
            case UInt8(ascii: "{"):
                guard open.depth < depthLimit else { throw JSONError(.tooDeep(limit: depthLimit), at: position) }
                position += 1
                open.push(isObject: true)
                if consume(UInt8(ascii: "}")) {
                    open.pop()
                } else {
                    try scanMemberKey()
                    continue
                }
            case UInt8(ascii: "["):
                guard open.depth < depthLimit else { throw JSONError(.tooDeep(limit: depthLimit), at: position) }
                position += 1
                open.push(isObject: false)
                if !consume(UInt8(ascii: "]")) { continue }
                open.pop()
            case UInt8(ascii: "\""): _ = try scanString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): try scanLiteral()
            default: throw JSONError(.unexpectedByte(byte), at: position)
            }
            // After a value: close containers or move to the next element.
            while true {
                if open.depth == 0 { return }
                skipWhitespace()
                guard let next = peek() else { throw JSONError(.unexpectedEnd, at: position) }
                if next == UInt8(ascii: ",") {
                    position += 1
                    if open.topIsObject { try scanMemberKey() }
                    break
                }
                let closer = open.topIsObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard next == closer else { throw JSONError(.unexpectedByte(next), at: position) }
                position += 1
                open.pop()
            }
        }
    }

    /// Scans `"key" :` inside an object.
    @inline(__always)
    mutating func scanMemberKey() throws(JSONError) {
        skipWhitespace()
        guard let byte = peek() else { throw JSONError(.unexpectedEnd, at: position) }
        guard byte == UInt8(ascii: "\"") else { throw JSONError(.unexpectedByte(byte), at: position) }
        _ = try scanString()
        try expect(UInt8(ascii: ":"))
    }

    // MARK: Strings

    /// Scans a string starting at its opening quote. Returns the range of its content
    /// (between the quotes) and whether it holds escapes.
    @inline(__always)
    public mutating func scanString() throws(JSONError) -> (content: Range<Int>, hasEscapes: Bool) {
        position += 1
        let start = position
        let hasEscapes = try scanStringContent()
        return (start..<(position - 1), hasEscapes)
    }

    /// Scans string content up to and including the closing quote.
    mutating func scanStringContent() throws(JSONError) -> Bool {
        var hasEscapes = false
        let count = bytes.count
        guard let base = bytes.baseAddress else { throw JSONError(.unexpectedEnd, at: position) }
        var index = position
        defer { position = index }
        while true {
            // Plain bytes (no quote, backslash, control or non-ASCII byte): 32 at a time, then
            // 8 at a time to find the first special one.
            while index &+ 32 <= count {
                let raw = UnsafeRawPointer(base + index)
                let special = JSONScanner.specialStringBytes(raw.loadUnaligned(as: UInt64.self))
                    | JSONScanner.specialStringBytes(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    | JSONScanner.specialStringBytes(raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                    | JSONScanner.specialStringBytes(raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
                if special != 0 { break }
                index &+= 32
            }
            while index &+ 8 <= count {
                let special = JSONScanner.specialStringBytes(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                if special != 0 {
                    // The lowest flagged byte is exactly the first special one.
                    index &+= special.trailingZeroBitCount &>> 3
                    break
                }
                index &+= 8
            }
            guard index < count else { throw JSONError(.unexpectedEnd, at: index) }
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return hasEscapes
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                position = index
                try scanEscape()
                index = position
            } else if byte < 0x20 {
                throw JSONError(.controlCharacterInString, at: index)
            } else if byte < 0x80 {
                index += 1
            } else {
                guard let length = UTF8Validation.sequenceLength(base, at: index, count: count) else {
                    throw JSONError(.invalidUTF8, at: index)
                }
                index += length
            }
        }
    }

    /// Non-zero when `word` holds a quote, backslash, control or non-ASCII byte. The lowest set
    /// bit marks the first such byte (little-endian); higher bits may be false positives.
    @inline(__always)
    static func specialStringBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quote = zeroBytes(word ^ (ones &* 0x22))
        let backslash = zeroBytes(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control | (word & highs)
    }

    mutating func scanEscape() throws(JSONError) {
        let start = position
        position += 1
        guard let byte = peek() else { throw JSONError(.unexpectedEnd, at: position) }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            guard position + 4 < bytes.count else { throw JSONError(.unexpectedEnd, at: bytes.count) }
            for offset in 1...4 where JSONScanner.hexValue(bytes[position + offset]) == nil {
                throw JSONError(.invalidEscape, at: start)
            }
            position += 5
        default:
            throw JSONError(.invalidEscape, at: start)
        }
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    // MARK: Numbers and literals

    /// Scans `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    public mutating func scanNumber() throws(JSONError) {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek() else { throw JSONError(.unexpectedEnd, at: position) }
        if first == UInt8(ascii: "0") {
            position += 1
        } else if first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") {
            skipDigits()
        } else {
            throw JSONError(.invalidNumber, at: start)
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw JSONError(.invalidNumber, at: start) }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw JSONError(.invalidNumber, at: start) }
        }
    }

    @inline(__always)
    @discardableResult
    mutating func skipDigits() -> Int {
        let start = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        return position - start
    }

    mutating func scanLiteral() throws(JSONError) {
        let start = position
        let literal: StaticString
        switch bytes[position] {
        case UInt8(ascii: "t"): literal = "true"
        case UInt8(ascii: "f"): literal = "false"
        default: literal = "null"
        }
        let length = literal.utf8CodeUnitCount
        guard position + length <= bytes.count else { throw JSONError(.unexpectedEnd, at: bytes.count) }
        for i in 0..<length where bytes[position + i] != literal.utf8Start[i] {
            throw JSONError(.unexpectedByte(bytes[position + i]), at: position + i)
        }
        position = start + length
    }
}

/// A stack of open containers (object or array), one bit each, with no heap allocation.
struct ContainerStack {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private(set) var depth = 0
    static let capacity = 1024

    var topIsObject: Bool { bit(depth - 1) }

    mutating func push(isObject: Bool) {
        setBit(depth, isObject)
        depth += 1
    }

    mutating func pop() { depth -= 1 }

    private func bit(_ index: Int) -> Bool {
        withUnsafeBytes(of: words) { raw in
            (raw.load(fromByteOffset: (index >> 6) * 8, as: UInt64.self) >> UInt64(index & 63)) & 1 == 1
        }
    }

    private mutating func setBit(_ index: Int, _ value: Bool) {
        withUnsafeMutableBytes(of: &words) { raw in
            let offset = (index >> 6) * 8
            var word = raw.load(fromByteOffset: offset, as: UInt64.self)
            let mask: UInt64 = 1 << UInt64(index & 63)
            word = value ? (word | mask) : (word & ~mask)
            raw.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
        }
    }
}
