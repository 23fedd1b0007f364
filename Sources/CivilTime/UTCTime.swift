#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UTC calendar time to the millisecond. Converts to and from Unix time with plain integer
/// arithmetic (no time zones, no Foundation), because log lines, partition keys and request
/// signatures all need it on hot paths.
public struct UTCTime: Sendable, Equatable, Comparable {
    /// The year, in the proleptic Gregorian calendar.
    public var year: Int
    /// Month of the year, 1–12.
    public var month: Int
    /// Day of the month, 1–31.
    public var day: Int
    /// Hour of the day, 0–23.
    public var hour: Int
    /// Minute of the hour, 0–59.
    public var minute: Int
    /// Second of the minute, 0–59 (a parsed leap second becomes 59).
    public var second: Int
    /// Millisecond of the second, 0–999.
    public var millisecond: Int

    /// A time from its fields, taken as given: nothing is validated or normalized.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.millisecond = millisecond
    }

    /// The time `epochMilliseconds` after the Unix epoch (before it, when negative).
    public init(epochMilliseconds: Int64) {
        let (days, msOfDay) = epochMilliseconds.floorDivided(by: 86_400_000)
        let (y, m, d) = UTCTime.civil(fromDays: days)
        self.init(year: y, month: m, day: d,
                  hour: Int(msOfDay / 3_600_000), minute: Int(msOfDay / 60_000 % 60),
                  second: Int(msOfDay / 1000 % 60), millisecond: Int(msOfDay % 1000))
    }

    /// Milliseconds since the Unix epoch, negative before 1970.
    public var epochMilliseconds: Int64 {
        let days = UTCTime.days(fromCivil: year, month, day)
        return ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000 + Int64(second) * 1000 + Int64(millisecond)
    }

    /// The current time from the system's real-time clock.
    public static func now() -> UTCTime { UTCTime(epochMilliseconds: currentEpochMilliseconds()) }

    /// The system's real-time clock in Unix milliseconds, without building a `UTCTime`.
    public static func currentEpochMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    public static func < (lhs: UTCTime, rhs: UTCTime) -> Bool { lhs.epochMilliseconds < rhs.epochMilliseconds }

    // MARK: Formatting

    /// RFC 3339 with milliseconds: `2026-11-22T08:10:00.123Z`.
    public var rfc3339: String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millisecond, 3))Z"
    }

    /// ISO 8601 basic format, as AWS signatures use it: `20261122T081000Z`.
    public var basicISO8601: String {
        "\(dateStamp)T\(pad(hour, 2))\(pad(minute, 2))\(pad(second, 2))Z"
    }

    /// `20261122`.
    public var dateStamp: String { "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))" }

    private func pad(_ value: Int, _ width: Int) -> String { UTCTime.zeroPadded(value, width: width) }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    public static func zeroPadded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // MARK: Parsing

    /// Parses an RFC 3339 / ISO 8601 timestamp such as `2025-08-07T10:15:00Z`,
    /// `2025-08-07 10:15:00.250+09:00` or `2025-08-07T10:15:00` (taken as UTC).
    /// Returns Unix time in milliseconds, or nil when the text is not such a timestamp.
    public static func parseISO8601(_ text: some Collection<UInt8>) -> Int64? {
        var parser = DigitParser(Array(text))
        guard let year = parser.number(digits: 4), parser.skip(UInt8(ascii: "-")),
              let month = parser.number(digits: 2), parser.skip(UInt8(ascii: "-")),
              let day = parser.number(digits: 2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var time = UTCTime(year: year, month: month, day: day)
        if parser.atEnd { return time.epochMilliseconds }
        guard parser.skip(oneOf: [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")]),
              let hour = parser.number(digits: 2), parser.skip(UInt8(ascii: ":")),
              let minute = parser.number(digits: 2), hour < 24, minute < 60
        else { return nil }
        time.hour = hour
        time.minute = minute
        if parser.skip(UInt8(ascii: ":")) {
            guard let second = parser.number(digits: 2), second <= 60 else { return nil }
            time.second = min(second, 59)
            if parser.skip(oneOf: [UInt8(ascii: "."), UInt8(ascii: ",")]) {
                guard let fraction = parser.fractionMilliseconds() else { return nil }
                time.millisecond = fraction
            }
        }
        var offsetMinutes = 0
        if parser.skip(oneOf: [UInt8(ascii: "Z"), UInt8(ascii: "z")]) {
            offsetMinutes = 0
        } else if let sign = parser.next(oneOf: [UInt8(ascii: "+"), UInt8(ascii: "-")]) {
            guard let hours = parser.number(digits: 2) else { return nil }
            _ = parser.skip(UInt8(ascii: ":"))
            guard let minutes = parser.number(digits: 2), hours < 24, minutes < 60 else { return nil }
            offsetMinutes = (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        guard parser.atEnd else { return nil }
        return time.epochMilliseconds - Int64(offsetMinutes) * 60_000
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // MARK: Calendar arithmetic (proleptic Gregorian; Howard Hinnant's algorithms)

    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * Int64(month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, with a non-negative remainder.
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = self / divisor
        let remainder = self % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}

/// A cursor over ASCII timestamp text.
private struct DigitParser {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<(index + digits)] {
            guard byte &- UInt8(ascii: "0") < 10 else { return nil }
            value = value * 10 + Int(byte &- UInt8(ascii: "0"))
        }
        index += digits
        return value
    }

    /// Fractional seconds of any length, truncated to milliseconds.
    mutating func fractionMilliseconds() -> Int? {
        var value = 0
        var count = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            if count < 3 { value = value * 10 + Int(bytes[index] &- UInt8(ascii: "0")) }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 3) { value *= 10 }
        return value
    }

    mutating func skip(_ byte: UInt8) -> Bool { skip(oneOf: [byte]) }

    mutating func skip(oneOf choices: [UInt8]) -> Bool { next(oneOf: choices) != nil }

    mutating func next(oneOf choices: [UInt8]) -> UInt8? {
        guard index < bytes.count, choices.contains(bytes[index]) else { return nil }
        index += 1
        return bytes[index - 1]
    }
}
