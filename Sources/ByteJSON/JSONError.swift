/// Why a byte sequence is not the JSON that was expected, and where.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the text.
    public enum Reason: Equatable, Sendable {
        /// The text ends inside a value.
        case unexpectedEnd
        /// A byte that cannot appear here (the byte found).
        case unexpectedByte(UInt8)
        /// A backslash not followed by one of JSON's escapes, or `\u` without four hex digits.
        case invalidEscape
        /// A byte below 0x20 inside a string, where JSON requires an escape.
        case controlCharacterInString
        /// Bytes in a string that are not well-formed UTF-8.
        case invalidUTF8
        /// A number outside JSON's grammar (`01`, `1.`, `-`, `1e`).
        case invalidNumber
        /// Objects and arrays nested more than `limit` levels.
        case tooDeep(limit: Int)
        /// Something other than whitespace after the one top-level value.
        case trailingContent
        /// Valid JSON whose root is not the object required (the kind found).
        case notAnObject(JSONKind)
    }

    /// What is wrong at `offset`.
    public let reason: Reason
    /// Byte offset into the scanned text.
    public let offset: Int

    /// An error of `reason` at byte `offset`.
    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of JSON at byte \(offset)"
        case .unexpectedByte(let byte):
            let shown = (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x\(String(byte, radix: 16))"
            return "unexpected \(shown) at byte \(offset)"
        case .invalidEscape: return "invalid escape sequence at byte \(offset)"
        case .controlCharacterInString: return "unescaped control character in string at byte \(offset)"
        case .invalidUTF8: return "invalid UTF-8 at byte \(offset)"
        case .invalidNumber: return "invalid number at byte \(offset)"
        case .tooDeep(let limit): return "nesting deeper than \(limit) levels at byte \(offset)"
        case .trailingContent: return "unexpected content after the JSON value at byte \(offset)"
        case .notAnObject(let kind): return "expected a JSON object, found \(kind)"
        }
    }
}

/// The six kinds of JSON value.
public enum JSONKind: Sendable, Equatable, CustomStringConvertible {
    case object, array, string, number, bool, null

    public var description: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// Bounds the scanner enforces, so hostile input cannot exhaust time or memory.
public enum JSONLimits {
    /// Deep enough for any real record, and below the ~980 levels where Python's `json`
    /// module gives up, so both agree on which records are absurd.
    public static let maximumDepth = 900
}
