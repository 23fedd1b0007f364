import ByteJSON
import Foundation
import Testing

extension Integration {
    /// firehose-transform through the real runtime loop and emulator.
    @Suite(.timeLimit(.minutes(2))) struct FirehoseIntegrationTests {
        private func records(_ result: Harness.Result) throws -> [JSONObject] {
            try #require(try JSONObject(parsing: Array(result.stdout))["records"]?.arrayValues).compactMap(\.objectValue)
        }

        @Test func badRecordsFailAloneWithTheirOriginalData() throws {
            let event = try Harness.event("firehose-bad-records.json")
            let result = try Harness.invoke("firehose-transform", event: event)
            #expect(result.status == 0, "\(result.stderr)")
            let output = try records(result)
            let input = try #require(try JSONObject(parsing: Array(event))["records"]?.arrayValues).compactMap(\.objectValue)
            #expect(output.map { $0["recordId"]?.stringValue } == input.map { $0["recordId"]?.stringValue })
            let results = Dictionary(uniqueKeysWithValues: output.map { ($0["recordId"]?.stringValue ?? "", $0) })
            for id in ["good", "missing-fields", "big-number"] { #expect(results[id]?["result"]?.stringValue == "Ok", "\(id)") }
            for record in input where !["good", "missing-fields", "big-number"].contains(record["recordId"]?.stringValue ?? "") {
                let id = record["recordId"]?.stringValue ?? ""
                #expect(results[id]?["result"]?.stringValue == "ProcessingFailed", "\(id)")
                #expect(results[id]?["data"]?.stringValue == (record["data"]?.stringValue ?? ""), "\(id) keeps its data")
            }
            #expect(result.stderr.contains("records failed and return to Firehose as ProcessingFailed"))
            #expect(result.stderr.contains("\"RecordsProcessingFailed\":6"))
        }

        @Test func aPipelineFromTheEnvironmentPartitionsByArrivalHour() throws {
            let pipeline = #"[{"extract": {"user": "user", "action": "action"}}, {"partitionKeys": {"fields": {"action": "action"}, "time": "arrival"}}]"#
            let result = try Harness.invoke("firehose-transform", event: try Harness.event("firehose-kinesis-source.json"),
                                            environment: ["FIREHOSE_PIPELINE": pipeline])
            #expect(result.status == 0, "\(result.stderr)")
            let keys = try records(result).map { $0.value(at: ["metadata", "partitionKeys"])?.rawText }
            #expect(keys == [#"{"action":"login","year":"2025","month":"08","day":"07","hour":"10"}"#,
                             #"{"action":"view","year":"2025","month":"08","day":"07","hour":"11"}"#,
                             #"{"action":"purchase","year":"2025","month":"08","day":"07","hour":"11"}"#])
        }

        @Test func anInvalidPipelineIsAnInitErrorThatSaysWhichStep() throws {
            let result = try Harness.invoke("firehose-transform", event: try Harness.event("firehose-batch.json"),
                                            environment: ["FIREHOSE_PIPELINE": #"[{"extract": {"a": "a"}}, {"filtre": {}}]"#])
            #expect(result.status == 1)
            let error = try JSONObject(parsing: Array(result.stdout))
            #expect(error["errorType"]?.stringValue == "Runtime.InvalidConfiguration")
            #expect(error["errorMessage"]?.stringValue?.contains("step 2: unknown step \"filtre\"") == true)
            #expect(result.stderr.contains("INIT_REPORT"))
        }
    }
}
