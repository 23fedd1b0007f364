/// Standard base64 (RFC 4648 §4) with padding, as Firehose sends and expects record data.
///
/// Decoding is strict about the alphabet, length and padding (no whitespace, no URL-safe
/// characters) and, like most decoders, accepts non-zero bits in the final padding group.
public enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let invalid: UInt32 = 0x01FF_FFFF

    /// Two tables of every pair of characters (read as a little-endian 16-bit index), for the
    /// first and the second half of a group of four, placing the pair's twelve bits where they
    /// land in the decoded 24 bits (little-endian). Two loads and one OR decode a group, and a
    /// pair with an invalid character sets bit 24. Of the 512 KB, the pairs of the alphabet
    /// touch about 48 KB.
    static let pairTables: [UInt32] = {
        var sextets = [UInt32](repeating: invalid, count: 256)
        for (value, character) in alphabet.enumerated() { sextets[Int(character)] = UInt32(value) }
        var table = [UInt32](repeating: invalid, count: 2 * 65536)
        for high in alphabet {
            let b = sextets[Int(high)]
            for low in alphabet {
                let a = sextets[Int(low)], index = Int(low) | Int(high) << 8
                // Bytes of the group: a << 2 | b >> 4, (b & 0xF) << 4 | c >> 2, (c & 3) << 6 | d.
                table[index] = (a << 2) | (b >> 4) | ((b & 0x0F) << 12)
                table[65536 + index] = ((a >> 2) << 8) | ((a & 0x03) << 22) | (b << 16)
            }
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
        var decoded: [UInt8] = []
        return decode(encoded, into: &decoded) ? decoded : nil
    }

    /// Decodes `encoded`, or returns nil when it is not valid padded base64.
    public static func decode(_ encoded: [UInt8]) -> [UInt8]? {
        encoded.withUnsafeBufferPointer { decode($0) }
    }

    /// Decodes `encoded` into `output`, replacing its contents but keeping its capacity; false
    /// (and `output` empty) when `encoded` is not valid padded base64.
    public static func decode(_ encoded: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) -> Bool {
        let count = encoded.count
        guard count % 4 == 0, count > 0 else {
            output.removeAll(keepingCapacity: true)
            return count == 0
        }
        // Decoded in place: the array grows to at least the size the groups fill (only by what
        // the last record lacked), then is cut once to the decoded length.
        let written = count / 4 * 3
        if output.count < written {
            output.append(contentsOf: repeatElement(0, count: written - output.count))
        }
        let padding = output.withUnsafeMutableBufferPointer { decodeGroups(encoded, into: $0.baseAddress!) }
        output.removeLast(padding.map { output.count - (written - $0) } ?? output.count)
        return padding != nil
    }

    /// Decodes all groups: four at a time while a fifth follows, each pair with one 8-byte
    /// store, then one at a time with a 4-byte store; each store's extra bytes belong to the
    /// next group, written after it. The last group is read with `A` in place of its padding,
    /// which is looked at only then, when its bytes arrive in cache with the ones before
    /// (read first, they would cost a cache miss per record). `output` has room for three
    /// bytes per group. Returns the padding's length, or nil when `encoded` is not base64.
    private static func decodeGroups(_ encoded: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int? {
        pairTables.withUnsafeBufferPointer { tables in
            let first = tables.baseAddress!, second = first + 65536
            @inline(__always) func pair(_ i: UnsafePointer<UInt8>) -> Int {
                Int(UInt16(littleEndian: UnsafeRawPointer(i).loadUnaligned(as: UInt16.self)))
            }
            @inline(__always) func group(_ i: UnsafePointer<UInt8>) -> UInt64 {
                UInt64(first[pair(i)] | second[pair(i + 2)])
            }
            var input = encoded.baseAddress!
            let last = input + (encoded.count - 4)
            var bad: UInt64 = 0
            var out = UnsafeMutableRawPointer(output)
            while last - input > 16 {
                let a = group(input), b = group(input + 4), c = group(input + 8), d = group(input + 12)
                bad |= a | b | c | d
                out.storeBytes(of: a | b << 24, as: UInt64.self)
                out.storeBytes(of: c | d << 24, toByteOffset: 6, as: UInt64.self)
                out += 12
                input += 16
            }
            while input < last {
                let word = group(input)
                bad |= word
                out.storeBytes(of: UInt32(truncatingIfNeeded: word), as: UInt32.self)
                out += 3
                input += 4
            }
            // The last group, with `A` in place of its padding.
            let padding = (last[3] == UInt8(ascii: "=") ? 1 : 0) + (last[2] == UInt8(ascii: "=") ? 1 : 0)
            let third = padding == 2 ? UInt8(ascii: "A") : last[2], fourth = padding >= 1 ? UInt8(ascii: "A") : last[3]
            let word = first[pair(last)] | second[Int(third) | Int(fourth) << 8]
            bad |= UInt64(word)
            let tail = out.assumingMemoryBound(to: UInt8.self)
            tail[0] = UInt8(truncatingIfNeeded: word)
            if padding < 2 { tail[1] = UInt8(truncatingIfNeeded: word >> 8) }
            if padding == 0 { tail[2] = UInt8(truncatingIfNeeded: word >> 16) }
            // An invalid character sets bit 24 of its group.
            return bad & (1 << 24) == 0 ? padding : nil
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
                // Six bytes to eight characters, from one 8-byte load to one 8-byte store.
                while i &+ 8 <= count {
                    let bits = UnsafeRawPointer(input + i).loadUnaligned(as: UInt64.self).bigEndian
                    let characters = UInt64(pairs[Int(truncatingIfNeeded: bits >> 52)])
                        | UInt64(pairs[Int(truncatingIfNeeded: bits >> 40 & 0xFFF)]) << 16
                        | UInt64(pairs[Int(truncatingIfNeeded: bits >> 28 & 0xFFF)]) << 32
                        | UInt64(pairs[Int(truncatingIfNeeded: bits >> 16 & 0xFFF)]) << 48
                    out.storeBytes(of: characters.littleEndian, as: UInt64.self)
                    out += 8
                    i &+= 6
                }
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
        [UInt8](unsafeUninitializedCapacity: encodedCount(of: bytes.count)) { output, initialized in
            guard let start = output.baseAddress else { return }
            initialized = bytes.withUnsafeBufferPointer { encode($0, into: start) }
        }
    }
}
