import ByteJSON
import Foundation
import Testing

extension Integration {
    /// The default pipeline against the seeds' own Python handler, record by record, on edge cases:
    /// wherever the seeds produce a record, we produce the same JSON value (plus the JSON Lines
    /// newline); where they fail one, so do we. Two deliberate differences are checked too: a record
    /// the seeds cannot decode fails their whole batch, and NaN/Infinity (not JSON) pass there.
    @Suite(.timeLimit(.minutes(2))) struct SeedsEquivalenceTests {
        static let cases: [String] = [
            #"{"user":"kimdh","time":"2025-08-07T10:15:00Z","action":"login"}"#,
            #"{"user":"a"}"#, "{}", #"{"user":null,"time":[],"action":{}}"#,
            #"{"user":"dup","user":"last","action":"x","action":"y"}"#,
            #"{"us\u0065r":"escaped key","\u0074ime":1}"#,
            #"{"user":"\u00e9\u4e2d\ud83d\ude00","time":"tab\there","action":"quote\"back\\slash\/"}"#,
            #"{"user":"😀 Hangul 한국어 ❤","time":"\u0000","action":"\u001f"}"#,
            #"{"user":"lone \ud800 surrogate","time":"\udfff"}"#,
            #"{"user":12345678901234567890123456789,"time":-0.0,"action":1e308}"#,
            #"{"user":1E400,"time":0.1,"action":-1.5e-10}"#,
            #"{"user":{"nested":{"deep":[1,2,{"x":null}]}},"time":true,"action":false}"#,
            "  \n\t{\"user\" : \"spaces\" , \"time\" :\n 1 }\r\n",
            "[1,2,3]", "\"just a string\"", "42", "null", "true", "", " ", "{", "{\"user\":}", "{\"user\":\"a\",}",
            "{\"user\":\"a\"} {\"user\":\"b\"}", "{'user':'single'}", "{\"user\":\"raw\ncontrol\"}", "\u{FEFF}{\"user\":\"bom\"}",
            String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
            "{\"user\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}",
        ]

        static let script = #"""
            import base64, json, sys
            sys.path.insert(0, sys.argv[1])
            from seeds_transform import lambda_handler
            event = json.load(open(sys.argv[2]))
            ours = {r["recordId"]: r for r in json.load(open(sys.argv[3]))["records"]}
            problems = []
            for record in event["records"]:
                try:
                    seeds = lambda_handler({"records": [record]}, None)["records"][0]
                except Exception as error:
                    seeds = {"result": "BatchError", "error": repr(error)}
                mine = ours[record["recordId"]]
                if seeds["result"] == "BatchError":
                    if mine["result"] != "ProcessingFailed" or mine["data"] != record["data"]:
                        problems.append([record["recordId"], "seeds fail the batch, we must fail the record", mine["result"]])
                    continue
                if seeds["result"] != mine["result"]:
                    problems.append([record["recordId"], seeds["result"], mine["result"]])
                    continue
                if seeds["result"] == "Ok":
                    theirs = json.dumps(json.loads(base64.b64decode(seeds["data"])), sort_keys=True)
                    line = base64.b64decode(mine["data"]).decode("utf-8")
                    if not line.endswith("\n") or "\n" in line[:-1]:
                        problems.append([record["recordId"], "not one JSON line", line])
                    elif json.dumps(json.loads(line), sort_keys=True) != theirs:
                        problems.append([record["recordId"], theirs, line])
                elif mine["data"] != record["data"]:
                    problems.append([record["recordId"], "failed record lost its data"])
            print(json.dumps(problems))
            """#

        @Test func theDefaultPipelineMeansWhatTheSeedsMean() throws {
            let directory = try Harness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            var records = SeedsEquivalenceTests.cases.enumerated().map { index, payload in
                #"{"recordId":"case-\#(index)","approximateArrivalTimestamp":1754561700000,"data":"\#(Data(payload.utf8).base64EncodedString())"}"#
            }
            // Invalid base64 and invalid UTF-8: the seeds' handler raises outside its try, failing the batch.
            records.append(#"{"recordId":"bad-base64","approximateArrivalTimestamp":1,"data":"@@@"}"#)
            records.append(#"{"recordId":"bad-utf8","approximateArrivalTimestamp":1,"data":"\#(Data([0x7B, 0xC3, 0x28, 0x7D]).base64EncodedString())"}"#)
            let event = Data(#"{"invocationId":"i","deliveryStreamArn":"arn","region":"us-east-1","records":[\#(records.joined(separator: ","))]}"#.utf8)
            let eventFile = directory.appendingPathComponent("event.json")
            try event.write(to: eventFile)

            let ours = try Harness.invoke("firehose-transform", event: event)
            #expect(ours.status == 0, "\(ours.stderr)")
            let oursFile = directory.appendingPathComponent("ours.json")
            try ours.stdout.write(to: oursFile)
            let scriptFile = directory.appendingPathComponent("compare.py")
            try SeedsEquivalenceTests.script.write(to: scriptFile, atomically: true, encoding: .utf8)
            let reference = Harness.packageRoot.appendingPathComponent("Sources/Benchmarks/reference").path
            let comparison = try Harness.run("/usr/bin/env", ["python3", scriptFile.path, reference, eventFile.path, oursFile.path])
            #expect(comparison.status == 0, "\(comparison.stderr)")
            #expect(comparison.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(comparison.stdoutText)")
        }

        @Test func notANumberIsNotJSONHereThoughPythonAcceptsIt() throws {
            let payload = Data(#"{"user":NaN,"time":Infinity}"#.utf8).base64EncodedString()
            let event = Data(#"{"records":[{"recordId":"nan","data":"\#(payload)"}]}"#.utf8)
            let result = try Harness.invoke("firehose-transform", event: event)
            let record = try #require(try JSONObject(parsing: Array(result.stdout))["records"]?.arrayValues?.first?.objectValue)
            #expect(record["result"]?.stringValue == "ProcessingFailed")
            #expect(record["data"]?.stringValue == payload)
        }
    }
}
