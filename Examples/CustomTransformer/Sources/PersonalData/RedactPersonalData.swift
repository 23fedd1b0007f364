import AWSSigning
import FirehoseTransform

/// Takes personal data out of a record: e-mail addresses in string fields become
/// `***@domain`, and user ids become the hex SHA-256 of a salt and the id, so records of one
/// user still group together. Every other byte of the record is left as it came.
///
/// In `FIREHOSE_PIPELINE`:
///
/// ```json
/// {"redactPersonalData": {"emails": ["message", "contact"], "hash": ["user"], "salt": "pepper"}}
/// ```
public struct RedactPersonalData: ConfigurableTransformer {
    public static let stepName = "redactPersonalData"

    /// Fields whose e-mail addresses are redacted.
    public let emailFields: [JSONKey]
    /// Fields replaced by their hash.
    public let hashedFields: [JSONKey]
    /// Prepended to every id before hashing.
    public let salt: [UInt8]

    /// A step redacting `emailFields` and hashing `hashedFields`.
    public init(emailFields: [String], hashedFields: [String], salt: String = "") {
        self.emailFields = emailFields.map(JSONKey.init)
        self.hashedFields = hashedFields.map(JSONKey.init)
        self.salt = Array(salt.utf8)
    }

    /// `emails` and `hash` (arrays of field names; at least one of them) and an optional `salt`.
    public init(options: StepOptions) throws {
        var emails: [String] = [], hashed: [String] = [], salt = ""
        for (name, value) in try options.members(allowed: ["emails", "hash", "salt"]) {
            if name == "salt" {
                guard let text = value.stringValue else { throw options.error("\"salt\" must be a string") }
                salt = text
                continue
            }
            guard let fields = value.arrayValues, !fields.isEmpty else {
                throw options.error("\"\(name)\" needs a non-empty array of field names")
            }
            let names = try fields.map { try options.string($0, for: name) }
            if name == "emails" { emails = names } else { hashed = names }
        }
        guard !emails.isEmpty || !hashed.isEmpty else { throw options.error("name \"emails\", \"hash\" or both") }
        self.init(emailFields: emails, hashedFields: hashed, salt: salt)
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        // The parsed view is let go before the edits, so that they change the bytes in place.
        for edit in edits(of: try record.json()) { try record.setField(edit.key, string: edit.text) }
        return .keep
    }

    /// The fields to rewrite, and their new text.
    func edits(of object: JSONObject) -> [(key: JSONKey, text: String)] {
        var edits: [(key: JSONKey, text: String)] = []
        for key in emailFields {
            guard let text = object[key.name]?.stringBytes else { continue }
            let redacted = RedactPersonalData.redactingEmails(in: text)
            if redacted != text { edits.append((key, String(decoding: redacted, as: UTF8.self))) }
        }
        for key in hashedFields {
            guard let value = object[key.name], !value.isNull else { continue }
            // Strings hash by their text, other values by their JSON.
            edits.append((key, SHA256.hash(salt + (value.stringBytes ?? Array(value.rawBytes))).hexString))
        }
        return edits
    }

    /// `text` with the local part of every address (`name@example.com`) replaced by `***`.
    static func redactingEmails(in text: [UInt8]) -> [UInt8] {
        func isLocal(_ byte: UInt8) -> Bool { isDomain(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "%") }
        func isDomain(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var copied = 0
        for at in text.indices where text[at] == UInt8(ascii: "@") {
            var start = at
            while start > copied, isLocal(text[start - 1]) { start -= 1 }
            var end = at + 1
            while end < text.count, isDomain(text[end]) { end += 1 }
            let domain = text[(at + 1)..<end]
            guard start < at, domain.contains(UInt8(ascii: ".")), domain.first != UInt8(ascii: ".") else { continue }
            output += text[copied..<start] + Array("***".utf8)
            copied = at
        }
        return output + text[copied...]
    }
}

extension Pipeline {
    /// The seeds' transform (`username`, `timestamp`, `action` on one line), with the username
    /// replaced by its hash.
    public static let redactedUserActivity = Pipeline([
        RedactPersonalData(emailFields: [], hashedFields: ["user"]),
        Extract([("username", "user"), ("timestamp", "time"), ("action", "action")]),
    ])
}
