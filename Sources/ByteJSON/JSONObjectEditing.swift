/// Edits of an object's top-level members in place: each splices only the bytes it changes and
/// keeps `members` in step, so every other byte stays as written and nothing is parsed again.
extension JSONObject {
    /// Sets member `key` to `value`, one valid JSON value written exactly as given. The first
    /// member named `key` takes the new value in its place and later ones are removed; without
    /// one, the member is appended.
    public mutating func setValue(_ value: UnsafeBufferPointer<UInt8>, kind: JSONKind, forKey key: JSONKey) {
        let matches = indices(ofKey: key)
        guard let first = matches.first else {
            appendMember(key, value: value, kind: kind)
            return
        }
        for index in matches.dropFirst().reversed() { removeMember(at: index) }
        let old = members[first]
        splice(old.value, with: value)
        members[first] = Member(key: old.key, keyHasEscapes: old.keyHasEscapes,
                                value: old.value.lowerBound..<(old.value.lowerBound + value.count), kind: kind)
    }

    /// Removes every member named `key`; returns whether there was one.
    @discardableResult
    public mutating func removeMembers(named key: JSONKey) -> Bool {
        let matches = indices(ofKey: key)
        for index in matches.reversed() { removeMember(at: index) }
        return !matches.isEmpty
    }

    /// Renames the members named `from` to `to`, in place; members already named `to` give way.
    /// Returns whether there was a member named `from`.
    @discardableResult
    public mutating func renameMembers(named from: JSONKey, to: JSONKey) -> Bool {
        guard !indices(ofKey: from).isEmpty else { return false }
        if from.utf8Name != to.utf8Name { removeMembers(named: to) }
        // `"name":` without its quotes and colon: the escaped key content.
        let content = to.encoded[1..<(to.encoded.count - 2)]
        for index in indices(ofKey: from) {
            let old = members[index]
            content.withUnsafeBufferPointer { splice(old.key, with: $0) }
            let key = old.key.lowerBound..<(old.key.lowerBound + content.count)
            let shift = key.count - old.key.count
            members[index] = Member(key: key, keyHasEscapes: to.encodedNameHasEscapes,
                                    value: old.value.shifted(by: shift), kind: old.kind)
        }
        return true
    }

    // MARK: Splicing

    /// The indices of the members named `key`, in order.
    func indices(ofKey key: JSONKey) -> [Int] {
        storage.withUnsafeBufferPointer { buffer in
            key.utf8Name.withUnsafeBufferPointer { name in
                members.indices.filter { JSONObject.key(members[$0], in: buffer, equals: name) }
            }
        }
    }

    /// Appends `"key":value` before the closing brace.
    private mutating func appendMember(_ key: JSONKey, value: UnsafeBufferPointer<UInt8>, kind: JSONKind) {
        var insertion: [UInt8] = members.isEmpty ? [] : [UInt8(ascii: ",")]
        insertion.reserveCapacity(insertion.count + key.encoded.count + value.count)
        let keyStart = range.upperBound - 1 + insertion.count + 1
        insertion += key.encoded
        insertion.append(contentsOf: value)
        let closingBrace = range.upperBound - 1
        insertion.withUnsafeBufferPointer { splice(closingBrace..<closingBrace, with: $0) }
        let valueStart = keyStart + key.encoded.count - 1
        members.append(Member(key: keyStart..<(valueStart - 2), keyHasEscapes: key.encodedNameHasEscapes,
                              value: valueStart..<(valueStart + value.count), kind: kind))
    }

    /// Removes member `index` with the comma that separates it from its neighbour.
    private mutating func removeMember(at index: Int) {
        let member = members[index]
        let openingQuote = member.key.lowerBound - 1
        let span: Range<Int>
        if index > 0 {
            span = members[index - 1].value.upperBound..<member.value.upperBound
        } else if members.count > 1 {
            span = openingQuote..<(members[1].key.lowerBound - 1)
        } else {
            span = openingQuote..<member.value.upperBound
        }
        splice(span, with: UnsafeBufferPointer(start: nil, count: 0))
        members.remove(at: index)
    }

    /// Replaces the bytes at `target` and moves every later range by the difference.
    private mutating func splice(_ target: Range<Int>, with bytes: UnsafeBufferPointer<UInt8>) {
        storage.replaceSubrange(target, with: bytes)
        let shift = bytes.count - target.count
        range = range.lowerBound..<(range.upperBound + shift)
        guard shift != 0 else { return }
        for index in members.indices where members[index].key.lowerBound >= target.upperBound {
            let member = members[index]
            members[index] = Member(key: member.key.shifted(by: shift), keyHasEscapes: member.keyHasEscapes,
                                    value: member.value.shifted(by: shift), kind: member.kind)
        }
    }
}

extension Range<Int> {
    /// The same range moved by `offset`.
    public func shifted(by offset: Int) -> Range<Int> { (lowerBound + offset)..<(upperBound + offset) }
}
