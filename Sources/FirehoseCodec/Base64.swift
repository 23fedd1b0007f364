/// Standard base64 (RFC 4648 §4) with padding, as Firehose sends and expects record data.
///
/// Decoding is strict about the alphabet, length and padding (no whitespace, no URL-safe
/// characters) and, like most decoders, accepts non-zero bits in the final padding group.
public enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let invalid: UInt32 = 0x01FF_FFFF

    /// Four 256-entry tables, one per position in a group of four characters, placing each
    /// character's six bits where they land in the decoded 24 bits (little-endian). One OR
    /// decodes a group, and any invalid character sets bit 24.
    static let decodeTable: [UInt32] = {
        var table = Array(repeating: invalid, count: 4 * 256)
        for (value, character) in alphabet.enumerated() {
            let v = UInt32(value), c = Int(character)
            table[c] = v << 2
            table[256 + c] = (v >> 4) | ((v & 0x0F) << 12)
            table[512 + c] = ((v >> 2) << 8) | ((v & 0x03) << 22)
            table[768 + c] = v << 16
        }
        return table
    }()

    /// Two characters for every 12-bit value, first character in the low byte, so encoding
    /// takes two lookups per three input bytes.
    static let encodePairs: [UInt16] = (0..<4096).map { UInt16(alphabet[$0 >> 6]) | UInt16(alphabet[$0 & 0x3F]) << 8 }

    /// The decoded size of `count` characters of padded base64 (before padding is discounted).
    public static func maximumDecodedCount(ofEncodedCount count: Int) -> Int { count / 4 * 3 }

    /// The encoded size of `count` bytes.
    public static func encodedCount(of count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Decodes `encoded`, or returns nil when it is not valid padded base64.
    public static func decode(_ encoded: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = encoded.count
        guard count % 4 == 0 else { return nil }
        if count == 0 { return [] }
        var padding = 0
        if encoded[count - 1] == UInt8(ascii: "=") { padding += 1 }
        if encoded[count - 2] == UInt8(ascii: "=") { padding += 1 }
        let decodedCount = count / 4 * 3 - padding
        var failed = false
        let decoded = [UInt8](unsafeUninitializedCapacity: count / 4 * 3) { output, initialized in
            failed = !decodeGroups(encoded, padding: padding, into: output.baseAddress!)
            initialized = failed ? 0 : decodedCount
        }
        return failed ? nil : decoded
    }

    /// Decodes an array, or returns nil when it is not valid padded base64.
    public static func decode(_ encoded: [UInt8]) -> [UInt8]? {
        encoded.withUnsafeBufferPointer { decode($0) }
    }

    /// Decodes all groups; the last one is read with `A` in place of its padding.
    private static func decodeGroups(_ encoded: UnsafeBufferPointer<UInt8>, padding: Int, into output: UnsafeMutablePointer<UInt8>) -> Bool {
        decodeTable.withUnsafeBufferPointer { table in
            @inline(__always) func group(_ c0: UInt8, _ c1: UInt8, _ c2: UInt8, _ c3: UInt8) -> UInt32 {
                table[Int(c0)] | table[256 + Int(c1)] | table[512 + Int(c2)] | table[768 + Int(c3)]
            }
            let input = encoded.baseAddress!
            let groups = encoded.count / 4
            var bad: UInt32 = 0
            var out = output
            for index in 0..<(groups - 1) {
                let i = input + index * 4
                let word = group(i[0], i[1], i[2], i[3])
                bad |= word
                out[0] = UInt8(truncatingIfNeeded: word)
                out[1] = UInt8(truncatingIfNeeded: word >> 8)
                out[2] = UInt8(truncatingIfNeeded: word >> 16)
                out += 3
            }
            let last = input + (groups - 1) * 4
            let word = group(last[0], last[1], padding == 2 ? UInt8(ascii: "A") : last[2], padding >= 1 ? UInt8(ascii: "A") : last[3])
            bad |= word
            out[0] = UInt8(truncatingIfNeeded: word)
            if padding < 2 { out[1] = UInt8(truncatingIfNeeded: word >> 8) }
            if padding == 0 { out[2] = UInt8(truncatingIfNeeded: word >> 16) }
            return bad < invalid
        }
    }

    /// Appends the base64 encoding of `bytes` to `output`.
    public static func encode(_ bytes: UnsafeBufferPointer<UInt8>, appendingTo output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: encodedCount(of: bytes.count)))
        output.withUnsafeMutableBufferPointer { buffer in
            _ = encode(bytes, into: buffer.baseAddress! + start)
        }
    }

    /// Writes the base64 encoding of `bytes` at `output`, which must have room for
    /// `encodedCount(of: bytes.count)` bytes; returns the number written.
    @discardableResult
    public static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        let count = bytes.count
        guard count > 0, let input = bytes.baseAddress else { return 0 }
        return encodePairs.withUnsafeBufferPointer { pairs in
            alphabet.withUnsafeBufferPointer { table in
                var out = UnsafeMutableRawPointer(output)
                var i = 0
                while i + 3 <= count {
                    let group = Int(input[i]) << 16 | Int(input[i + 1]) << 8 | Int(input[i + 2])
                    out.storeBytes(of: pairs[group >> 12], as: UInt16.self)
                    out.storeBytes(of: pairs[group & 0xFFF], toByteOffset: 2, as: UInt16.self)
                    out += 4
                    i += 3
                }
                let tail = out.assumingMemoryBound(to: UInt8.self)
                switch count - i {
                case 1:
                    let b0 = Int(input[i])
                    tail[0] = table[b0 >> 2]
                    tail[1] = table[(b0 & 0x03) << 4]
                    tail[2] = UInt8(ascii: "=")
                    tail[3] = UInt8(ascii: "=")
                    out += 4
                case 2:
                    let b0 = Int(input[i]), b1 = Int(input[i + 1])
                    tail[0] = table[b0 >> 2]
                    tail[1] = table[(b0 & 0x03) << 4 | b1 >> 4]
                    tail[2] = table[(b1 & 0x0F) << 2]
                    tail[3] = UInt8(ascii: "=")
                    out += 4
                default:
                    break
                }
                return out - UnsafeMutableRawPointer(output)
            }
        }
    }

    /// The padded base64 encoding of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        bytes.withUnsafeBufferPointer { encode($0, appendingTo: &output) }
        return output
    }
}
