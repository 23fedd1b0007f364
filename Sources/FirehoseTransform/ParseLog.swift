import ByteJSON
import CivilTime

/// Turns a text log line into a JSON object, as Firehose's Apache-log and syslog blueprints do,
/// so later steps can pick fields from it. A line that does not parse fails the record.
public struct ParseLog: RecordTransformer {
    public enum Format: String, Sendable, CaseIterable {
        /// Apache/NGINX Common or Combined Log Format.
        case apache
        /// RFC 5424 or BSD (RFC 3164) syslog.
        case syslog
    }

    public let format: Format

    public init(_ format: Format) { self.format = format }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        var line = record.bytes[...]
        while let last = line.last, last == 0x0A || last == 0x0D { line.removeLast() }
        guard line.withContiguousStorageIfAvailable({ UTF8Validation.isValid($0) }) ?? false else {
            throw TransformFailure("the \(format.rawValue) line is not valid UTF-8")
        }
        var cursor = LineCursor(String(decoding: line, as: UTF8.self))
        var object = JSONObjectWriter(capacity: line.count * 2)
        switch format {
        case .apache: try ParseLog.apache(&cursor, into: &object)
        case .syslog: try ParseLog.syslog(&cursor, into: &object)
        }
        record.setCompactJSONObject(object.finish())
        return .keep
    }

    // MARK: Apache

    /// `host ident authuser [datetime] "request" status bytes ["referer" "agent"]`
    static func apache(_ cursor: inout LineCursor, into object: inout JSONObjectWriter) throws {
        func fail() -> TransformFailure { TransformFailure("not an Apache access log line") }
        guard let host = cursor.word(), let ident = cursor.word(), let authuser = cursor.word(),
              let datetime = cursor.bracketed(), let request = cursor.quoted(),
              let status = cursor.word().flatMap({ Int($0) }), let size = cursor.word() else { throw fail() }
        let referrer = cursor.quoted()
        let agent = referrer == nil ? nil : cursor.quoted()
        guard cursor.atEnd || referrer != nil else { throw fail() }

        object.add(JSONKey("host"), string: host)
        addDashAsNull(JSONKey("ident"), ident, to: &object)
        addDashAsNull(JSONKey("authuser"), authuser, to: &object)
        object.add(JSONKey("datetime"), string: datetime)
        if let milliseconds = apacheTime(datetime) {
            object.add(JSONKey("timestamp"), string: UTCTime(epochMilliseconds: milliseconds).rfc3339)
        } else {
            object.addNull(JSONKey("timestamp"))
        }
        object.add(JSONKey("request"), string: request)
        let parts = request.split(separator: " ", omittingEmptySubsequences: true)
        for (index, key) in ["method", "path", "protocol"].enumerated() {
            if parts.count == 3 { object.add(JSONKey(key), string: String(parts[index])) } else { object.addNull(JSONKey(key)) }
        }
        object.add(JSONKey("response"), raw: Array(String(status).utf8))
        if let bytes = Int(size) { object.add(JSONKey("bytes"), raw: Array(String(bytes).utf8)) } else { object.addNull(JSONKey("bytes")) }
        addDashAsNull(JSONKey("referrer"), referrer, to: &object)
        addDashAsNull(JSONKey("agent"), agent, to: &object)
    }

    /// `10/Oct/2000:13:55:36 -0700` as Unix milliseconds.
    static func apacheTime(_ text: String) -> Int64? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == " " }).map(String.init)
        guard parts.count == 7, let day = Int(parts[0]), let month = months.firstIndex(of: parts[1]),
              let year = Int(parts[2]), let hour = Int(parts[3]), let minute = Int(parts[4]), let second = Int(parts[5]),
              parts[6].count == 5, let offset = Int(parts[6].dropFirst()), "+-".contains(parts[6].first!) else { return nil }
        let offsetMinutes = (offset / 100 * 60 + offset % 100) * (parts[6].first == "-" ? -1 : 1)
        let local = UTCTime(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        return local.epochMilliseconds - Int64(offsetMinutes) * 60_000
    }

    // MARK: Syslog

    static func syslog(_ cursor: inout LineCursor, into object: inout JSONObjectWriter) throws {
        guard cursor.consume("<"), let priority = cursor.digits().flatMap({ Int($0) }), priority <= 191, cursor.consume(">") else {
            throw TransformFailure("not a syslog line: no <priority>")
        }
        object.add(JSONKey("priority"), raw: Array(String(priority).utf8))
        object.add(JSONKey("facility"), raw: Array(String(priority / 8).utf8))
        object.add(JSONKey("severity"), raw: Array(String(priority % 8).utf8))
        if let version = cursor.digits() {
            // RFC 5424: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
            guard cursor.consume(" "), let timestamp = cursor.word(), let hostname = cursor.word(),
                  let appName = cursor.word(), let procID = cursor.word(), let msgID = cursor.word(),
                  let structured = cursor.structuredData() else {
                throw TransformFailure("not an RFC 5424 syslog line")
            }
            object.add(JSONKey("version"), raw: Array(version.utf8))
            addDashAsNull(JSONKey("timestamp"), timestamp, to: &object)
            addDashAsNull(JSONKey("hostname"), hostname, to: &object)
            addDashAsNull(JSONKey("appName"), appName, to: &object)
            addDashAsNull(JSONKey("procId"), procID, to: &object)
            addDashAsNull(JSONKey("msgId"), msgID, to: &object)
            addDashAsNull(JSONKey("structuredData"), structured, to: &object)
            object.add(JSONKey("message"), string: cursor.rest(droppingLeadingSpace: true, droppingBOM: true))
        } else {
            // RFC 3164: Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG
            guard let month = cursor.word(), let day = cursor.word(), let time = cursor.word(), let hostname = cursor.word(),
                  month.count == 3, time.count == 8 else {
                throw TransformFailure("not a BSD (RFC 3164) syslog line")
            }
            object.add(JSONKey("timestamp"), string: "\(month) \(day.count == 1 ? " " + day : day) \(time)")
            object.add(JSONKey("hostname"), string: hostname)
            let message = cursor.rest(droppingLeadingSpace: true, droppingBOM: false)
            if let colon = message.firstIndex(of: ":"), !message[..<colon].contains(" ") {
                var tag = message[..<colon]
                var pid: Substring?
                if tag.hasSuffix("]"), let open = tag.firstIndex(of: "[") {
                    pid = tag[tag.index(after: open)..<tag.index(before: tag.endIndex)]
                    tag = tag[..<open]
                }
                object.add(JSONKey("program"), string: String(tag))
                if let pid { object.add(JSONKey("pid"), string: String(pid)) } else { object.addNull(JSONKey("pid")) }
                object.add(JSONKey("message"), string: String(message[message.index(after: colon)...].drop(while: { $0 == " " })))
            } else {
                object.addNull(JSONKey("program"))
                object.addNull(JSONKey("pid"))
                object.add(JSONKey("message"), string: message)
            }
        }
    }

    static func addDashAsNull(_ key: JSONKey, _ value: String?, to object: inout JSONObjectWriter) {
        if let value, value != "-" { object.add(key, string: value) } else { object.addNull(key) }
    }
}

/// A cursor over one log line.
struct LineCursor {
    private let characters: [Character]
    private var index = 0

    init(_ line: String) { characters = Array(line) }

    var atEnd: Bool { index == characters.count }

    mutating func skipSpaces() {
        while index < characters.count, characters[index] == " " { index += 1 }
    }

    mutating func consume(_ character: Character) -> Bool {
        guard index < characters.count, characters[index] == character else { return false }
        index += 1
        return true
    }

    /// The next run of non-space characters.
    mutating func word() -> String? {
        skipSpaces()
        let start = index
        while index < characters.count, characters[index] != " " { index += 1 }
        return index > start ? String(characters[start..<index]) : nil
    }

    mutating func digits() -> String? {
        let start = index
        while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 }
        return index > start ? String(characters[start..<index]) : nil
    }

    /// `[…]`
    mutating func bracketed() -> String? {
        skipSpaces()
        guard consume("["), let close = characters[index...].firstIndex(of: "]") else { return nil }
        defer { index = close + 1 }
        return String(characters[index..<close])
    }

    /// `"…"`, with backslash escapes as Apache writes them.
    mutating func quoted() -> String? {
        skipSpaces()
        let start = index
        guard consume("\"") else { return nil }
        var text = ""
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character == "\"" { return text }
            if character == "\\", index < characters.count {
                text.append(characters[index])
                index += 1
            } else {
                text.append(character)
            }
        }
        index = start
        return nil
    }

    /// RFC 5424 STRUCTURED-DATA: `-` or one or more `[…]` elements (with `\]` escapes).
    mutating func structuredData() -> String? {
        skipSpaces()
        if consume("-") { return "-" }
        let start = index
        while index < characters.count, characters[index] == "[" {
            index += 1
            while index < characters.count, characters[index] != "]" {
                index += characters[index] == "\\" ? 2 : 1
            }
            guard index < characters.count else { return nil }
            index += 1
        }
        return index > start ? String(characters[start..<index]) : nil
    }

    mutating func rest(droppingLeadingSpace: Bool, droppingBOM: Bool) -> String {
        if droppingLeadingSpace { _ = consume(" ") }
        if droppingBOM { _ = consume("\u{FEFF}") }
        defer { index = characters.count }
        return String(characters[index...])
    }
}
