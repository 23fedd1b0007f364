#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A validating, non-allocating JSON scanner over a byte buffer (RFC 8259, UTF-8).
///
/// It never builds values: it checks syntax and reports where values start and end, so
/// callers can copy the exact bytes of what they pass through.
///
/// The public methods keep `position`; the work is done by static functions that advance a
/// local cursor over the buffer's base address, which the compiler keeps in a register.
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

    /// The buffer's bytes and end, for the static scanning functions. An empty buffer has no
    /// base address; any non-nil one serves, since nothing is read at or past `end`.
    @inlinable @inline(__always)
    var text: Text { Text(base: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, end: bytes.count) }

    /// Advances past JSON whitespace: space, tab, line feed and carriage return.
    @inlinable @inline(__always)
    public mutating func skipWhitespace() {
        JSONScanner.skipWhitespace(text, &position)
    }

    /// Consumes `byte` (after optional whitespace) or throws.
    @inlinable @inline(__always)
    public mutating func expect(_ byte: UInt8) throws(JSONError) {
        try JSONScanner.expect(byte, text, &position)
    }

    /// Consumes `byte` if it is next (after optional whitespace).
    @inlinable @inline(__always)
    public mutating func consume(_ byte: UInt8) -> Bool {
        JSONScanner.consume(byte, text, &position)
    }

    /// The kind of the value starting at `position` (after whitespace), without consuming it.
    public mutating func peekKind() throws(JSONError) -> JSONKind {
        skipWhitespace()
        guard position < bytes.count else { throw JSONError(.unexpectedEnd, at: position) }
        guard let kind = JSONScanner.kind(ofFirstByte: bytes[position]) else {
            throw JSONError(.unexpectedByte(bytes[position]), at: position)
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
    @inlinable
    @discardableResult
    public mutating func scanValue(depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) -> (kind: JSONKind, range: Range<Int>) {
        JSONScanner.skipWhitespace(text, &position)
        let start = position
        let kind = try JSONScanner.scanValue(text, &position, depthLimit: depthLimit)
        return (kind, start..<position)
    }

    /// Checks that the buffer is one JSON text whose root is an object, and leaves the scanner
    /// at its `{`. Anything else throws: a syntax error if the text is not JSON at all, so that
    /// `not json` is reported as invalid rather than as a `null`.
    public mutating func expectObjectDocument(depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) {
        // Most documents start with their brace.
        if position < bytes.count, bytes[position] == UInt8(ascii: "{") { return }
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

    /// Scans an object starting at `{` (after optional whitespace), validating every value, and
    /// hands each member to `body` as it is found: for callers that want a few keys and no index.
    @inlinable @inline(__always)
    public mutating func scanObject(depthLimit: Int, _ body: (JSONObject.Member) -> Void) throws(JSONError) {
        try JSONScanner.scanObject(text, &position, depthLimit: depthLimit, body)
    }

    /// Whether `count` bytes at `a` and `b` are equal: eight at a time, inline, since the keys
    /// compared are short and a call to `memcmp` costs more than they do.
    @inlinable @inline(__always)
    public static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        while index &+ 8 <= count {
            let x = UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self)
            if x != UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self) { return false }
            index &+= 8
        }
        while index < count {
            if a[index] != b[index] { return false }
            index &+= 1
        }
        return true
    }

    // MARK: Strings

    /// Scans a string starting at its opening quote. Returns the range of its content
    /// (between the quotes) and whether it holds escapes.
    @inlinable @inline(__always)
    public mutating func scanString() throws(JSONError) -> (content: Range<Int>, hasEscapes: Bool) {
        position += 1
        let start = position
        let hasEscapes = try JSONScanner.scanString(text, &position)
        return (start..<(position - 1), hasEscapes)
    }

    // MARK: Numbers

    /// Scans `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    @inlinable
    public mutating func scanNumber() throws(JSONError) {
        try JSONScanner.scanNumber(text, &position)
    }
}

// MARK: - The scanning functions

extension JSONScanner {
    /// A buffer as the scanning functions read it: its first byte and its length.
    @usableFromInline
    struct Text {
        @usableFromInline let base: UnsafePointer<UInt8>
        @usableFromInline let end: Int
        /// Known to hold no backslash, control or non-ASCII byte before its trailing whitespace:
        /// a string then ends at the next quote, which `memchr` finds many bytes at a time.
        @usableFromInline let plain: Bool

        @inlinable init(base: UnsafePointer<UInt8>, end: Int, plain: Bool = false) {
            self.base = base
            self.end = end
            self.plain = plain
        }
    }

    /// Whether the `count` bytes at `base` hold no backslash, control or non-ASCII byte. Written
    /// without branches in its loop so that the compiler turns it into vector compares.
    static func isPlain(_ base: UnsafePointer<UInt8>, count: Int) -> Bool {
        @inline(__always) func plain32(at i: Int) -> Bool {
            var any: UInt8 = 0
            for j in 0..<32 { any |= notPlain(base[i &+ j]) }
            return any == 0
        }
        var i = 0
        if count >= 32 {
            while i &+ 32 <= count {
                if !plain32(at: i) { return false }
                i &+= 32
            }
            // The last 32 bytes, some of them checked already.
            return i == count || plain32(at: count &- 32)
        }
        while i &+ 8 <= count {
            if notPlainBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) != 0 { return false }
            i &+= 8
        }
        while i < count {
            if notPlain(base[i]) != 0 { return false }
            i &+= 1
        }
        return true
    }

    /// 1 when `byte` is a backslash, a control byte or not ASCII: what plain string content
    /// lacks. Branch-free, so loops over it become vector compares.
    @inlinable @inline(__always)
    static func notPlain(_ byte: UInt8) -> UInt8 {
        ((byte &- 0x20) >= 0x60 ? 1 : 0) | (byte == UInt8(ascii: "\\") ? 1 : 0)
    }

    @inlinable @inline(__always)
    static func scanObject(_ text: Text, _ i: inout Int, depthLimit: Int, _ body: (JSONObject.Member) -> Void) throws(JSONError) {
        try expect(UInt8(ascii: "{"), text, &i)
        if consume(UInt8(ascii: "}"), text, &i) { return }
        while true {
            skipWhitespace(text, &i)
            guard i < text.end else { throw JSONError(.unexpectedEnd, at: i) }
            guard text.base[i] == UInt8(ascii: "\"") else { throw JSONError(.unexpectedByte(text.base[i]), at: i) }
            i &+= 1
            let keyStart = i
            let keyHasEscapes = try scanString(text, &i)
            let key = keyStart..<(i &- 1)
            // Machine-written JSON has no space before the colon: test for that first.
            if i < text.end, text.base[i] == UInt8(ascii: ":") {
                i &+= 1
            } else {
                try expect(UInt8(ascii: ":"), text, &i)
            }
            skipWhitespace(text, &i)
            let valueStart = i
            // Strings and numbers, most values, here; the rest through `scanValue`.
            let kind: JSONKind
            if i < text.end, text.base[i] == UInt8(ascii: "\"") {
                i &+= 1
                _ = try scanString(text, &i)
                kind = .string
            } else if i < text.end, text.base[i] &- UInt8(ascii: "0") < 10 {
                try scanNumber(text, &i)
                kind = .number
            } else {
                kind = try scanValue(text, &i, depthLimit: depthLimit &- 1)
            }
            body(JSONObject.Member(key: key, keyHasEscapes: keyHasEscapes, value: valueStart..<i, kind: kind))
            if i < text.end, text.base[i] == UInt8(ascii: ",") {
                i &+= 1
                continue
            }
            skipWhitespace(text, &i)
            guard i < text.end else { throw JSONError(.unexpectedEnd, at: i) }
            switch text.base[i] {
            case UInt8(ascii: ","): i &+= 1
            case UInt8(ascii: "}"): i &+= 1; return
            case let byte: throw JSONError(.unexpectedByte(byte), at: i)
            }
        }
    }

    @inlinable @inline(__always)
    static func skipWhitespace(_ text: Text, _ i: inout Int) {
        while i < text.end {
            switch text.base[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i &+= 1
            default: return
            }
        }
    }

    @inlinable @inline(__always)
    static func expect(_ byte: UInt8, _ text: Text, _ i: inout Int) throws(JSONError) {
        skipWhitespace(text, &i)
        guard i < text.end else { throw JSONError(.unexpectedEnd, at: i) }
        guard text.base[i] == byte else { throw JSONError(.unexpectedByte(text.base[i]), at: i) }
        i &+= 1
    }

    @inlinable @inline(__always)
    static func consume(_ byte: UInt8, _ text: Text, _ i: inout Int) -> Bool {
        skipWhitespace(text, &i)
        guard i < text.end, text.base[i] == byte else { return false }
        i &+= 1
        return true
    }

    /// Scans the value at `i` (no whitespace before it) and returns its kind.
    @inlinable @inline(__always)
    static func scanValue(_ text: Text, _ i: inout Int, depthLimit: Int) throws(JSONError) -> JSONKind {
        guard i < text.end else { throw JSONError(.unexpectedEnd, at: i) }
        switch text.base[i] {
        case UInt8(ascii: "\""):
            i &+= 1
            _ = try scanString(text, &i)
            return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanNumber(text, &i)
            return .number
        case UInt8(ascii: "{"):
            try skipContainer(text, &i, depthLimit: depthLimit)
            return .object
        case UInt8(ascii: "["):
            try skipContainer(text, &i, depthLimit: depthLimit)
            return .array
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            try scanLiteral(text, &i)
            return .bool
        case UInt8(ascii: "n"):
            try scanLiteral(text, &i)
            return .null
        case let byte:
            throw JSONError(.unexpectedByte(byte), at: i)
        }
    }

    /// Skips an object or array, keeping which open containers are objects in one word: 64
    /// levels per call, deeper ones in a nested call, so that depth costs little stack.
    /// `limit` is the depth limit reported when `depthLimit` levels are exceeded.
    @usableFromInline
    static func skipContainer(_ text: Text, _ i: inout Int, depthLimit: Int, limit: Int? = nil) throws(JSONError) {
        let levels = min(depthLimit, 64)
        // Bit k: the container open at level k (of this call) is an object.
        var objects: UInt64 = 0
        var depth = 0
        // Each pass of the outer loop starts at a value (after whitespace).
        while true {
            guard i < text.end else { throw JSONError(.unexpectedEnd, at: i) }
            switch text.base[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < levels else {
                    guard depth < depthLimit else { throw JSONError(.tooDeep(limit: limit ?? depthLimit), at: i) }
                    try skipContainer(text, &i, depthLimit: depthLimit &- depth, limit: limit ?? depthLimit)
                    break
                }
                let isObject = text.base[i] == UInt8(ascii: "{")
                i &+= 1
                skipWhitespace(text, &i)
                if i < text.end, text.base[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i &+= 1
                    break
                }
                objects = objects & ~(1 &<< UInt64(depth)) | (isObject ? 1 : 0) &<< UInt64(depth)
                depth &+= 1
                if isObject { try scanMemberKey(text, &i) }
                continue
            case UInt8(ascii: "\""):
                i &+= 1
                _ = try scanString(text, &i)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber(text, &i)
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): try scanLiteral(text, &i)
            case let byte: throw JSONError(.unexpectedByte(byte), at: i)
            }
            // After a value: close containers or move to the next element.
            while true {
                if depth == 0 { return }
                skipWhitespace(text, &i)
                guard i < text.end else { throw JSONError(.unexpectedEnd, at: i) }
                let next = text.base[i]
                let inObject = objects &>> UInt64(depth &- 1) & 1 == 1
                if next == UInt8(ascii: ",") {
                    i &+= 1
                    if inObject { try scanMemberKey(text, &i) } else { skipWhitespace(text, &i) }
                    break
                }
                guard next == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { throw JSONError(.unexpectedByte(next), at: i) }
                i &+= 1
                depth &-= 1
            }
        }
    }

    /// Scans `"key" :` inside an object, and the whitespace before its value.
    @inline(__always)
    static func scanMemberKey(_ text: Text, _ i: inout Int) throws(JSONError) {
        skipWhitespace(text, &i)
        guard i < text.end else { throw JSONError(.unexpectedEnd, at: i) }
        guard text.base[i] == UInt8(ascii: "\"") else { throw JSONError(.unexpectedByte(text.base[i]), at: i) }
        i &+= 1
        _ = try scanString(text, &i)
        try expect(UInt8(ascii: ":"), text, &i)
        skipWhitespace(text, &i)
    }

    /// Scans string content after the opening quote, through the closing one; returns whether it
    /// holds escapes. The common case, plain bytes up to the quote, is written out here (the
    /// compiler does not inline a throwing call); anything else goes to `scanStringContent`.
    @inlinable @inline(__always)
    static func scanString(_ text: Text, _ i: inout Int) throws(JSONError) -> Bool {
        skipPlainBytes(text, &i)
        if i < text.end, text.base[i] == UInt8(ascii: "\"") {
            i &+= 1
            return false
        }
        return try scanStringContent(text, &i)
    }

    /// Advances `i` to the first byte that is not plain string content (a quote, backslash,
    /// control or non-ASCII byte), or to where fewer than 8 bytes are left: 16 bytes at a time,
    /// then a word.
    @inlinable @inline(__always)
    static func skipPlainBytes(_ text: Text, _ i: inout Int) {
        if text.plain {
            skipToQuote(text, &i)
            return
        }
        let base = text.base, end = text.end
        while i &+ 16 <= end {
            let offset = specialOffset(in16: base + i)
            i &+= offset
            if offset < 16 { return }
        }
        guard i &+ 8 <= end else { return }
        // The lowest flagged byte of a word is exactly the first special one.
        let special = specialStringBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
        i &+= special == 0 ? 8 : special.trailingZeroBitCount &>> 3
    }

    /// Advances `i` to the next quote, or to the end: in plain text, where only a quote can end
    /// a string. Sixteen bytes at a time in the first 128, where most strings end (a browser's user
    /// agent among them), then `memchr`.
    @inlinable @inline(__always)
    static func skipToQuote(_ text: Text, _ i: inout Int) {
        let base = text.base, end = text.end
        var blocks = 0
        while blocks < 8, i &+ 16 <= end {
            let offset = quoteOffset(in16: base + i)
            if offset < 16 {
                i &+= offset
                return
            }
            i &+= 16
            blocks &+= 1
        }
        guard i < end, let quote = memchr(base + i, Int32(UInt8(ascii: "\"")), end &- i) else {
            i = end
            return
        }
        i = UnsafeRawPointer(quote) - UnsafeRawPointer(base)
    }

    /// The offset of the first quote in the 16 bytes at `p`, or 16.
    @inlinable @inline(__always)
    static func quoteOffset(in16 p: UnsafePointer<UInt8>) -> Int {
        let bytes = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
        return firstSet(bytes .== SIMD16<UInt8>(repeating: 0x22))
    }

    /// The offset of the first quote, backslash, control or non-ASCII byte in the 16 bytes at
    /// `p`, or 16.
    @inlinable @inline(__always)
    static func specialOffset(in16 p: UnsafePointer<UInt8>) -> Int {
        let bytes = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
        // Control and non-ASCII bytes are those outside 0x20...0x7F once 0x20 is subtracted.
        let outside = (bytes &- SIMD16<UInt8>(repeating: 0x20)) .>= SIMD16<UInt8>(repeating: 0x60)
        return firstSet(outside .| (bytes .== SIMD16<UInt8>(repeating: 0x22)) .| (bytes .== SIMD16<UInt8>(repeating: 0x5C)))
    }

    /// The first lane set in `mask`, or 16: one vector compare read back as two words whose
    /// first set byte marks it. (Types spelled out: the generic SIMD operators compile lane by
    /// lane.)
    @inlinable @inline(__always)
    static func firstSet(_ mask: SIMDMask<SIMD16<Int8>>) -> Int {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        if words[0] != 0 { return words[0].littleEndian.trailingZeroBitCount &>> 3 }
        if words[1] != 0 { return 8 &+ words[1].littleEndian.trailingZeroBitCount &>> 3 }
        return 16
    }

    /// Scans string content (after the opening quote) up to and including the closing quote;
    /// returns whether it holds escapes.
    @usableFromInline
    static func scanStringContent(_ text: Text, _ i: inout Int) throws(JSONError) -> Bool {
        var hasEscapes = false
        let base = text.base, end = text.end
        while true {
            skipPlainBytes(text, &i)
            guard i < end else { throw JSONError(.unexpectedEnd, at: i) }
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                i &+= 1
                return hasEscapes
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape(text, &i)
            } else if byte < 0x20 {
                throw JSONError(.controlCharacterInString, at: i)
            } else if byte < 0x80 {
                i &+= 1
            } else {
                guard let length = UTF8Validation.sequenceLength(base, at: i, count: end) else {
                    throw JSONError(.invalidUTF8, at: i)
                }
                i &+= length
            }
        }
    }

    /// Non-zero when `word` holds a backslash, control or non-ASCII byte.
    @inlinable @inline(__always)
    static func notPlainBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let backslash = word ^ (ones &* 0x5C)
        return (((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word) | word) & (ones &* 0x80)
    }

    /// Non-zero when `word` holds a quote, backslash, control or non-ASCII byte. The lowest set
    /// bit marks the first such byte (little-endian); higher bits may be false positives.
    @inlinable @inline(__always)
    static func specialStringBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        return notPlainBytes(word) | ((quote &- ones) & ~quote & (ones &* 0x80))
    }

    /// Scans the escape at `i` (its backslash).
    @usableFromInline
    static func scanEscape(_ text: Text, _ i: inout Int) throws(JSONError) {
        let start = i
        guard i &+ 1 < text.end else { throw JSONError(.unexpectedEnd, at: i &+ 1) }
        switch text.base[i &+ 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i &+= 2
        case UInt8(ascii: "u"):
            guard i &+ 5 < text.end else { throw JSONError(.unexpectedEnd, at: text.end) }
            for offset in 2...5 where hexValue(text.base[i &+ offset]) == nil {
                throw JSONError(.invalidEscape, at: start)
            }
            i &+= 6
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

    /// Scans `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at `i`.
    @inlinable @inline(__always)
    static func scanNumber(_ text: Text, _ i: inout Int) throws(JSONError) {
        let start = i
        guard skipNumber(text.base, &i, end: text.end, checked: true) else {
            // Cut short before any digit, or malformed.
            let digitless = i == start || (i == start &+ 1 && text.base[start] == UInt8(ascii: "-"))
            throw digitless && i == text.end ? JSONError(.unexpectedEnd, at: i) : JSONError(.invalidNumber, at: start)
        }
    }

    /// Skips the number at `i`; false where it breaks the grammar. Unless `checked`, it reads
    /// without checking `end`, for text where a byte that is no part of a number is known to come
    /// first (a plain object's closing brace).
    @inlinable @inline(__always)
    static func skipNumber(_ base: UnsafePointer<UInt8>, _ i: inout Int, end: Int, checked: Bool) -> Bool {
        @inline(__always) func within(_ index: Int) -> Bool { !checked || index < end }
        @inline(__always) func isDigit(_ index: Int) -> Bool { within(index) && base[index] &- UInt8(ascii: "0") < 10 }
        @inline(__always) func isByte(_ index: Int, _ byte: UInt8) -> Bool { within(index) && base[index] == byte }
        if isByte(i, UInt8(ascii: "-")) { i &+= 1 }
        if isByte(i, UInt8(ascii: "0")) {
            i &+= 1
        } else if isDigit(i) {
            repeat { i &+= 1 } while isDigit(i)
        } else {
            return false
        }
        if isByte(i, UInt8(ascii: ".")) {
            i &+= 1
            guard isDigit(i) else { return false }
            repeat { i &+= 1 } while isDigit(i)
        }
        if within(i), base[i] | 0x20 == UInt8(ascii: "e") {
            i &+= 1
            if isByte(i, UInt8(ascii: "+")) || isByte(i, UInt8(ascii: "-")) { i &+= 1 }
            guard isDigit(i) else { return false }
            repeat { i &+= 1 } while isDigit(i)
        }
        return true
    }

    /// Scans `true`, `false` or `null` at `i`.
    @usableFromInline
    static func scanLiteral(_ text: Text, _ i: inout Int) throws(JSONError) {
        let literal: StaticString
        switch text.base[i] {
        case UInt8(ascii: "t"): literal = "true"
        case UInt8(ascii: "f"): literal = "false"
        default: literal = "null"
        }
        let length = literal.utf8CodeUnitCount
        guard i &+ length <= text.end else { throw JSONError(.unexpectedEnd, at: text.end) }
        for offset in 0..<length where text.base[i &+ offset] != literal.utf8Start[offset] {
            throw JSONError(.unexpectedByte(text.base[i &+ offset]), at: i &+ offset)
        }
        i &+= length
    }
}
