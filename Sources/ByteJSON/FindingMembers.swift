extension JSONScanner {
    /// Scans the object at `position` like `scanObject`, validating all of it, and notes in
    /// `found[k]` the member named by key `k` of `keys`; the last occurrence of a key wins. For
    /// callers that want a few top-level fields and nothing else, in one pass compiled inside
    /// this module.
    public mutating func scanObject(findingMembers found: UnsafeMutableBufferPointer<JSONObject.Member?>, keys: JSONKeySet,
                                    depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) {
        precondition(found.count >= keys.count, "room for every key's member")
        let result = keys.names.withUnsafeBufferPointer { names in
            keys.ranges.withUnsafeBufferPointer { ranges in
                keys.heads.withUnsafeBufferPointer { heads in
                    let search = MemberSearch(keys: ranges, names: names, heads: heads, lengths: keys.lengths, found: found)
                    return Result { () throws(JSONError) in try scanObject(search, depthLimit: depthLimit) }
                }
            }
        }
        try result.get()
    }

    private mutating func scanObject(_ search: MemberSearch, depthLimit: Int) throws(JSONError) {
        let bytes = self.bytes
        // Machine-written records are mostly plain ASCII without escapes: checked at vector
        // speed once, they go through `scanPlainObject`, where a string ends at the next quote.
        var last = bytes.count
        while last > position, JSONValue.isWhitespace(bytes[last - 1]) { last -= 1 }
        let base = text.base
        let scanned = Text(base: base, end: bytes.count, plain: JSONScanner.isPlain(base + position, count: last - position))
        if scanned.plain {
            var i = position
            if JSONScanner.scanPlainObject(scanned, &i, last: last, depthLimit: depthLimit, search) {
                position = i
                return
            }
            // Not valid, or nested too deeply for the fast path: the general scan says which.
            search.found.update(repeating: nil)
        }
        try JSONScanner.scanObject(scanned, &position, depthLimit: depthLimit) { member in
            search.note(member, in: base, end: bytes.count)
        }
    }

    // MARK: Plain text

    // `scanPlainObject` and the functions below it read plain text (`Text.plain`), where a string
    // runs to the next quote and whitespace can only be spaces, and they rely on one more fact:
    // the byte before `last` is the closing brace of the object scanned. No token runs past that
    // byte (it ends a number and a run of spaces, and begins no string), so they read up to it
    // without checking the end. Only the search for a string's closing quote, a literal, and the
    // byte after a closed container (which may be that brace) check it.

    /// `scanObject(findingMembers:)` for plain text, in one loop with no calls but for nested
    /// containers, literals and long strings. Returns false at anything else (invalid JSON, or
    /// nesting deeper than the fast path tracks), with `found` partly filled: the general scan
    /// then reports it.
    static func scanPlainObject(_ text: Text, _ position: inout Int, last: Int, depthLimit: Int, _ search: MemberSearch) -> Bool {
        let base = text.base
        var i = position
        guard i < last, base[i] == UInt8(ascii: "{"), base[last &- 1] == UInt8(ascii: "}") else { return false }
        i &+= 1
        skipSpaces(base, &i)
        if base[i] == UInt8(ascii: "}") {
            position = i &+ 1
            return true
        }
        while true {
            let keyStart = i &+ 1
            guard let keyEnd = skipPlainKey(text, &i) else { return false }
            let valueStart = i
            let kind: JSONKind
            switch base[i] {
            case UInt8(ascii: "\""):
                guard skipPlainString(text, &i) else { return false }
                kind = .string
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard skipNumber(base, &i, end: text.end, checked: false) else { return false }
                kind = .number
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                kind = base[i] == UInt8(ascii: "{") ? .object : .array
                guard skipPlainContainer(text, &i, last: last, levels: depthLimit &- 1), i < last else { return false }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                kind = base[i] == UInt8(ascii: "n") ? .null : .bool
                do { try scanLiteral(text, &i) } catch { return false }
            default:
                return false
            }
            // The length test first, so that a member is built only for a likely key.
            if search.mayName(keyLength: keyEnd &- keyStart) {
                search.note(JSONObject.Member(key: keyStart..<keyEnd, keyHasEscapes: false, value: valueStart..<i, kind: kind),
                            in: base, end: text.end)
            }
            skipSpaces(base, &i)
            if base[i] == UInt8(ascii: ",") {
                i &+= 1
                skipSpaces(base, &i)
                continue
            }
            guard base[i] == UInt8(ascii: "}") else { return false }
            position = i &+ 1
            return true
        }
    }

    /// Skips the container whose `{` or `[` is at `i`, validating it. False if it is invalid
    /// or nests deeper than `levels` (at most 64, one bit of a word each).
    static func skipPlainContainer(_ text: Text, _ i: inout Int, last: Int, levels: Int) -> Bool {
        let base = text.base
        let levels = min(levels, 64)
        guard levels > 0 else { return false }
        // Bit k: the container open at depth k + 1 is an object.
        var objects: UInt64 = base[i] == UInt8(ascii: "{") ? 1 : 0
        var depth = 1
        i &+= 1
        skipSpaces(base, &i)
        if base[i] == (objects == 1 ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
            i &+= 1
            return true
        }
        // Each pass starts at a member or element (spaces skipped).
        while true {
            if objects &>> UInt64(depth &- 1) & 1 == 1, skipPlainKey(text, &i) == nil { return false }
            switch base[i] {
            case UInt8(ascii: "\""):
                guard skipPlainString(text, &i) else { return false }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard skipNumber(base, &i, end: text.end, checked: false) else { return false }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < levels else { return false }
                let isObject = base[i] == UInt8(ascii: "{")
                i &+= 1
                skipSpaces(base, &i)
                if base[i] != (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    objects = objects & ~(1 &<< UInt64(depth)) | (isObject ? 1 : 0) &<< UInt64(depth)
                    depth &+= 1
                    continue
                }
                i &+= 1
                guard i < last else { return false }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                do { try scanLiteral(text, &i) } catch { return false }
            default:
                return false
            }
            // After a value: close containers or move on.
            while true {
                skipSpaces(base, &i)
                if base[i] == UInt8(ascii: ",") {
                    i &+= 1
                    skipSpaces(base, &i)
                    break
                }
                let inObject = objects &>> UInt64(depth &- 1) & 1 == 1
                guard base[i] == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                i &+= 1
                depth &-= 1
                if depth == 0 { return true }
                guard i < last else { return false }
            }
        }
    }

    /// Skips a member's `"key":` (the key's quote at `i`) and the spaces after the colon; returns
    /// where the key's content ends, or nil if it is not there.
    @inline(__always)
    static func skipPlainKey(_ text: Text, _ i: inout Int) -> Int? {
        let base = text.base
        guard base[i] == UInt8(ascii: "\""), skipPlainString(text, &i) else { return nil }
        let keyEnd = i &- 1
        skipSpaces(base, &i)
        guard base[i] == UInt8(ascii: ":") else { return nil }
        i &+= 1
        skipSpaces(base, &i)
        return keyEnd
    }

    /// Skips the plain string whose opening quote is at `i`; false if it does not end.
    @inline(__always)
    static func skipPlainString(_ text: Text, _ i: inout Int) -> Bool {
        i &+= 1
        skipToQuote(text, &i)
        guard i < text.end else { return false }
        i &+= 1
        return true
    }

    /// Skips spaces, the only whitespace plain text has.
    @inline(__always)
    static func skipSpaces(_ base: UnsafePointer<UInt8>, _ i: inout Int) {
        while base[i] == UInt8(ascii: " ") { i &+= 1 }
    }
}

/// Keys that `scanObject(findingMembers:keys:)` looks for, prepared once for the many objects
/// it scans.
public struct JSONKeySet: Sendable {
    /// The keys' UTF-8, one after another, then eight zero bytes: any key's first eight bytes
    /// can be read as one word.
    let names: [UInt8]
    /// Each key's bytes in `names`.
    let ranges: [Range<Int>]
    /// Each key of up to eight bytes as one little-endian word (zero above its bytes), compared
    /// with a member key's in one step. A longer key's is all ones, which no member key of up to
    /// eight bytes read as a word can equal: its bytes above its length are zero, and it has no
    /// 0xFF byte, which UTF-8 never uses.
    let heads: [UInt64]
    /// Bit n is set when a key is n bytes long (63: longer): an unescaped key of no such length,
    /// most members, fails that one test.
    let lengths: UInt64

    /// The keys, each as its UTF-8 bytes (unescaped).
    public init<Key: Sequence<UInt8>>(_ keys: [Key]) {
        var names: [UInt8] = []
        var ranges: [Range<Int>] = []
        var lengths: UInt64 = 0
        for key in keys {
            let start = names.count
            names += key
            ranges.append(start..<names.count)
            lengths |= 1 &<< UInt64(min(names.count - start, 63))
        }
        names += repeatElement(0, count: 8)
        self.heads = names.withUnsafeBufferPointer { names in
            ranges.map { $0.count <= 8 ? MemberSearch.word(names.baseAddress! + $0.lowerBound, count: $0.count) : ~0 }
        }
        self.names = names
        self.ranges = ranges
        self.lengths = lengths
    }

    /// How many keys there are.
    public var count: Int { ranges.count }
}

/// A `JSONKeySet` as `scanObject(findingMembers:keys:)` reads it, and where it notes the
/// members the keys name.
struct MemberSearch {
    let keys: UnsafeBufferPointer<Range<Int>>
    let names: UnsafeBufferPointer<UInt8>
    let heads: UnsafeBufferPointer<UInt64>
    let lengths: UInt64
    let found: UnsafeMutableBufferPointer<JSONObject.Member?>

    /// The first `count` bytes at `p` (at most eight, zero above), little-endian, read as one
    /// word: eight bytes must lie there.
    @inline(__always)
    static func word(_ p: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian & (count == 8 ? ~0 : (1 &<< UInt64(count &* 8)) &- 1)
    }

    /// Whether an unescaped key `keyLength` bytes long may be one of the keys.
    @inline(__always)
    func mayName(keyLength: Int) -> Bool {
        lengths &>> UInt64(min(keyLength, 63)) & 1 == 1
    }

    /// Notes `member`, read from the `end` bytes at `base`, in `found[k]` for each key `k`
    /// that names it.
    @inline(__always)
    func note(_ member: JSONObject.Member, in base: UnsafePointer<UInt8>, end: Int) {
        let count = member.key.count
        guard member.keyHasEscapes || mayName(keyLength: count) else { return }
        let start = base + member.key.lowerBound
        // A key of up to eight bytes is read as one word with what follows it (at least `":`
        // and a value) masked off, when eight bytes lie within the text: equal words are equal
        // keys of equal length.
        if !member.keyHasEscapes, count <= 8, member.key.lowerBound &+ 8 <= end {
            let word = MemberSearch.word(start, count: count)
            for k in heads.indices where heads[k] == word { found[k] = member }
            return
        }
        for k in keys.indices {
            let name = keys[k]
            if member.keyHasEscapes {
                if member.keyEquals(UnsafeBufferPointer(rebasing: names[name]), in: UnsafeBufferPointer(start: base, count: end)) {
                    found[k] = member
                }
            } else if name.count == count, count == 0 || JSONScanner.equal(start, names.baseAddress! + name.lowerBound, count: count) {
                found[k] = member
            }
        }
    }
}
