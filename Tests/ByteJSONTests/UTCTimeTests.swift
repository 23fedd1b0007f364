import Testing
import CivilTime

@Suite struct UTCTimeTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
        (4_107_542_399_999, "2100-02-28T23:59:59.999Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
    ])
    func formatsKnownInstants(milliseconds: Int64, expected: String) {
        let time = UTCTime(epochMilliseconds: milliseconds)
        #expect(time.rfc3339 == expected)
        #expect(time.epochMilliseconds == milliseconds)
    }

    @Test func stepsOneCalendarDayAtATimeOverFourCenturies() {
        let day: Int64 = 86_400_000
        let timeOfDay: Int64 = 45_296_789 // 12:34:56.789
        var milliseconds: Int64 = -2_208_988_800_000 // 1900-01-01T00:00:00Z
        var previous = UTCTime(epochMilliseconds: milliseconds + timeOfDay)
        var leapDays = 0
        var badSteps: [String] = []
        while milliseconds < 10_413_792_000_000 { // 2300-01-01
            milliseconds += day
            let time = UTCTime(epochMilliseconds: milliseconds + timeOfDay)
            let sameMonth = time.year == previous.year && time.month == previous.month && time.day == previous.day + 1
            let nextMonth = time.day == 1 && previous.day >= 28
                && ((time.year == previous.year && time.month == previous.month + 1)
                    || (time.year == previous.year + 1 && time.month == 1 && previous.month == 12))
            if !(sameMonth || nextMonth) || time.epochMilliseconds != milliseconds + timeOfDay
                || (time.hour, time.minute, time.second, time.millisecond) != (12, 34, 56, 789) {
                badSteps.append("\(previous.rfc3339) -> \(time.rfc3339)")
            }
            if time.month == 2 && time.day == 29 { leapDays += 1 }
            previous = time
        }
        #expect(badSteps.isEmpty, "\(badSteps.prefix(5))")
        // 1904...2296 every fourth year, except 2100 and 2200.
        #expect(leapDays == 97)
    }

    @Test func signatureFormats() {
        let time = UTCTime(epochMilliseconds: 1_440_938_160_000)
        #expect(time.basicISO8601 == "20150830T123600Z")
        #expect(time.dateStamp == "20150830")
    }

    @Test(arguments: [
        ("2025-08-07T10:15:00Z", Int64(1_754_561_700_000)),
        ("2025-08-07T10:15:00.250Z", 1_754_561_700_250),
        ("2025-08-07T10:15:00.2509999Z", 1_754_561_700_250),
        ("2025-08-07 10:15:00", 1_754_561_700_000),
        ("2025-08-07t10:15:00z", 1_754_561_700_000),
        ("2025-08-07T19:15:00+09:00", 1_754_561_700_000),
        ("2025-08-07T05:45:00-0430", 1_754_561_700_000),
        ("2025-08-07", 1_754_524_800_000),
        ("2025-08-07T10:15", 1_754_561_700_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
    ])
    func parsesISO8601(text: String, expected: Int64) {
        #expect(UTCTime.parseISO8601(Array(text.utf8)) == expected)
    }

    @Test(arguments: ["", "2025", "2025-13-01", "2025-02-30", "2023-02-29", "2025-08-07T25:00:00Z",
                      "2025-08-07T10", "2025-08-07T10:15:00+25:00", "2025-08-07T10:15:00Zjunk", "yesterday",
                      "2025-08-07T10:15:00.Z"])
    func rejectsWhatIsNotATimestamp(text: String) {
        #expect(UTCTime.parseISO8601(Array(text.utf8)) == nil)
    }
}
