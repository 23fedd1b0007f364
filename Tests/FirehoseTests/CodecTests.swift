import ByteJSON
import FirehoseTransform
import Foundation
import LambdaRuntime
import Testing
@testable import FirehoseCodec

@Suite struct Base64Tests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == Array(encoded.utf8))
        #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
    }

    @Test func roundTripsEveryLengthAndByte() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(bytes)
            #expect(encoded == Array(Data(bytes).base64EncodedString().utf8))
            #expect(Base64.decode(encoded) == bytes)
        }
        let all = Array(0...255).map(UInt8.init)
        #expect(Base64.decode(Base64.encode(all)) == all)
    }

    @Test(arguments: ["Zg", "Zg=", "Zm9", "Z===", "====", "Zm=v", "Zg==Zg==", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v",
                      "Zm9v!", "Zm\u{e9}v", "A", "AB=C"])
    func rejectsInvalidInput(encoded: String) {
        #expect(Base64.decode(Array(encoded.utf8)) == nil, "accepted \(encoded.debugDescription)")
    }

    /// Groups are decoded four, then one at a time: a bad character is caught at any position.
    @Test func rejectsABadCharacterAnywhere() {
        let valid = Base64.encode((0..<72).map { UInt8($0) })
        for position in valid.indices {
            // (`=` last is padding, which is valid.)
            for bad: UInt8 in [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: " "), 0x80, UInt8(ascii: "=")]
            where bad != UInt8(ascii: "=") || position < valid.count - 1 {
                var encoded = valid
                encoded[position] = bad
                #expect(Base64.decode(encoded) == nil, "accepted \(bad) at \(position)")
            }
        }
    }

    @Test func acceptsNonZeroPaddingBitsLikeMostDecoders() {
        #expect(Base64.decode(Array("Zh==".utf8)) == Array("f".utf8))
    }
}

@Suite struct FirehoseEventTests {
    @Test func readsTheEnvelopeAndRecords() throws {
        let event = try FirehoseEvent(parsing: TestBatch.event([
            TestBatch.record("a", json: "{}", arrival: 1_495_072_949_453),
            TestBatch.Record(id: "b", data: "eyJ4IjoxfQ==", arrival: nil,
                             kinesis: #"{"shardId":"shardId-000000000003","partitionKey":"user-7","approximateArrivalTimestamp":1495072949453,"sequenceNumber":"49546986683135544286507457936321625675700192471156785154","subsequenceNumber":0}"#),
        ], kinesisSource: true))
        #expect(event.invocationID == "inv-1")
        #expect(event.deliveryStreamARN == "arn:aws:firehose:us-east-1:123456789012:deliverystream/test")
        #expect(event.region == "us-east-1")
        #expect(event.sourceKinesisStreamARN == "arn:aws:kinesis:us-east-1:123456789012:stream/logs")
        #expect(event.records.count == 2)
        let first = event.metadata(ofRecord: 0)
        #expect(first.recordID == "a")
        #expect(first.approximateArrivalTimestamp == 1_495_072_949_453)
        #expect(first.kinesis == nil)
        let second = event.metadata(ofRecord: 1)
        #expect(second.approximateArrivalTimestamp == nil)
        #expect(second.shardID == "shardId-000000000003")
        #expect(second.partitionKey == "user-7")
        #expect(second.sequenceNumber == "49546986683135544286507457936321625675700192471156785154")
        #expect(second.subsequenceNumber == "0")
        #expect(try event.data(ofRecord: 1) == .bytes(Array(#"{"x":1}"#.utf8)))
    }

    @Test func envelopeKeysMayBeEscaped() throws {
        let event = try FirehoseEvent(parsing: Data(#"{"\u0072ecords":[{"recordI\u0064":"a","d\u0061ta":"eyJ4IjoxfQ=="}]}"#.utf8))
        #expect(event.metadata(ofRecord: 0).recordID == "a")
        #expect(try event.data(ofRecord: 0) == .bytes(Array(#"{"x":1}"#.utf8)))
    }

    /// The runtime hands over the `Data` URLSession delivered, which may be a slice: ranges count
    /// from its first byte, not from index 0.
    @Test func readsAnEventFromADataSlice() throws {
        let whole = Data("prefix".utf8) + TestBatch.event([
            TestBatch.record("a", json: #"{"user":"kim","time":"t","action":"view"}"#, arrival: 1_495_072_949_453),
            TestBatch.Record(id: "b", data: "eyJ4IjoxfQ==", kinesis: #"{"shardId":"shardId-000000000003"}"#),
        ])
        let slice = whole[6...]
        #expect(slice.startIndex == 6)
        let event = try FirehoseEvent(parsing: slice)
        #expect(event.metadata(ofRecord: 0).recordID == "a")
        #expect(event.metadata(ofRecord: 0).approximateArrivalTimestamp == 1_495_072_949_453)
        #expect(event.metadata(ofRecord: 1).shardID == "shardId-000000000003")
        #expect(try event.data(ofRecord: 1) == .bytes(Array(#"{"x":1}"#.utf8)))
        let results = try TestBatch.results(BatchProcessor(pipeline: .usernameTimestampAction).process(slice).response)
        #expect(results.map(\.id) == ["a", "b"])
        #expect(text(results[0].data) == #"{"username":"kim","timestamp":"t","action":"view"}"# + "\n")
        #expect(text(results[1].data) == #"{"username":null,"timestamp":null,"action":null}"# + "\n")
    }

    @Test(arguments: [
        ("", "unexpected end"), ("[]", "an array, not an object"), ("{}", "no \"records\" array"),
        (#"{"records":{}}"#, "\"records\" is an object, not an array"), (#"{"records":[1]}"#, "record 0 is a number"),
        (#"{"records":[{"data":"eA=="}]}"#, "record 0 has no recordId"), (#"{"records":[{"recordId":7}]}"#, "recordId that is a number"),
        (#"{"records":[]} x"#, "unexpected content"), (#"{"records":[{"recordId":"a","data":"x\u0001"}]"#, "unexpected end"),
    ])
    func rejectsWhatIsNotABatch(text: String, reason: String) {
        do {
            _ = try FirehoseEvent(parsing: Data(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix("not a Firehose transformation event: "))
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    /// Records written as Firehose writes them take a shorter path than others; a space after
    /// the record's `{` sends the same record down the general one. Both must agree.
    @Test(arguments: [
        #"{"recordId":"a","approximateArrivalTimestamp":1495072949453,"data":"eyJ4IjoxfQ=="}"#,
        #"{"recordId":"b","data":"eyJ4IjoxfQ==","kinesisRecordMetadata":{"shardId":"shardId-000000000003","subsequenceNumber":0}}"#,
        #"{"recordId":"a\"b\u0063","data":"eA=="}"#, #"{"data":"eA==","recordId":"a","recordId":"b","data":"eQ=="}"#,
        #"{"recordId":"a","approximateArrivalTimestamp":"soon"}"#, #"{"recordId":"a","approximateArrivalTimestamp":-1.5e3,"data":null}"#,
        #"{"recordId":"a","approximateArrivalTimestamp":01}"#, #"{"recordId":"a","data":"eA==","extra":{"x":[1,2]}}"#,
        #"{"recordId":"a","kinesisRecordMetadata":7}"#, #"{"recordId":"a","data":"+\/8="}"#, #"{"recordId":"a","data":"eA==" }"#,
        #"{"recordId":"a","data":"\"x"}"#, #"{"recordId":7}"#, #"{"recordId":"a","data":"eA==",}"#, #"{"recordId":"a","data":"eA=="}"#,
        #"{"recordId":"a","data":"eA=="#, #"{"recordId":"a","approximateArrivalTimestamp":1"#, #"{"recordId":"a""#, #"{"recordI"#,
        #"{"data":"eA=="}"#, #"{"recordId":"a","kinesisRecordMetadata":{"shardId":}}"#, "{}", "{",
    ])
    func compactRecordsReadAsAnyOther(record: String) {
        func read(_ record: String) -> String {
            do {
                let event = try FirehoseEvent(parsing: Data((#"{"records":["# + record + "]}").utf8))
                let metadata = event.metadata(ofRecord: 0)
                let data = (try? event.data(ofRecord: 0)).map { "\($0)" } ?? "invalid"
                return "\(metadata.recordID) \(metadata.approximateArrivalTimestamp as Any) \(metadata.shardID as Any) "
                    + "\(metadata.subsequenceNumber as Any) \(data)"
            } catch {
                return "rejected"
            }
        }
        #expect(read(record) == read("{ " + record.dropFirst()))
    }

    @Test func aBadDataFieldIsTheRecordsProblemNotTheBatchs() throws {
        let event = try FirehoseEvent(parsing: Data(#"{"records":[{"recordId":"a"},{"recordId":"b","data":null},{"recordId":"c","data":"!!"}]}"#.utf8))
        #expect(try event.data(ofRecord: 0) == .missing)
        #expect(try event.data(ofRecord: 1) == .notAString(.null))
        #expect(try event.data(ofRecord: 2) == .notBase64)
    }

    @Test func dataWithEscapedSlashesDecodes() throws {
        // Some JSON encoders write "/" as "\/"; "+/8=" is base64 for [0xFB, 0xFF].
        let event = try FirehoseEvent(parsing: Data(#"{"records":[{"recordId":"a","data":"+\/8="},{"recordId":"b","data":"\"x"}]}"#.utf8))
        #expect(try event.data(ofRecord: 0) == .bytes([0xFB, 0xFF]))
        #expect(try event.data(ofRecord: 1) == .notBase64)
    }

    @Test func aDataStringThatIsInvalidJSONFailsTheEventWhenRead() throws {
        let event = try FirehoseEvent(parsing: Data(#"{"records":[{"recordId":"a","data":"ab"#.utf8) + [0x01] + Data(#"cd"}]}"#.utf8))
        #expect(throws: FirehoseEventError.self) { try event.data(ofRecord: 0) }
    }
}

@Suite struct ResponseTests {
    private func encode(_ event: FirehoseEvent, _ results: [RecordResult], output: [UInt8] = [], limit: Int = LambdaLimits.responseBytes) -> FirehoseResponse.Encoded {
        FirehoseResponse.encode(event, results: results, output: output, limit: limit)
    }

    @Test func writesEveryRecordInOrderWithExactSizes() throws {
        let event = try FirehoseEvent(parsing: TestBatch.event([
            TestBatch.record("one", json: "{}"), TestBatch.record("two", json: "[]"), TestBatch.record("three", json: "1"),
        ]))
        let output = Array("hello{\"partitionKeys\":{\"a\":\"b\"}}".utf8)
        let encoded = encode(event, [.ok(data: 0..<5, metadata: 5..<output.count), .dropped, .processingFailed], output: output)
        let results = try TestBatch.results(encoded.bytes)
        #expect(results.map(\.id) == ["one", "two", "three"])
        #expect(results.map(\.result) == ["Ok", "Dropped", "ProcessingFailed"])
        #expect(text(results[0].data) == "hello")
        #expect(results[0].partitionKeys == ["a": "b"])
        #expect(text(results[1].data) == "[]")
        #expect(text(results[2].data) == "1")
        let sizes = zip(event.records, [RecordResult.ok(data: 0..<5, metadata: 5..<output.count), .dropped, .processingFailed])
            .map { FirehoseResponse.entrySize($0, $1) }
        #expect(encoded.bytes.count == 14 + 2 + sizes.reduce(0, +))
    }

    @Test func recordsThatDoNotFitReturnAsProcessingFailedWithTheirOriginalData() throws {
        let records = (0..<10).map { TestBatch.record("r\($0)", json: #"{"n":\#($0)}"#) }
        let event = try FirehoseEvent(parsing: TestBatch.event(records))
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 3000)
        let results = (0..<10).map { _ in RecordResult.ok(data: 0..<big.count, metadata: nil) }
        let fallback = encode(event, Array(repeating: .processingFailed, count: 10)).bytes.count
        let limit = fallback + 2 * (Base64.encodedCount(of: 3000) + 2 - 16 - 12)
        let encoded = encode(event, results, output: big, limit: limit)
        #expect(encoded.bytes.count <= limit)
        #expect(encoded.overBudget == 8)
        let decoded = try TestBatch.results(encoded.bytes)
        #expect(decoded.map(\.id) == (0..<10).map { "r\($0)" })
        #expect(decoded.prefix(2).allSatisfy { $0.result == "Ok" && $0.data == big })
        for (index, record) in decoded.enumerated().dropFirst(2) {
            #expect(record.result == "ProcessingFailed")
            #expect(text(record.data) == #"{"n":\#(index)}"#)
        }
    }

    @Test func shrinkingRecordsAlwaysFitEvenWhenTheOriginalsWouldNot() throws {
        let records = (0..<4).map { TestBatch.record("r\($0)", payload: Array(repeating: 0x41, count: 3000)) }
        let event = try FirehoseEvent(parsing: TestBatch.event(records))
        let fallback = encode(event, Array(repeating: .processingFailed, count: 4)).bytes.count
        let encoded = encode(event, Array(repeating: .ok(data: 0..<1, metadata: nil), count: 4), output: [0x42], limit: fallback - 100)
        #expect(encoded.overBudget == 0 && encoded.fits)
        #expect(try TestBatch.results(encoded.bytes).allSatisfy { $0.result == "Ok" && $0.data == [0x42] })
    }
}
