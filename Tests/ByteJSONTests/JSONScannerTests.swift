import Testing
@testable import ByteJSON

private func scan(_ text: String) throws(JSONError) -> JSONKind {
    try scan(Array(text.utf8))
}

private func scan(_ bytes: [UInt8], depthLimit: Int = JSONLimits.maximumDepth) throws(JSONError) -> JSONKind {
    try bytes.withUnsafeBufferPointer { buffer throws(JSONError) in
        var scanner = JSONScanner(buffer)
        return try scanner.scanDocument(depthLimit: depthLimit)
    }
}

private func reason(_ text: String) -> JSONError.Reason? {
    do {
        _ = try scan(text)
        return nil
    } catch {
        return error.reason
    }
}

@Suite struct JSONScannerTests {
    @Test(arguments: [
        ("{}", JSONKind.object), ("[]", .array), ("\"\"", .string), ("0", .number), ("-0.0", .number),
        ("true", .bool), ("false", .bool), ("null", .null), (" \t\r\n{ \"a\" : [ 1 , 2 ] } \n", .object),
        ("123456789012345678901234567890", .number), ("1e308", .number), ("1E-7", .number), ("2.5e+10", .number),
        ("[[[]],{},[{}]]", .array), ("{\"a\":{\"b\":{\"c\":[null,true,false]}}}", .object),
    ])
    func acceptsValidDocuments(text: String, kind: JSONKind) throws {
        #expect(try scan(text) == kind)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "-", "1.", ".5",
        "1e", "1e+", "+1", "tru", "nul", "True", "NaN", "Infinity", "'a'", "\"abc", "[\"a\"", "{\"a\":1}}",
        "{\"a\":1} x", "[] []", "\u{FEFF}{}",
    ])
    func rejectsInvalidDocuments(text: String) {
        #expect(reason(text) != nil, "accepted invalid JSON: \(text.debugDescription)")
    }

    @Test func reportsWhereAndWhy() {
        #expect(reason("[1,]") == .unexpectedByte(UInt8(ascii: "]")))
        #expect(reason("{\"a\":1} x") == .trailingContent)
        #expect(reason("[1") == .unexpectedEnd)
        #expect(reason("\"a\u{01}\"") == .controlCharacterInString)
        #expect(reason("\"\\x\"") == .invalidEscape)
        #expect(reason("\"\\u12G4\"") == .invalidEscape)
        #expect(reason("-01x") != nil)
        // A number cut short before its first digit ends the text early; any other bad number is invalid.
        #expect(reason("-") == .unexpectedEnd)
        #expect(reason("[-") == .unexpectedEnd)
        for text in ["1.", "1e", "1e+", "-a", "[-]", "[1.]", "-.5"] { #expect(reason(text) == .invalidNumber, "\(text)") }
        do {
            _ = try scan("[1, 2, x]")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 7)
            #expect(error.description.contains("byte 7"))
        }
    }

    @Test func acceptsEveryEscape() throws {
        #expect(try scan(#""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \ud83d\ude00""#) == .string)
        // Lone surrogates are well-formed escapes (RFC 8259 §8.2); decoding replaces them.
        #expect(try scan(#""\ud800""#) == .string)
    }

    @Test func validatesUTF8InsideStrings() {
        let invalid: [[UInt8]] = [
            [0x22, 0xC0, 0x80, 0x22],             // overlong NUL
            [0x22, 0xED, 0xA0, 0x80, 0x22],       // UTF-8 encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
            [0x22, 0xE2, 0x82, 0x22],             // truncated sequence
            [0x22, 0x80, 0x22],                   // stray continuation byte
            [0x22, 0xFF, 0x22],
        ]
        for bytes in invalid {
            #expect(throws: JSONError.self) { try scan(bytes) }
        }
        let valid = Array("\"héllo wörld €𝄞 日本語\"".utf8)
        #expect(throws: Never.self) { try scan(valid) }
    }

    @Test func stringFastPathFindsSpecialBytesAtEveryOffset() throws {
        // A special byte in any lane of the 16-byte and 8-byte fast paths, and past them.
        for length in 1...80 {
            for offset in 0..<length {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                func scanned(_ content: [UInt8]) throws(JSONError) -> JSONKind { try scan([0x22] + content + [0x22]) }
                for invalid: UInt8 in [0x01, 0x1F, UInt8(ascii: "\""), 0xFF] {
                    bytes[offset] = invalid
                    #expect(throws: JSONError.self, "\(invalid) at \(offset) of \(length)") { try scanned(bytes) }
                }
                bytes[offset] = 0x7F
                #expect(try scanned(bytes) == .string)
                bytes[offset] = UInt8(ascii: "\\")
                #expect(try scanned(Array(bytes[...offset]) + [UInt8(ascii: "n")] + bytes[(offset + 1)...]) == .string)
                #expect(throws: JSONError.self) { try scanned(Array(bytes[...offset]) + [UInt8(ascii: "x")] + bytes[(offset + 1)...]) }
                bytes[offset] = 0xC3
                #expect(try scanned(Array(bytes[...offset]) + [0xA9] + bytes[(offset + 1)...]) == .string)
            }
        }
    }

    @Test func limitsNesting() throws {
        let limit = JSONLimits.maximumDepth
        let atLimit = Array(repeating: UInt8(ascii: "["), count: limit) + Array(repeating: UInt8(ascii: "]"), count: limit)
        #expect(try scan(atLimit) == .array)
        let tooDeep = Array(repeating: UInt8(ascii: "["), count: limit + 1) + Array(repeating: UInt8(ascii: "]"), count: limit + 1)
        #expect(throws: JSONError(.tooDeep(limit: limit), at: limit)) { try scan(tooDeep) }
        // Absurd depth fails fast and cleanly.
        let absurd = Array(repeating: UInt8(ascii: "{"), count: 1) + Array(repeating: Array("\"a\":[".utf8), count: 200_000).flatMap { $0 }
        #expect(throws: JSONError.self) { try scan(absurd) }
    }

    @Test func objectsOfMixedDepthCloseCorrectly() throws {
        #expect(try scan("[{\"a\":[{\"b\":[]},{}]},[[{}]]]") == .array)
        #expect(throws: JSONError.self) { try scan("[{\"a\":[{\"b\":[]},{}]],[[{}]]]") }
        #expect(throws: JSONError.self) { try scan("{\"a\":[}") }
    }

    /// Containers are tracked 64 levels at a time: objects and arrays must still close in kind,
    /// and members still need keys, on both sides of each 64-level boundary.
    @Test(arguments: [63, 64, 65, 127, 128, 129, 200])
    func mixedNestingAcrossBlocksOfLevels(depth: Int) throws {
        /// `depth` containers, objects and arrays in turn, each holding more after its child;
        /// also the offset where the deepest one opens.
        func nested(_ sibling: String) -> (text: String, deepest: Int) {
            var open = "", close = "", deepest = 0
            for level in 0..<depth {
                deepest = open.utf8.count
                if level % 2 == 0 {
                    open += #"{"k\#(level)":"#
                    close = #","m":[1,\#(sibling)]}"# + close
                } else {
                    open += "[0,"
                    close = #",{"z":[]}]"# + close
                }
            }
            return (open + "null" + close, deepest)
        }
        let (valid, deepest) = nested(#"{"x":"y"}"#)
        #expect(try scan(valid) == .object)
        // A member without a value, at every level.
        #expect(throws: JSONError.self) { try scan(nested(#"{"x"}"#).text) }
        // The outermost closer of the other kind.
        #expect(throws: JSONError.self) { try scan(String(valid.dropLast()) + "]") }
        #expect(throws: JSONError(.tooDeep(limit: depth - 1), at: deepest)) {
            try scan(Array(valid.utf8), depthLimit: depth - 1)
        }
    }
}

@Suite struct JSONValueTests {
    @Test func objectFindsMembersAndLastDuplicateWins() throws {
        let object = try JSONObject(parsing: Array(#"{"user":"a","n":1,"user":"b","nested":{"x":{"y":[1,2]}}}"#.utf8))
        #expect(object.count == 4)
        #expect(object["user"]?.stringValue == "b")
        #expect(object["n"]?.numberText == "1")
        #expect(object["missing"] == nil)
        #expect(object.value(at: ["nested", "x", "y"])?.rawText == "[1,2]")
        #expect(object.value(at: ["nested", "x", "y", "z"]) == nil)
        #expect(object.value(at: ["user", "x"]) == nil)
    }

    @Test func keysAreComparedDecoded() throws {
        let object = try JSONObject(parsing: Array(#"{"us\u0065r":"escaped","caf\u00e9":1}"#.utf8))
        #expect(object["user"]?.stringValue == "escaped")
        #expect(object["café"]?.numberText == "1")
        #expect(object.key(of: object.members[0]) == "user")
    }

    @Test func rejectsNonObjectsByKind() {
        #expect(throws: JSONError(.notAnObject(.array), at: 0)) { try JSONObject(parsing: Array("[1]".utf8)) }
        #expect(throws: JSONError(.notAnObject(.string), at: 1)) { try JSONObject(parsing: Array(" \"x\"".utf8)) }
        #expect(throws: JSONError.self) { try JSONObject(parsing: Array("{} {}".utf8)) }
    }

    @Test func valuesKeepTheirExactText() throws {
        let text = #"{"big":12345678901234567890,"e":1e308,"neg":-0.0,"s":"a\"b\\c\u00e9\n"}"#
        let object = try JSONObject(parsing: Array(text.utf8))
        #expect(object["big"]?.rawText == "12345678901234567890")
        #expect(object["e"]?.rawText == "1e308")
        #expect(object["neg"]?.rawText == "-0.0")
        #expect(object["s"]?.rawText == #""a\"b\\c\u00e9\n""#)
        #expect(object["s"]?.stringValue == "a\"b\\cé\n")
    }

    @Test func decodesSurrogatePairsAndReplacesLoneSurrogates() throws {
        let value = try JSONValue(parsing: Array(#""\ud83d\ude00 \ud800 \udc00 x""#.utf8))
        #expect(value.stringValue == "😀 \u{FFFD} \u{FFFD} x")
    }

    @Test func arraysAndScalars() throws {
        let value = try JSONValue(parsing: Array(" [1, \"two\", true, null, {\"a\":[]}] ".utf8))
        let elements = try #require(value.arrayValues)
        #expect(elements.map(\.kind) == [.number, .string, .bool, .null, .object])
        #expect(elements[1].stringValue == "two")
        #expect(elements[2].boolValue == true)
        #expect(elements[3].isNull)
        #expect(elements[4].objectValue?["a"]?.arrayValues?.isEmpty == true)
        #expect(value.rawText == "[1, \"two\", true, null, {\"a\":[]}]")
    }
}

@Suite struct JSONWriterTests {
    @Test func escapesWhatJSONRequiresAndNothingElse() throws {
        var writer = JSONWriter()
        writer.appendString("quote\" backslash\\ newline\n tab\t nul\u{0} bell\u{7} é 😀 /")
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == #""quote\" backslash\\ newline\n tab\t nul\u0000 bell\u0007 é 😀 /""#)
        // And it reads back to the same string.
        #expect(try JSONValue(parsing: writer.bytes).stringValue == "quote\" backslash\\ newline\n tab\t nul\u{0} bell\u{7} é 😀 /")
    }

    /// `write` copies short runs in overlapping moves: every length must copy exactly, and
    /// nothing past the end.
    @Test func copiesEveryLengthExactly() {
        for count in 0..<40 {
            let source = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            var output = [UInt8](repeating: 0xEE, count: count + 8)
            let written = source.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { JSONWriter.write(source, to: $0.baseAddress!) }
            }
            #expect(written == count)
            #expect(Array(output[..<count]) == source)
            #expect(output[count...].allSatisfy { $0 == 0xEE }, "\(count)")
        }
    }

    /// Integers are written digit by digit when they fit in 64 bits: every power of ten and its
    /// neighbours, both signs, the extremes, and a value beyond 64 bits.
    @Test func writesIntegersAsSwiftDoes() {
        var values: [Int64] = [0, Int64.min, Int64.max, Int64.min + 1]
        var power: Int64 = 1
        for _ in 0..<19 {
            values += [power - 1, power, power + 1, -power, -(power - 1)]
            power = power &* 10
        }
        for value in values {
            var writer = JSONWriter()
            writer.append(integer: value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
        }
        for value in [UInt64.max, UInt64(Int64.max) + 1] {
            var writer = JSONWriter()
            writer.append(integer: value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
        }
        var small = JSONWriter()
        small.append(integer: UInt8(7))
        small.append(integer: Int8(-128))
        #expect(String(decoding: small.bytes, as: UTF8.self) == "7-128")
    }

    @Test func objectWriterManagesCommas() throws {
        var object = JSONObjectWriter()
        object.add(JSONKey("a"), raw: Array("1".utf8))
        object.addNull(JSONKey("b\"c"))
        object.add(JSONKey("d"), string: "x")
        let bytes = object.finish()
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"a":1,"b\"c":null,"d":"x"}"#)
        #expect(JSONObjectWriter().finish() == Array("{}".utf8))
    }
}

@Suite struct PlainTextTests {
    /// `isPlain` sends text to the scanner that does not look for escapes and control bytes:
    /// one such byte anywhere, at any length, must make it say no.
    @Test func findsABackslashControlOrNonASCIIByteAnywhere() {
        for count in 0..<100 {
            // Printable ASCII but the backslash, the edges of the range included.
            let plain = (0..<count).map { [0x20, 0x22, 0x41, 0x5B, 0x5D, 0x7E, 0x7F][$0 % 7] as UInt8 }
            #expect(plain.withUnsafeBufferPointer { JSONScanner.isPlain($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: count) })
            for position in 0..<count {
                for bad: UInt8 in [0x00, 0x1F, 0x5C, 0x7F + 1, 0xFF] {
                    var text = plain
                    text[position] = bad
                    #expect(!text.withUnsafeBufferPointer { JSONScanner.isPlain($0.baseAddress!, count: count) }, "\(count) \(position) \(bad)")
                }
            }
        }
    }
}

@Suite struct UTF8ValidationTests {
    @Test func findsTheFirstInvalidByte() {
        #expect(Array("plain ascii, long enough for words".utf8).withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) } == nil)
        let bytes: [UInt8] = Array("0123456789".utf8) + [0xE0, 0x80, 0x80]
        #expect(bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) } == 10)
        #expect([0xF0, 0x9F, 0x98, 0x80].withUnsafeBufferPointer { UTF8Validation.isValid($0) })
        #expect(![0xF0, 0x9F, 0x98].withUnsafeBufferPointer { UTF8Validation.isValid($0) })
    }
}

/// `scanObject(findingMembers:)` has a fast path for plain text (ASCII without escapes or
/// control bytes): it must accept, reject and find exactly what the general parse does.
@Suite struct FindingMembersTests {
    /// The raw value of each of `keys` that `scanObject(findingMembers:)` finds in the object
    /// `text`, or the error it throws.
    private func find(_ keys: [String], in text: String, shape: JSONObjectShape? = nil,
                      depthLimit: Int = JSONLimits.maximumDepth) -> Result<[String?], JSONError> {
        // Exactly as long as the text, so that the address sanitizer (`swift test
        // --sanitize=address`) catches any read past it.
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.utf8.count)
        defer { storage.deallocate() }
        _ = storage.initialize(from: text.utf8)
        let buffer = UnsafeBufferPointer(storage)
        let keySet = JSONKeySet(keys.map(\.utf8))
        var found = [JSONObject.Member?](repeating: nil, count: keys.count)
        do throws(JSONError) {
            // As Extract reads a record.
            var scanner = JSONScanner(buffer)
            try scanner.expectObjectDocument(depthLimit: depthLimit)
            try found.withUnsafeMutableBufferPointer { found throws(JSONError) in
                try scanner.scanObject(findingMembers: found, keys: keySet, shape: shape, depthLimit: depthLimit)
            }
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw JSONError(.trailingContent, at: scanner.position) }
            return .success(found.map { $0.map { String(decoding: buffer[$0.value], as: UTF8.self) } })
        } catch {
            return .failure(error)
        }
    }

    /// What the general parse makes of `text`: the raw value of each key (the last one wins).
    private func reference(_ keys: [String], in text: String, depthLimit: Int = JSONLimits.maximumDepth) -> Result<[String?], JSONError> {
        do throws(JSONError) {
            let object = try JSONObject(parsing: Array(text.utf8), depthLimit: depthLimit)
            return .success(keys.map { key in object[key].map { String(decoding: $0.rawBytes, as: UTF8.self) } })
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [
        #"{}"#, #"{ }"#, #"{"user":"u1","time":"t","action":"view"}"#,
        #"{"n":1,"user":"first","user":"last","action":null}"#,
        #"{ "user" : "spaced" , "time" : -12.5e+3 , "action" : true }"#,
        #"{"items":[{"sku":"A","qty":3},{"user":"nested"}],"user":{"name":"obj","user":"x"},"time":[],"action":{}}"#,
        #"{"geo":{"a":[[[],{}],[{"b":[1,2,{"c":false}]}]]},"action":"deep"}"#,
        #"{"time":0,"action":-0,"user":1.5E-7}"#,
        #"{"u":"a","user":"b"} "#, #"{"user":"é"}"#, #"{"user":"a\"b","time":"\u0041"}"#,
        // Invalid, each in a different way.
        #"{"user":"a""#, #"{"user":"a",}"#, #"{"user" "a"}"#, #"{"user":}"#, #"{user:"a"}"#, #"{"user":"a"]"#,
        #"{"items":[1,2}"#, #"{"items":{"a":1]}"#, #"{"n":01}"#, #"{"n":1.}"#, #"{"n":-}"#, #"{"b":tru}"#,
        #"{"b":nul}"#, #"{"a":1}x"#, #"{"a":1}}"#, #"{"a":[1 2]}"#, #"{"a":{"b" 1}}"#, #"{"a":{,}}"#,
        #"{"a":[,]}"#, #"{"a":"b"#, #"{"#, "", #"["user"]"#, #"{"a":1,"#,
        // Ending early, at or inside the last brace.
        #"{"a":{}"#, #"{"a":[]"#, #"{"a":{"b":1}"#, #"{"a":[1]"#, #"{"a":"}"#, #"{"a":t}"#, #"{"a":1e}"#,
        #"{"a":-}"#, #"{"a":1.}"#, #"{"user":"x"} }"#, #"{"user":"x"}]"#, "{\"user\":1}\n\t ",
    ])
    func agreesWithTheGeneralParse(text: String) {
        let keys = ["user", "time", "action"]
        let expected = reference(keys, in: text)
        // Without a shape; with one that knows other records' keys; with one that knows this
        // record's own, so that every key is predicted.
        let other = JSONObjectShape(), own = JSONObjectShape()
        _ = find(keys, in: #"{"user":"u1","time":"t","action":"view","n":1,"geo":{"city":"Seoul"}}"#, shape: other)
        _ = find(keys, in: text, shape: own)
        for shape in [nil, other, own] {
            let found = find(keys, in: text, shape: shape)
            switch (found, expected) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(text)")
            case (.failure, .failure): break
            default: Issue.record("\(text): found \(found), the general parse \(expected)")
            }
        }
    }

    /// A shape names the keys it has seen by their place in one key set: a step looking for
    /// other keys in the same records, with the same shape, must not take its guesses.
    @Test func aShapeServesOneKeySet() throws {
        let shape = JSONObjectShape()
        let record = #"{"user":"u1","time":"t","action":"view","page":"/p"}"#
        for _ in 0..<3 {
            #expect(try find(["user", "action"], in: record, shape: shape).get() == [#""u1""#, #""view""#])
            #expect(try find(["page", "time", "user"], in: record, shape: shape).get() == [#""/p""#, #""t""#, #""u1""#])
        }
    }

    /// A shape records which keys name a member as bits of a word, so with more than 64 keys
    /// the scan goes without: it must find them all the same.
    @Test func findsAmongMoreThan64Keys() throws {
        let keys = (0..<70).map { "k\($0)" } + ["user"]
        let shape = JSONObjectShape()
        for _ in 0..<2 {
            let found = find(keys, in: #"{"k3":1,"user":"u","k69":[2]}"#, shape: shape)
            #expect(try found.get() == (0..<70).map { $0 == 3 ? "1" : $0 == 69 ? "[2]" : nil } + [#""u""#])
        }
    }

    /// The fast path reads up to an object's closing brace without checking the end: every
    /// prefix of a record, and every record with one byte changed, must still agree.
    @Test func agreesOnEveryTruncationAndEdit() {
        let record = #"{"user":"u7","time":"2025-08-07T10:15:00.037Z","action":"view","n":-12.5e+3,"ok":true,"# +
            #""items":[{"sku":"A-5","qty":3},[],{}],"geo":{"city":"Seoul","z":null},"a":0,"sessionId":"x","# +
            #""duration":5,"durationX":6,"sessionI":7}"#
        // Keys of one to nine bytes, two of them sharing their first eight bytes with a member.
        let keys = ["user", "time", "action", "a", "sessionId", "geo", "items", "duration"]
        let bytes = Array(record.utf8)
        var texts = (0...bytes.count).map { String(decoding: bytes[..<$0], as: UTF8.self) }
        let edits = Array(#"{}[]":, -.e0t"#.utf8)
        for index in bytes.indices {
            for edit in edits where edit != bytes[index] {
                var changed = bytes
                changed[index] = edit
                texts.append(String(decoding: changed, as: UTF8.self))
            }
        }
        var disagreements: [String] = []
        for text in texts {
            let expected = reference(keys, in: text)
            // Also with a shape that knows the record's keys, as from the producer's records
            // before: the keys it predicts are the record's, whatever the edit did to them.
            let shape = JSONObjectShape()
            _ = find(keys, in: record, shape: shape)
            for found in [find(keys, in: text), find(keys, in: text, shape: shape)] {
                switch (found, expected) {
                case (.success(let a), .success(let b)) where a == b: break
                case (.failure, .failure): break
                default: disagreements.append(text)
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    /// Strings are searched sixteen bytes at a time, then with `memchr`: every length across
    /// both, ended and not.
    @Test func agreesOnStringsOfEveryLength() {
        let keys = ["user", "time"]
        for length in 0..<300 {
            let value = String((0..<length).map { Character(Unicode.Scalar(UInt8(0x61 + $0 % 26))) })
            for text in [#"{"user":"\#(value)","time":"t"}"#, #"{"user":"\#(value)"#, #"{"\#(value)":1,"time":"t"}"#] {
                let found = find(keys, in: text), expected = reference(keys, in: text)
                switch (found, expected) {
                case (.success(let a), .success(let b)): #expect(a == b, "\(length)")
                case (.failure, .failure): break
                default: Issue.record("\(length): found \(found), the general parse \(expected)")
                }
            }
        }
    }

    @Test(arguments: [63, 64, 65, 200])
    func agreesOnDeepNesting(depth: Int) {
        let text = #"{"user":"u","deep":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + #","time":"t"}"#
        for limit in [depth, depth + 1, depth + 2] {
            let found = find(["user", "time"], in: text, depthLimit: limit)
            let expected = reference(["user", "time"], in: text, depthLimit: limit)
            switch (found, expected) {
            case (.success(let a), .success(let b)): #expect(a == b)
            case (.failure(let a), .failure(let b)): #expect(a == b)
            default: Issue.record("depth \(depth), limit \(limit): found \(found), the general parse \(expected)")
            }
        }
    }
}
