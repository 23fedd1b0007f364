extension JSONScanner {
    /// Scans the object at `position` like `scanObject`, validating all of it, and notes in
    /// `found[k]` the member named by key `k` of `keys`; the last occurrence of a key wins. For
    /// callers that want a few top-level fields and nothing else, in one pass compiled inside
    /// this module. `shape`, when given, holds what the objects scanned before looked like:
    /// pass the same one for the objects of one producer.
    public mutating func scanObject(findingMembers found: UnsafeMutableBufferPointer<JSONObject.Member?>, keys: JSONKeySet,
                                    shape: JSONObjectShape? = nil, depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) {
        precondition(found.count >= keys.count, "room for every key's member")
        let result = keys.names.withUnsafeBufferPointer { names in
            keys.ranges.withUnsafeBufferPointer { ranges in
                keys.heads.withUnsafeBufferPointer { heads in
                    let search = MemberSearch(keys: ranges, names: names, heads: heads, lengths: keys.lengths, found: found,
                                              places: shape?.places(for: keys))
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
        var place = 0
        while true {
            let keyStart = i &+ 1
            let keyEnd: Int
            // The key at this place in the objects before, if it is here again: its end and
            // the keys that name it are known.
            var predicted: KeyAtPlace?
            if let places = search.places, place < JSONObjectShape.capacity, i &+ 16 <= text.end, places[place].matches(base + i) {
                predicted = places[place]
                keyEnd = keyStart &+ places[place].length
                i = keyEnd &+ 2
                skipSpaces(base, &i)
            } else {
                guard let end = skipPlainKey(text, &i) else { return false }
                keyEnd = end
            }
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
            if let predicted {
                var names = predicted.names
                while names != 0 {
                    search.found[names.trailingZeroBitCount] = JSONObject.Member(key: keyStart..<keyEnd, keyHasEscapes: false,
                                                                                 value: valueStart..<i, kind: kind)
                    names &= names &- 1
                }
            } else {
                // The length test first, so that a member is built only for a likely key.
                if search.mayName(keyLength: keyEnd &- keyStart) {
                    search.note(JSONObject.Member(key: keyStart..<keyEnd, keyHasEscapes: false, value: valueStart..<i, kind: kind),
                                in: base, end: text.end)
                }
                if let places = search.places, place < JSONObjectShape.capacity {
                    search.learn(&places[place], keyStart: keyStart, keyEnd: keyEnd, in: text)
                }
            }
            place &+= 1
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

    /// Tells key sets apart (copies share it), for shapes, which remember keys by their place
    /// in one set.
    let identity = Identity()
    final class Identity: Sendable {}
}

/// A `JSONKeySet` as `scanObject(findingMembers:keys:)` reads it, and where it notes the
/// members the keys name.
struct MemberSearch {
    let keys: UnsafeBufferPointer<Range<Int>>
    let names: UnsafeBufferPointer<UInt8>
    let heads: UnsafeBufferPointer<UInt64>
    let lengths: UInt64
    let found: UnsafeMutableBufferPointer<JSONObject.Member?>
    /// The shape's places (`JSONObjectShape.capacity`), or nil: no prediction.
    let places: UnsafeMutablePointer<KeyAtPlace>?

    /// The first `count` bytes at `p` (at most eight, zero above), little-endian, read as one
    /// word: eight bytes must lie there.
    @inline(__always)
    static func word(_ p: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian & mask(bytes: count)
    }

    /// A word whose low `count` bytes are all ones (every byte for eight or more), the rest zero.
    @inline(__always)
    static func mask(bytes count: Int) -> UInt64 {
        count >= 8 ? ~0 : (1 &<< UInt64(count &* 8)) &- 1
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
        guard member.keyHasEscapes || mayName(keyLength: member.key.count) else { return }
        if member.keyHasEscapes {
            for k in keys.indices
            where member.keyEquals(UnsafeBufferPointer(rebasing: names[keys[k]]), in: UnsafeBufferPointer(start: base, count: end)) {
                found[k] = member
            }
        } else {
            forEachKey(naming: member.key, in: base, end: end) { found[$0] = member }
        }
    }

    /// Calls `body` with each key `k` equal to the unescaped member key at `key`.
    @inline(__always)
    func forEachKey(naming key: Range<Int>, in base: UnsafePointer<UInt8>, end: Int, _ body: (Int) -> Void) {
        let count = key.count, start = base + key.lowerBound
        // A key of up to eight bytes is read as one word with what follows it (at least `":`
        // and a value) masked off, when eight bytes lie within the text: equal words are equal
        // keys of equal length.
        if count <= 8, key.lowerBound &+ 8 <= end {
            let word = MemberSearch.word(start, count: count)
            for k in heads.indices where heads[k] == word { body(k) }
            return
        }
        for k in keys.indices {
            let name = keys[k]
            if name.count == count, count == 0 || JSONScanner.equal(start, names.baseAddress! + name.lowerBound, count: count) {
                body(k)
            }
        }
    }

    /// Remembers the plain key at `keyStart..<keyEnd` for its place, when it is short and
    /// written as `"key":` (no space before the colon).
    @inline(__always)
    func learn(_ place: inout KeyAtPlace, keyStart: Int, keyEnd: Int, in text: JSONScanner.Text) {
        let quote = keyStart &- 1
        guard keyEnd &- keyStart <= KeyAtPlace.longestKey, quote &+ 16 <= text.end,
              text.base[keyEnd &+ 1] == UInt8(ascii: ":") else { return }
        var names: UInt64 = 0
        forEachKey(naming: keyStart..<keyEnd, in: text.base, end: text.end) { names |= 1 &<< UInt64($0) }
        place = KeyAtPlace(text.base + quote, length: keyEnd &- keyStart, names: names)
    }
}

/// What the objects scanned before looked like, for `scanObject(findingMembers:keys:shape:)`:
/// the key each member had at each place. Records from one producer have the same keys in the
/// same order, so the scan first checks whether a member's key is the one at its place before
/// (one compare of 16 bytes); if it is, the key's end and which of the keys sought name it are
/// known. A wrong guess costs that compare; the scan reads the key in full and remembers it.
/// One shape serves one thread at a time.
public final class JSONObjectShape {
    /// One per member place (`capacity`).
    private let places: UnsafeMutablePointer<KeyAtPlace>
    /// Member places remembered; an object's later members are read in full.
    static let capacity = 32
    /// The key set whose keys the places name (bit k: key k), the first one scanned with;
    /// held, so that no other set can take its identity.
    private var keySet: JSONKeySet.Identity?

    /// The places, for scans looking for `keys`; nil for any other key set, or one too large
    /// for a word's bits.
    func places(for keys: JSONKeySet) -> UnsafeMutablePointer<KeyAtPlace>? {
        guard keys.count <= 64 else { return nil }
        if keySet == nil { keySet = keys.identity }
        return keySet === keys.identity ? places : nil
    }

    /// A shape that knows no objects yet.
    public init() {
        places = .allocate(capacity: JSONObjectShape.capacity)
        places.initialize(repeating: .unknown, count: JSONObjectShape.capacity)
    }

    deinit {
        places.deallocate()
    }
}

/// A member key as it last appeared at one place in an object: `"key":` read as 16 bytes, two
/// masked words; its length; and bit k set when key k of the set sought names it.
struct KeyAtPlace: Sendable {
    var low: UInt64
    var high: UInt64
    var lowMask: UInt64
    var highMask: UInt64
    var length: Int
    var names: UInt64

    /// The longest key kept: `"key":` fits 16 bytes.
    static let longestKey = 13

    /// Matches no text: plain text has no 0xFF byte.
    static let unknown = KeyAtPlace(low: ~0, high: 0, lowMask: ~0, highMask: 0, length: 0, names: 0)

    /// Whether the 16 bytes at `p` begin with this `"key":`.
    @inline(__always)
    func matches(_ p: UnsafePointer<UInt8>) -> Bool {
        let raw = UnsafeRawPointer(p)
        return raw.loadUnaligned(as: UInt64.self).littleEndian & lowMask == low
            && raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian & highMask == high
    }
}

extension KeyAtPlace {
    /// The `"key":` at `quote`, whose key is `length` bytes (at most `longestKey`; 16 bytes
    /// must lie at `quote`).
    init(_ quote: UnsafePointer<UInt8>, length: Int, names: UInt64) {
        let count = length &+ 3
        lowMask = MemberSearch.mask(bytes: count)
        highMask = count <= 8 ? 0 : MemberSearch.mask(bytes: count &- 8)
        low = UnsafeRawPointer(quote).loadUnaligned(as: UInt64.self).littleEndian & lowMask
        high = UnsafeRawPointer(quote).loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian & highMask
        self.length = length
        self.names = names
    }
}
