import ByteJSON
import FirehoseCodec
import Foundation
import Testing
@testable import FirehoseTransform

private func pipeline(_ json: String) throws -> Pipeline {
    try PipelineConfiguration.parse(json)
}

/// The output of one record through a pipeline given as `FIREHOSE_PIPELINE` JSON.
private func run(_ configuration: String, _ input: String, arrival: Int64? = 1_754_561_700_000) throws -> TestBatch.Result {
    let event = TestBatch.event([TestBatch.record("r", json: input, arrival: arrival)])
    return try #require(try TestBatch.results(BatchProcessor(pipeline: try pipeline(configuration)).process(event).response).first)
}

@Suite struct SeedsTransformTests {
    @Test func extractsTheSeedsFieldsAsOneJSONLine() throws {
        let result = try TestBatch.transform(json: #"{"user":"kimdh","time":"2025-08-07T10:15:00Z","action":"login","extra":1}"#)
        #expect(result.result == "Ok")
        #expect(text(result.data) == "{\"username\":\"kimdh\",\"timestamp\":\"2025-08-07T10:15:00Z\",\"action\":\"login\"}\n")
    }

    @Test func missingFieldsBecomeNullAsDataGetDoes() throws {
        #expect(text(try TestBatch.transform(json: "{}").data) == "{\"username\":null,\"timestamp\":null,\"action\":null}\n")
    }

    @Test func valuesPassThroughExactly() throws {
        let result = try TestBatch.transform(json: #"{"user":"\u00e9\"q\\ 😀 \ud83d\ude00","time":12345678901234567890123,"action":-0.0,"user":"last wins"}"#)
        #expect(text(result.data) == "{\"username\":\"last wins\",\"timestamp\":12345678901234567890123,\"action\":-0.0}\n")
        let exact = try TestBatch.transform(json: #"{"user":"\u00e9\"q\\ 😀 \ud83d\ude00","time":1e308,"action":1E-7}"#)
        #expect(text(exact.data) == "{\"username\":\"\\u00e9\\\"q\\\\ 😀 \\ud83d\\ude00\",\"timestamp\":1e308,\"action\":1E-7}\n")
    }

    @Test func nestedValuesAreCompactedOntoOneLine() throws {
        let result = try TestBatch.transform(json: "{\n  \"user\": {\n    \"id\": 7,\n    \"tags\": [ \"a b\", \"c\\n\" ]\n  }\n}\n")
        #expect(text(result.data) == "{\"username\":{\"id\":7,\"tags\":[\"a b\",\"c\\n\"]},\"timestamp\":null,\"action\":null}\n")
    }

    @Test(arguments: [
        ("not json", "the data is not valid JSON: unexpected 'o' at byte 1"), ("trash", "the data is not valid JSON: unexpected 'a' at byte 2"),
        ("[1,2]", "the data is an array, not a JSON object"), ("\"text\"", "the data is a string, not a JSON object"),
        ("null", "the data is null, not a JSON object"), ("{\"user\":\"a\"} trailing", "the data is not valid JSON: unexpected content after the JSON value at byte 13"),
        ("", "the data is not valid JSON: unexpected end of JSON at byte 0"), ("{\"user\":NaN}", "the data is not valid JSON: unexpected 'N' at byte 8"),
        ("\u{FEFF}{}", "the data is not valid JSON: unexpected 0xef at byte 0"), ("[1, oops]", "the data is not valid JSON: unexpected 'o' at byte 4"),
    ])
    func recordsThatAreNotJSONObjectsFailWithTheRealReason(input: String, reason: String) throws {
        let outcome = try BatchProcessor(pipeline: .usernameTimestampAction).process(TestBatch.event([TestBatch.record("r", json: input)]))
        let result = try #require(try TestBatch.results(outcome.response).first)
        #expect(result.result == "ProcessingFailed")
        #expect(text(result.data) == input, "a failed record carries its original data")
        #expect(outcome.report.failureSamples.first?.reason == reason)
    }

    @Test func invalidUTF8Fails() throws {
        let payload = Array(#"{"user":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        let result = try TestBatch.transform(payload)
        #expect(result.result == "ProcessingFailed")
        #expect(result.data == payload)
    }

    @Test func absurdNestingFails() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(try TestBatch.transform(json: "{\"user\":\(deep)}").result == "ProcessingFailed")
    }
}

@Suite struct FieldStepTests {
    @Test func extractFollowsDottedPathsAndKeepsTheGivenOrder() throws {
        let result = try run(#"[{"extract": {"city": "user.address.city", "id": "user.id", "dotted": ["a.b", "c"], "none": "user.x.y"}}]"#,
                             #"{"user":{"id":7,"address":{"city":"Seoul"}},"a.b":{"c":true}}"#)
        #expect(text(result.data) == "{\"city\":\"Seoul\",\"id\":7,\"dotted\":true,\"none\":null}\n")
    }

    @Test func setAddsAndOverwritesInPlace() throws {
        let result = try run(#"[{"set": {"action": "renamed", "source": "kinesis", "n": 12345678901234567890, "tags": [ 1, 2 ]}}]"#,
                             #"{"user":"a","action":"login","time":1}"#)
        #expect(text(result.data) == "{\"user\":\"a\",\"action\":\"renamed\",\"time\":1,\"source\":\"kinesis\",\"n\":12345678901234567890,\"tags\":[1,2]}\n")
    }

    @Test func renameAndRemove() throws {
        let renamed = try run(#"[{"rename": {"user": "username", "missing": "other"}}]"#, #"{"user":"a","username":"old","other":3}"#)
        #expect(text(renamed.data) == "{\"username\":\"a\",\"other\":3}\n")
        let removed = try run(#"[{"remove": ["password", "token"]}]"#, #"{"user":"a","password":"x","nested":{"password":"kept"},"token":1}"#)
        #expect(text(removed.data) == "{\"user\":\"a\",\"nested\":{\"password\":\"kept\"}}\n")
    }

    @Test func stepsChainInOrder() throws {
        let result = try run(#"[{"rename": {"user": "who"}}, {"set": {"v": 2}}, {"extract": {"who": "who", "v": "v"}}]"#, #"{"user":"a"}"#)
        #expect(text(result.data) == "{\"who\":\"a\",\"v\":2}\n")
    }
}

@Suite struct FilterTests {
    @Test(arguments: [
        (#"{"field": "action", "equals": "login"}"#, #"{"action":"login"}"#, true),
        (#"{"field": "action", "equals": "login"}"#, #"{"action":"log\u0069n"}"#, true),
        (#"{"field": "action", "equals": "login"}"#, #"{"action":"logout"}"#, false),
        (#"{"field": "action", "equals": "login"}"#, #"{}"#, false),
        (#"{"field": "status", "equals": 200}"#, #"{"status":200.0}"#, true),
        (#"{"field": "status", "equals": 200}"#, #"{"status":"200"}"#, false),
        (#"{"field": "id", "equals": 12345678901234567890}"#, #"{"id":12345678901234567891}"#, false),
        (#"{"field": "id", "equals": 12345678901234567890}"#, #"{"id":12345678901234567890}"#, true),
        (#"{"field": "level", "notEquals": "DEBUG"}"#, #"{"level":"INFO"}"#, true),
        (#"{"field": "level", "notEquals": "DEBUG"}"#, #"{}"#, true),
        (#"{"field": "action", "in": ["login", "logout"]}"#, #"{"action":"logout"}"#, true),
        (#"{"field": "action", "in": ["login", "logout"]}"#, #"{"action":"view"}"#, false),
        (#"{"field": "level", "notIn": ["DEBUG", "TRACE"]}"#, #"{"level":"TRACE"}"#, false),
        (#"{"field": "user.id", "exists": true}"#, #"{"user":{"id":null}}"#, false),
        (#"{"field": "user.id", "exists": true}"#, #"{"user":{"id":0}}"#, true),
        (#"{"field": "user.id", "exists": false}"#, #"{"user":{}}"#, true),
        (#"{"field": "geo", "equals": {"a": [1, 2]}}"#, #"{"geo":{ "a" : [ 1,2 ] }}"#, true),
    ])
    func keepsOrDrops(filter: String, input: String, kept: Bool) throws {
        let result = try run("[{\"filter\": \(filter)}]", input)
        #expect(result.result == (kept ? "Ok" : "Dropped"), "\(filter) on \(input)")
        if !kept { #expect(text(result.data) == input, "a dropped record keeps its original data") }
    }
}

@Suite struct PartitionKeyTests {
    @Test func fromFieldsAndArrivalTime() throws {
        let result = try run(#"[{"partitionKeys": {"fields": {"action": "action", "customer": "customer.id"}, "time": "arrival"}}]"#,
                             #"{"action":"login","customer":{"id":42}}"#, arrival: 1_754_561_700_000)
        #expect(result.partitionKeys == ["action": "login", "customer": "42", "year": "2025", "month": "08", "day": "07", "hour": "10"])
    }

    @Test(arguments: [
        (#""2025-08-07T23:59:59+09:00""#, ["year": "2025", "month": "08", "day": "07", "hour": "14"]),
        ("1754561700", ["year": "2025", "month": "08", "day": "07", "hour": "10"]),
        ("1754561700123", ["year": "2025", "month": "08", "day": "07", "hour": "10"]),
        ("1.7545617e9", ["year": "2025", "month": "08", "day": "07", "hour": "10"]),
        (#""1999-12-31 23:00:00""#, ["year": "1999", "month": "12", "day": "31", "hour": "23"]),
    ])
    func fromATimestampField(value: String, keys: [String: String]) throws {
        let result = try run(#"[{"partitionKeys": {"time": {"field": "timestamp"}}}]"#, "{\"timestamp\":\(value)}")
        #expect(result.result == "Ok")
        #expect(result.partitionKeys == keys)
    }

    @Test func epochUnitsCanBeForced() throws {
        let result = try run(#"[{"partitionKeys": {"time": {"field": "t", "unit": "ms"}}}]"#, #"{"t":86400000}"#)
        #expect(result.partitionKeys == ["year": "1970", "month": "01", "day": "02", "hour": "00"])
    }

    @Test(arguments: [
        (#"{"time": {"field": "timestamp"}}"#, #"{}"#),
        (#"{"time": {"field": "timestamp"}}"#, #"{"timestamp":"yesterday"}"#),
        (#"{"time": {"field": "timestamp"}}"#, #"{"timestamp":true}"#),
        (#"{"fields": {"c": "customer"}}"#, #"{"customer":null}"#),
        (#"{"fields": {"c": "customer"}}"#, #"{"customer":""}"#),
        (#"{"fields": {"c": "customer"}}"#, #"{"customer":{"id":1}}"#),
    ])
    func unusableValuesFailTheRecord(keys: String, input: String) throws {
        let result = try run("[{\"partitionKeys\": \(keys)}]", input)
        #expect(result.result == "ProcessingFailed")
        #expect(text(result.data) == input)
    }

    @Test func arrivalTimeIsRequiredWhenAsked() throws {
        #expect(try run(#"[{"partitionKeys": {"time": "arrival"}}]"#, "{}", arrival: nil).result == "ProcessingFailed")
    }
}

@Suite struct FormatTests {
    @Test func csvQuotesWhatNeedsQuoting() throws {
        let result = try run(#"[{"format": "csv"}]"#, #"{"a":"plain","b":"x,y","c":"say \"hi\"","d":12.50,"e":null,"f":true,"g":{"k":[1]},"h":"line\nbreak"}"#)
        #expect(text(result.data) == "plain,\"x,y\",\"say \"\"hi\"\"\",12.50,,true,\"{\"\"k\"\":[1]}\",\"line\nbreak\"\n")
    }

    @Test func csvColumnsAndDelimiter() throws {
        let result = try run(#"[{"format": {"csv": {"columns": ["b", "a.x", "missing"], "delimiter": "\t"}}}]"#, #"{"a":{"x":1},"b":"has\ttab"}"#)
        #expect(text(result.data) == "\"has\ttab\"\t1\t\n")
    }

    @Test func rawAddsNothingAndJSONLinesCompacts() throws {
        #expect(text(try run(#"[{"format": "raw"}]"#, "{ \"a\" : 1 }").data) == "{ \"a\" : 1 }")
        #expect(text(try run(#"[{"format": "json"}]"#, "[ 1 ,\n 2 ]").data) == "[1,2]\n")
        #expect(text(try run("[]", "{\n\"a\": \"b c\"\n}\n").data) == "{\"a\":\"b c\"}\n")
    }
}

@Suite struct ParseLogTests {
    @Test func apacheCombined() throws {
        let line = #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#
        let result = try run(#"[{"parse": "apache"}]"#, line + "\n")
        let object = try JSONObject(parsing: Array(result.data.dropLast()))
        #expect(object["host"]?.stringValue == "127.0.0.1")
        #expect(object["ident"]?.isNull == true)
        #expect(object["authuser"]?.stringValue == "frank")
        #expect(object["timestamp"]?.stringValue == "2000-10-10T20:55:36.000Z")
        #expect(object["method"]?.stringValue == "GET" && object["path"]?.stringValue == "/apache_pb.gif")
        #expect(object["response"]?.rawText == "200" && object["bytes"]?.rawText == "2326")
        #expect(object["referrer"]?.stringValue == "http://www.example.com/start.html")
        #expect(object["agent"]?.stringValue == "Mozilla/4.08 [en] (Win98; I ;Nav)")
    }

    @Test func apacheCommonThenExtract() throws {
        let line = #"10.0.0.1 - - [07/Aug/2025:10:15:00 +0000] "POST /login HTTP/1.1" 302 - "#
        let result = try run(#"[{"parse": "apache"}, {"extract": {"ip": "host", "status": "response", "size": "bytes"}}]"#, line)
        #expect(text(result.data) == "{\"ip\":\"10.0.0.1\",\"status\":302,\"size\":null}\n")
    }

    @Test func syslog5424And3164() throws {
        let modern = try run(#"[{"parse": "syslog"}]"#, #"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event"#)
        let object = try JSONObject(parsing: Array(modern.data.dropLast()))
        #expect(object["facility"]?.rawText == "20" && object["severity"]?.rawText == "5")
        #expect(object["appName"]?.stringValue == "evntslog" && object["procId"]?.isNull == true && object["msgId"]?.stringValue == "ID47")
        #expect(object["structuredData"]?.stringValue == #"[exampleSDID@32473 iut="3" eventSource="Application"]"#)
        #expect(object["message"]?.stringValue == "An application event")

        let bsd = try run(#"[{"parse": "syslog"}]"#, "<34>Oct 11 22:14:15 mymachine su[512]: 'su root' failed")
        let old = try JSONObject(parsing: Array(bsd.data.dropLast()))
        #expect(old["timestamp"]?.stringValue == "Oct 11 22:14:15" && old["hostname"]?.stringValue == "mymachine")
        #expect(old["program"]?.stringValue == "su" && old["pid"]?.stringValue == "512")
        #expect(old["message"]?.stringValue == "'su root' failed")
    }

    @Test(arguments: ["not a log line", "<999>1 x", ""])
    func linesThatDoNotParseFail(line: String) throws {
        #expect(try run(#"[{"parse": "syslog"}]"#, line).result == "ProcessingFailed")
        #expect(try run(#"[{"parse": "apache"}]"#, line).result == "ProcessingFailed")
    }
}

@Suite struct PipelineConfigurationTests {
    @Test(arguments: [
        ("not json", "FIREHOSE_PIPELINE is not valid JSON"),
        (#"{"extract": {}}"#, "must be a JSON array of steps"),
        (#"[{"extract": {"a": "a"}, "set": {"b": 1}}]"#, "step 1: expected an object with exactly one key"),
        (#"[{"extrakt": {"a": "a"}}]"#, "step 1: unknown step \"extrakt\"; known steps: parse, extract"),
        (#"[{"extract": {}}]"#, "step 1 (extract): name at least one field"),
        (#"[{"extract": {"a": "b..c"}}]"#, "step 1 (extract): a: empty field name in path"),
        (#"[{"extract": {"a": 3}}]"#, "step 1 (extract): a: expected a field path"),
        (#"[{"set": []}]"#, "step 1 (set): expected an object"),
        (#"[{"set": {"a": 1}}, {"filter": {"field": "a"}}]"#, "step 2 (filter): exactly one of equals, notEquals, in, notIn, exists is required"),
        (#"[{"filter": {"field": "a", "equal": 1}}]"#, "step 1 (filter): unknown option \"equal\""),
        (#"[{"filter": {"field": "a", "in": []}}]"#, "step 1 (filter): \"in\" needs a non-empty array"),
        (#"[{"filter": {"field": "a", "exists": "yes"}}]"#, "\"exists\" must be true or false"),
        (#"[{"partitionKeys": {}}]"#, "step 1 (partitionKeys): name \"fields\", \"time\" or both"),
        (#"[{"partitionKeys": {"time": "now"}}]"#, "\"time\" must be \"arrival\" or"),
        (#"[{"partitionKeys": {"time": {"field": "t", "unit": "days"}}}]"#, "\"unit\" must be \"s\", \"ms\" or \"auto\""),
        (#"[{"partitionKeys": {"fields": {"year": "y"}, "time": "arrival"}}]"#, "key \"year\" is also set by \"time\""),
        (#"[{"format": "xml"}]"#, "unknown format \"xml\""),
        (#"[{"format": "csv"}, {"set": {"a": 1}}]"#, "step 2 (set): the format step must be the last step"),
        (#"[{"format": {"csv": {"delimiter": ",,"}}}]"#, "\"delimiter\" must be one ASCII character"),
        (#"[{"parse": "xml"}]"#, "step 1 (parse): expected one of \"apache\", \"syslog\""),
        (#"[{"remove": "password"}]"#, "step 1 (remove): expected a non-empty array of field names"),
        (#"[{"rename": {"a": ""}}]"#, "step 1 (rename): a: expected a non-empty string"),
        (#"[{"set": {"a": 1, "a": 2}}]"#, "step 1 (set): duplicate key \"a\""),
        (#"[{"set": {"b": 1}}, {"extract": {"u": "user", "u": "id"}}]"#, "step 2 (extract): duplicate key \"u\""),
        (#"[{"filter": {"field": "a", "equals": 1, "field": "b"}}]"#, "step 1 (filter): duplicate key \"field\""),
    ])
    func errorsNameTheStepAndTheReason(configuration: String, message: String) {
        do {
            _ = try PipelineConfiguration.parse(configuration)
            Issue.record("accepted \(configuration)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func everyStepParses() throws {
        let configuration = #"""
            [{"parse": "apache"}, {"extract": {"a": "host", "b": ["x.y", "z"]}}, {"set": {"c": [1, {"d": null}]}},
             {"rename": {"a": "ip"}}, {"remove": ["b"]}, {"filter": {"field": "ip", "notIn": ["10.0.0.1"]}},
             {"partitionKeys": {"fields": {"ip": "ip"}, "time": {"field": "t", "unit": "s"}}}, {"format": {"csv": {"columns": ["ip"]}}}]
            """#
        let pipeline = try PipelineConfiguration.parse(configuration)
        #expect(pipeline.steps.count == 8)
        #expect(try PipelineConfiguration.parse("[]").steps.count == 1, "JSON Lines is added when no format is given")
    }
}

@Suite struct CustomTransformerTests {
    /// A transformer a user might write: mask an email address, drop test traffic.
    struct MaskEmail: RecordTransformer {
        func transform(_ record: inout TransformRecord) throws -> TransformDecision {
            let object = try record.json()
            if object["test"]?.boolValue == true { return .drop }
            guard let email = object["email"]?.stringValue, let at = email.firstIndex(of: "@") else {
                throw TransformFailure("no email address")
            }
            var output = JSONObjectWriter()
            output.add(JSONKey("email"), string: "***" + email[at...])
            output.add(JSONKey("recordId"), string: record.metadata.recordID)
            record.bytes = output.finish()
            record.setPartitionKey("domain", String(email[email.index(after: at)...]))
            return .keep
        }
    }

    @Test func userStepsRunInAPipeline() throws {
        let event = TestBatch.event([
            TestBatch.record("a", json: #"{"email":"kim@example.com"}"#),
            TestBatch.record("b", json: #"{"email":"x","test":true}"#),
            TestBatch.record("c", json: #"{"name":"no email"}"#),
        ])
        let outcome = try BatchProcessor(pipeline: Pipeline([MaskEmail()])).process(event)
        let results = try TestBatch.results(outcome.response)
        #expect(results.map(\.result) == ["Ok", "Dropped", "ProcessingFailed"])
        #expect(text(results[0].data) == "{\"email\":\"***@example.com\",\"recordId\":\"a\"}\n")
        #expect(results[0].partitionKeys == ["domain": "example.com"])
        #expect(outcome.report.failureSamples.first?.reason == "no email address")
    }
}
