import ByteJSON
import CivilTime

/// Turns a text log line into a JSON object, as Firehose's Apache-log and syslog blueprints do,
/// so later steps can pick fields from it. A line that does not parse fails the record.
public struct ParseLog: ConfigurableTransformer {
    /// `{"parse": "apache"}` or `{"parse": "syslog"}`
    public static let stepName = "parse"

    /// The log formats the step reads.
    public enum Format: String, Sendable, CaseIterable {
        /// Apache/NGINX Common or Combined Log Format.
        case apache
        /// RFC 5424 or BSD (RFC 3164) syslog.
        case syslog
    }

    /// The format this step reads.
    public let format: Format

    /// A step reading `format`.
    public init(_ format: Format) { self.format = format }

    /// The format's name as a string.
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        guard let name = options.value.stringValue, let format = Format(rawValue: name) else {
            let formats = Format.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw options.error("expected one of \(formats), found \(options.value.rawText)")
        }
        self.init(format)
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        let format = self.format
        try record.writeObject { object, bytes in
            var end = bytes.count
            while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[..<end])
            guard UTF8Validation.isValid(line) else { throw TransformFailure("the \(format.rawValue) line is not valid UTF-8") }
            var cursor = LineCursor(line)
            switch format {
            case .apache: try ParseLog.apache(&cursor, into: &object)
            case .syslog: try ParseLog.syslog(&cursor, into: &object)
            }
        }
        return .keep
    }

    // MARK: Apache

    /// `host ident authuser [datetime] "request" status bytes ["referer" "agent"]`
    static func apache(_ cursor: inout LineCursor, into object: inout JSONObjectWriter) throws {
        func fail() -> TransformFailure { TransformFailure("not an Apache access log line") }
        guard let host = cursor.word(), let ident = cursor.word(), let authuser = cursor.word(),
              let datetime = cursor.bracketed(), let request = cursor.quoted(),
              let status = cursor.word(), let statusValue = LineCursor.integer(status), let size = cursor.word() else { throw fail() }
        let referrer = cursor.quoted()
        let agent = referrer == nil ? nil : cursor.quoted()
        guard cursor.atEnd || referrer != nil else { throw fail() }

        object.add(JSONKey("host"), utf8String: host)
        addDashAsNull(JSONKey("ident"), ident, to: &object)
        addDashAsNull(JSONKey("authuser"), authuser, to: &object)
        object.add(JSONKey("datetime"), utf8String: datetime)
        if let milliseconds = apacheTime(datetime) {
            object.add(JSONKey("timestamp"), string: UTCTime(epochMilliseconds: milliseconds).rfc3339)
        } else {
            object.addNull(JSONKey("timestamp"))
        }
        request.withUnsafeBufferPointer { request in
            object.add(JSONKey("request"), utf8String: request)
            let parts = request.split(separator: UInt8(ascii: " "))
            for (index, key) in ["method", "path", "protocol"].enumerated() {
                if parts.count == 3 {
                    object.add(JSONKey(key), utf8String: UnsafeBufferPointer(rebasing: parts[index]))
                } else {
                    object.addNull(JSONKey(key))
                }
            }
        }
        object.add(JSONKey("response"), integer: statusValue)
        if let bytes = LineCursor.integer(size) {
            object.add(JSONKey("bytes"), integer: bytes)
        } else {
            object.addNull(JSONKey("bytes"))
        }
        referrer.withUnsafeBufferPointer { addDashAsNull(JSONKey("referrer"), $0, to: &object) }
        agent.withUnsafeBufferPointer { addDashAsNull(JSONKey("agent"), $0, to: &object) }
    }

    /// `10/Oct/2000:13:55:36 -0700` as Unix milliseconds.
    static func apacheTime(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }
        let parts = text.split(whereSeparator: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: " ") })
        guard parts.count == 7, let day = LineCursor.integer(parts[0]), let month = months.firstIndex(where: { $0.elementsEqual(parts[1]) }),
              let year = LineCursor.integer(parts[2]), let hour = LineCursor.integer(parts[3]), let minute = LineCursor.integer(parts[4]),
              let second = LineCursor.integer(parts[5]), parts[6].count == 5, let offset = LineCursor.integer(parts[6].dropFirst()),
              let sign = parts[6].first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let offsetMinutes = (offset / 100 * 60 + offset % 100) * (sign == UInt8(ascii: "-") ? -1 : 1)
        let local = UTCTime(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        return local.epochMilliseconds - Int64(offsetMinutes) * 60_000
    }

    // MARK: Syslog

    static func syslog(_ cursor: inout LineCursor, into object: inout JSONObjectWriter) throws {
        guard cursor.consume(UInt8(ascii: "<")), let priority = cursor.digits().flatMap(LineCursor.integer), priority <= 191,
              cursor.consume(UInt8(ascii: ">")) else {
            throw TransformFailure("not a syslog line: no <priority>")
        }
        object.add(JSONKey("priority"), integer: priority)
        object.add(JSONKey("facility"), integer: priority / 8)
        object.add(JSONKey("severity"), integer: priority % 8)
        if let version = cursor.digits() {
            // RFC 5424: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
            guard cursor.consume(UInt8(ascii: " ")), let timestamp = cursor.word(), let hostname = cursor.word(),
                  let appName = cursor.word(), let procID = cursor.word(), let msgID = cursor.word(),
                  let structured = cursor.structuredData() else {
                throw TransformFailure("not an RFC 5424 syslog line")
            }
            object.add(JSONKey("version"), raw: version)
            addDashAsNull(JSONKey("timestamp"), timestamp, to: &object)
            addDashAsNull(JSONKey("hostname"), hostname, to: &object)
            addDashAsNull(JSONKey("appName"), appName, to: &object)
            addDashAsNull(JSONKey("procId"), procID, to: &object)
            addDashAsNull(JSONKey("msgId"), msgID, to: &object)
            addDashAsNull(JSONKey("structuredData"), structured, to: &object)
            object.add(JSONKey("message"), utf8String: cursor.rest(droppingLeadingSpace: true, droppingBOM: true))
        } else {
            // RFC 3164: Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG
            guard let month = cursor.word(), let day = cursor.word(), let time = cursor.word(), let hostname = cursor.word(),
                  month.count == 3, time.count == 8 else {
                throw TransformFailure("not a BSD (RFC 3164) syslog line")
            }
            // `Mmm dd hh:mm:ss`, with the day padded to two columns as RFC 3164 writes it.
            let timestamp = Array(month) + [UInt8(ascii: " ")] + (day.count == 1 ? [UInt8(ascii: " ")] : []) + Array(day)
                + [UInt8(ascii: " ")] + Array(time)
            timestamp.withUnsafeBufferPointer { object.add(JSONKey("timestamp"), utf8String: $0) }
            object.add(JSONKey("hostname"), utf8String: hostname)
            let message = cursor.rest(droppingLeadingSpace: true, droppingBOM: false)
            if let colon = message.firstIndex(of: UInt8(ascii: ":")), !message[..<colon].contains(UInt8(ascii: " ")) {
                var tag = UnsafeBufferPointer(rebasing: message[..<colon])
                var pid: UnsafeBufferPointer<UInt8>?
                if tag.last == UInt8(ascii: "]"), let open = tag.firstIndex(of: UInt8(ascii: "[")) {
                    pid = UnsafeBufferPointer(rebasing: tag[(open + 1)..<(tag.count - 1)])
                    tag = UnsafeBufferPointer(rebasing: tag[..<open])
                }
                object.add(JSONKey("program"), utf8String: tag)
                if let pid { object.add(JSONKey("pid"), utf8String: pid) } else { object.addNull(JSONKey("pid")) }
                var text = colon + 1
                while text < message.count, message[text] == UInt8(ascii: " ") { text += 1 }
                object.add(JSONKey("message"), utf8String: UnsafeBufferPointer(rebasing: message[text...]))
            } else {
                object.addNull(JSONKey("program"))
                object.addNull(JSONKey("pid"))
                object.add(JSONKey("message"), utf8String: message)
            }
        }
    }

    /// `-` is how both formats write "no value".
    static func addDashAsNull(_ key: JSONKey, _ value: UnsafeBufferPointer<UInt8>?, to object: inout JSONObjectWriter) {
        if let value, !value.elementsEqual([UInt8(ascii: "-")]) {
            object.add(key, utf8String: value)
        } else {
            object.addNull(key)
        }
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with the bytes, or with nil.
    fileprivate func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        switch self {
        case .some(let bytes): bytes.withUnsafeBufferPointer { body($0) }
        case .none: body(nil)
        }
    }
}

/// A cursor over one log line's bytes (valid UTF-8): every delimiter it looks for is ASCII.
struct LineCursor {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Whether the bytes at the cursor are `prefix`, consuming them if so.
    mutating func consume(_ prefix: [UInt8]) -> Bool {
        guard bytes.count - index >= prefix.count, bytes[index..<(index + prefix.count)].elementsEqual(prefix) else { return false }
        index += prefix.count
        return true
    }

    /// The bytes from `start` to the cursor.
    private func slice(from start: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[start..<index])
    }

    /// The next run of non-space bytes.
    mutating func word() -> UnsafeBufferPointer<UInt8>? {
        skipSpaces()
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: " ") { index += 1 }
        return index > start ? slice(from: start) : nil
    }

    mutating func digits() -> UnsafeBufferPointer<UInt8>? {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index > start ? slice(from: start) : nil
    }

    /// `[…]`
    mutating func bracketed() -> UnsafeBufferPointer<UInt8>? {
        skipSpaces()
        guard consume(UInt8(ascii: "[")), let close = bytes[index...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
        defer { index = close + 1 }
        return UnsafeBufferPointer(rebasing: bytes[index..<close])
    }

    /// `"…"`, with backslash escapes as Apache writes them, unescaped.
    mutating func quoted() -> [UInt8]? {
        skipSpaces()
        let start = index
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return text }
            if byte == UInt8(ascii: "\\"), index < bytes.count {
                text.append(bytes[index])
                index += 1
            } else {
                text.append(byte)
            }
        }
        index = start
        return nil
    }

    /// RFC 5424 STRUCTURED-DATA: `-` or one or more `[…]` elements (with `\]` escapes).
    mutating func structuredData() -> UnsafeBufferPointer<UInt8>? {
        skipSpaces()
        let start = index
        if consume(UInt8(ascii: "-")) { return slice(from: start) }
        while index < bytes.count, bytes[index] == UInt8(ascii: "[") {
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { return nil }
            index += 1
        }
        return index > start ? slice(from: start) : nil
    }

    /// The rest of the line.
    mutating func rest(droppingLeadingSpace: Bool, droppingBOM: Bool) -> UnsafeBufferPointer<UInt8> {
        if droppingLeadingSpace { _ = consume(UInt8(ascii: " ")) }
        if droppingBOM { _ = consume([0xEF, 0xBB, 0xBF]) }
        let start = index
        index = bytes.count
        return slice(from: start)
    }

    /// Decimal digits (with an optional leading `-`) as an integer, nil if they are not one.
    static func integer(_ text: some Collection<UInt8>) -> Int? {
        Int(String(decoding: text, as: UTF8.self))
    }
}
