/// Decoding of JSON string content (the bytes between the quotes).
public enum JSONString {
    /// Appends the UTF-8 that `content` denotes, resolving escapes. `content` must already be
    /// validated by `JSONScanner`. A lone surrogate escape becomes U+FFFD.
    public static func unescape(_ content: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var i = 0
        let count = content.count
        while i < count {
            let byte = content[i]
            guard byte == UInt8(ascii: "\\"), i + 1 < count else {
                output.append(byte)
                i += 1
                continue
            }
            let escaped = content[i + 1]
            i += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(content, at: i)
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if i + 6 <= count, content[i] == UInt8(ascii: "\\"), content[i + 1] == UInt8(ascii: "u") {
                        let low = hex4(content, at: i + 2)
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &output)
            default:
                output.append(escaped)
            }
        }
    }

    /// The string that `content` denotes.
    public static func decode(_ content: UnsafeBufferPointer<UInt8>, hasEscapes: Bool) -> String {
        if !hasEscapes { return String(decoding: content, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(content.count)
        unescape(content, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    static func hex4(_ content: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 {
            value = value << 4 | UInt32(JSONScanner.hexValue(content[i + offset]) ?? 0)
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
