import ByteJSON
import FirehoseCodec
import FirehoseTransform
import Foundation
import Testing

/// Builds Firehose events and reads responses for tests.
enum TestBatch {
    struct Record {
        var id: String
        var data: String?
        var arrival: Int64? = 1_754_561_700_000
        var kinesis: String? = nil
    }

    static func record(_ id: String, payload: [UInt8], arrival: Int64? = 1_754_561_700_000) -> Record {
        Record(id: id, data: Data(payload).base64EncodedString(), arrival: arrival)
    }

    static func record(_ id: String, json: String, arrival: Int64? = 1_754_561_700_000) -> Record {
        record(id, payload: Array(json.utf8), arrival: arrival)
    }

    static func event(_ records: [Record], kinesisSource: Bool = false) -> Data {
        var text = #"{"invocationId":"inv-1","deliveryStreamArn":"arn:aws:firehose:us-east-1:123456789012:deliverystream/test","region":"us-east-1","#
        if kinesisSource { text += #""sourceKinesisStreamArn":"arn:aws:kinesis:us-east-1:123456789012:stream/logs","# }
        text += #""records":["#
        for (index, record) in records.enumerated() {
            if index > 0 { text += "," }
            var fields = [#""recordId":"\#(record.id)""#]
            if let arrival = record.arrival { fields.append(#""approximateArrivalTimestamp":\#(arrival)"#) }
            if let data = record.data { fields.append(#""data":"\#(data)""#) }
            if let kinesis = record.kinesis { fields.append(#""kinesisRecordMetadata":\#(kinesis)"#) }
            text += "{" + fields.joined(separator: ",") + "}"
        }
        return Data((text + "]}").utf8)
    }

    struct Result: Equatable {
        let id: String
        let result: String
        let data: [UInt8]
        let rawData: String
        let partitionKeys: [String: String]?
    }

    static func results(_ response: [UInt8]) throws -> [Result] {
        let object = try JSONObject(parsing: response)
        return try (object["records"]?.arrayValues ?? []).map { value in
            let record = try #require(value.objectValue)
            let rawData = try #require(record["data"]?.stringValue)
            var keys: [String: String]?
            if let partition = record.value(at: ["metadata", "partitionKeys"])?.objectValue {
                keys = Dictionary(uniqueKeysWithValues: partition.members.map { (partition.key(of: $0), partition.value(of: $0).stringValue ?? "") })
            }
            return Result(id: try #require(record["recordId"]?.stringValue), result: try #require(record["result"]?.stringValue),
                          data: Array(Data(base64Encoded: rawData) ?? Data()), rawData: rawData, partitionKeys: keys)
        }
    }

    /// Runs `pipeline` (the seeds' by default) over one record's payload.
    static func transform(_ payload: [UInt8], pipeline: Pipeline = .usernameTimestampAction) throws -> Result {
        let event = event([record("r", payload: payload)])
        return try #require(try results(BatchProcessor(pipeline: pipeline).process(event).response).first)
    }

    static func transform(json: String, pipeline: Pipeline = .usernameTimestampAction) throws -> Result {
        try transform(Array(json.utf8), pipeline: pipeline)
    }
}

func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
