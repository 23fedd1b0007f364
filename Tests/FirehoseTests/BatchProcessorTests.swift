import ByteJSON
import FirehoseCodec
import Foundation
import LambdaRuntime
import Testing
@testable import FirehoseTransform

/// Seeded randomness, so a failing case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Records of every kind: good logs, corrupt JSON, binary junk, invalid base64, missing data.
private func randomRecords(_ count: Int, using random: inout SeededGenerator) -> [TestBatch.Record] {
    (0..<count).map { index in
        let id = "id-\(index)-\(random.next() % 1000)"
        let good = #"{"user":"u\#(random.next() % 100)","time":"2025-08-07T10:15:00Z","action":"a\#(index)","n":\#(random.next())}"#
        switch random.next() % 8 {
        case 0: return TestBatch.record(id, json: String(good.dropLast(Int(random.next() % 5) + 1)))
        case 1: return TestBatch.record(id, payload: (0..<(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case 2: return TestBatch.Record(id: id, data: "not base64!")
        case 3: return TestBatch.Record(id: id, data: nil)
        case 4: return TestBatch.record(id, json: "[\(good)]")
        default: return TestBatch.record(id, json: good)
        }
    }
}

@Suite struct BatchProcessorTests {
    @Test(arguments: [1, 2, 3, 4, 5])
    func everyRecordComesBackExactlyOnceAndFailuresKeepTheirData(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let records = randomRecords(600, using: &random)
        let outcome = try BatchProcessor(pipeline: .usernameTimestampAction, parallelism: 3, minimumRecordsPerThread: 50).process(TestBatch.event(records))
        let results = try TestBatch.results(outcome.response)
        #expect(results.map(\.id) == records.map(\.id))
        for (record, result) in zip(records, results) {
            switch result.result {
            case "Ok":
                #expect(result.data.last == 0x0A && result.data.dropLast().contains(0x0A) == false)
                let object = try JSONObject(parsing: Array(result.data))
                #expect(object.members.map { object.key(of: $0) } == ["username", "timestamp", "action"])
            case "ProcessingFailed":
                #expect(result.rawData == (record.data ?? ""), "failure must carry the original data")
            default:
                Issue.record("unexpected result \(result.result)")
            }
        }
        #expect(outcome.report.recordsIn == 600)
        #expect(outcome.report.ok + outcome.report.processingFailed == 600)
        #expect(outcome.report.ok == results.filter { $0.result == "Ok" }.count)
        #expect(outcome.report.failureSamples.count == BatchReport.failureSampleSize)
    }

    @Test func theParallelPathGivesTheSameBytesAsTheSerialOne() throws {
        var random = SeededGenerator(state: 99)
        let event = TestBatch.event(randomRecords(2000, using: &random))
        let pipeline = try PipelineConfiguration.parse(#"[{"filter": {"field": "action", "notIn": ["a3", "a7"]}}, {"extract": {"u": "user", "a": "action"}}, {"partitionKeys": {"fields": {"u": "u"}, "time": "arrival"}}]"#)
        let serial = try BatchProcessor(pipeline: pipeline, parallelism: 1).process(event)
        let parallel = try BatchProcessor(pipeline: pipeline, parallelism: 4, minimumRecordsPerThread: 100).process(event)
        #expect(serial.response == parallel.response)
        #expect(serial.report.dropped == parallel.report.dropped && serial.report.dropped > 0)
    }

    @Test func anExpandingPipelineNeverExceedsTheResponseLimit() throws {
        // About 5 MB of records, each made 600 bytes larger by the pipeline.
        let records = (0..<7000).map { TestBatch.record("r\($0)", json: #"{"user":"u\#($0)","time":"t","action":"view","pad":"\#(String(repeating: "p", count: 480))"}"#) }
        let event = TestBatch.event(records)
        #expect(event.count > 5_000_000)
        let large = String(repeating: "L", count: 600)
        let pipeline = try PipelineConfiguration.parse(#"[{"extract": {"username": "user", "action": "action"}}, {"set": {"blob": "\#(large)"}}]"#)
        let outcome = try BatchProcessor(pipeline: pipeline).process(event)
        #expect(outcome.response.count <= LambdaLimits.responseBytes)
        #expect(outcome.report.overBudget > 0 && outcome.report.ok > 0)
        #expect(outcome.report.ok + outcome.report.processingFailed == records.count)
        let results = try TestBatch.results(outcome.response)
        #expect(results.map(\.id) == records.map(\.id))
        // Admitted in order: every Ok comes before every demoted record, which keeps its data.
        let firstFailed = try #require(results.firstIndex { $0.result == "ProcessingFailed" })
        #expect(results[..<firstFailed].allSatisfy { $0.result == "Ok" && text($0.data).contains(large) })
        for (record, result) in zip(records[firstFailed...], results[firstFailed...]) {
            #expect(result.result == "ProcessingFailed" && result.rawData == record.data)
        }
    }

    @Test func emptyBatchesAndOneRecordBatchesWork() throws {
        #expect(text(try BatchProcessor(pipeline: .usernameTimestampAction).process(TestBatch.event([])).response) == #"{"records":[]}"#)
        let one = try BatchProcessor(pipeline: .usernameTimestampAction).process(TestBatch.event([TestBatch.record("x", json: "{}")]))
        #expect(try TestBatch.results(one.response).map(\.result) == ["Ok"])
    }

    /// One `TransformRecord` takes the batch's records in turn: nothing of one may reach the
    /// next (partition keys, the knowledge that the data is already compact JSON).
    @Test func aRecordCarriesNothingFromTheOneBefore() throws {
        struct RewriteFirst: RecordTransformer {
            func transform(_ record: inout TransformRecord) throws -> TransformDecision {
                if record.metadata.recordID == "a" {
                    record.setPartitionKey("k", "v")
                    record.writeObject { object, _ in object.add(JSONKey("y"), integer: 2) }
                }
                return .keep
            }
        }
        let outcome = try BatchProcessor(pipeline: Pipeline([RewriteFirst()])).process(TestBatch.event([
            TestBatch.record("a", json: "{}"), TestBatch.record("b", json: #"{ "x" : 1 }"#),
        ]))
        let results = try TestBatch.results(outcome.response)
        #expect(results.map(\.partitionKeys) == [["k": "v"], nil])
        #expect(results.map { text($0.data) } == [#"{"y":2}"# + "\n", #"{"x":1}"# + "\n"])
    }

    /// The one `TransformRecord` is moved from record to record: each must see its own metadata.
    @Test func eachRecordSeesItsOwnMetadata() throws {
        struct WriteMetadata: RecordTransformer {
            func transform(_ record: inout TransformRecord) throws -> TransformDecision {
                let metadata = record.metadata
                record.writeObject { object, _ in
                    object.add(JSONKey("id"), string: metadata.recordID)
                    object.add(JSONKey("arrival"), string: metadata.approximateArrivalTimestamp.map { "\($0)" } ?? "none")
                    object.add(JSONKey("shard"), string: metadata.shardID ?? "none")
                }
                return .keep
            }
        }
        let outcome = try BatchProcessor(pipeline: Pipeline([WriteMetadata()])).process(TestBatch.event([
            TestBatch.Record(id: "a", data: "e30=", arrival: 1, kinesis: #"{"shardId":"s-1"}"#),
            TestBatch.Record(id: "b", data: "e30=", arrival: nil),
            TestBatch.Record(id: "c", data: nil, arrival: 3),
            TestBatch.Record(id: "d", data: "e30=", arrival: 4, kinesis: #"{"shardId":"s-4"}"#),
        ], kinesisSource: true))
        #expect(try TestBatch.results(outcome.response).map { text($0.data) } == [
            #"{"id":"a","arrival":"1","shard":"s-1"}"# + "\n", #"{"id":"b","arrival":"none","shard":"none"}"# + "\n",
            "", #"{"id":"d","arrival":"4","shard":"s-4"}"# + "\n",
        ])
    }

    @Test func anInvalidDataStringFailsTheWholeEvent() throws {
        let event = TestBatch.event([TestBatch.record("a", json: "{}")])
        var broken = event
        let data = try #require(text(event).range(of: #""data":""#))
        broken.insert(0x01, at: text(event).utf8.distance(from: text(event).utf8.startIndex, to: data.upperBound))
        #expect(throws: FirehoseEventError.self) { try BatchProcessor(pipeline: .usernameTimestampAction).process(broken) }
    }

    @Test func metricsAreOneEmbeddedMetricFormatObject() throws {
        let outcome = try BatchProcessor(pipeline: .usernameTimestampAction).process(TestBatch.event([
            TestBatch.record("a", json: "{}"), TestBatch.record("b", json: "oops"),
        ]))
        let line = outcome.report.embeddedMetricFormat(namespace: "StreamingPipeline", functionName: "transform",
                                                        durationMilliseconds: 1.5, timestamp: 1_700_000_000_000)
        let object = try JSONObject(parsing: line)
        #expect(object.value(at: ["_aws", "Timestamp"])?.rawText == "1700000000000")
        let directive = try #require(object.value(at: ["_aws", "CloudWatchMetrics"])?.arrayValues?.first?.objectValue)
        #expect(directive["Namespace"]?.stringValue == "StreamingPipeline")
        #expect(directive["Dimensions"]?.rawText == #"[["FunctionName"]]"#)
        let names = try #require(directive["Metrics"]?.arrayValues).compactMap { $0.objectValue?["Name"]?.stringValue }
        for name in names { #expect(object[name]?.kind == .number, "metric \(name) needs a value") }
        #expect(object["RecordsIn"]?.rawText == "2" && object["RecordsOk"]?.rawText == "1" && object["RecordsProcessingFailed"]?.rawText == "1")
        #expect(object["FunctionName"]?.stringValue == "transform")
    }
}
