import FirehoseTransform
import Foundation
import LambdaRuntime
import Testing
@testable import PersonalData

/// A Firehose event of `records` (JSON texts), as Firehose sends it.
private func event(_ records: [String]) -> Data {
    let entries = records.enumerated().map { index, json in
        #"{"recordId":"r\#(index)","approximateArrivalTimestamp":1754561700000,"data":"\#(Data(json.utf8).base64EncodedString())"}"#
    }
    return Data(#"{"invocationId":"i","records":[\#(entries.joined(separator: ","))]}"#.utf8)
}

/// Each record's result and decoded data.
private func results(_ response: [UInt8]) throws -> [(result: String, data: String)] {
    let records = try #require(try JSONObject(parsing: response)["records"]?.arrayValues)
    return try records.map { record in
        let object = try #require(record.objectValue)
        let data = Data(base64Encoded: try #require(object["data"]?.stringValue)) ?? Data()
        return (try #require(object["result"]?.stringValue), String(decoding: data, as: UTF8.self))
    }
}

private func pipeline(_ configuration: String) throws(PipelineConfigurationError) -> Pipeline {
    try PipelineConfiguration.parse(configuration, steps: StepRegistry.builtIn.adding(RedactPersonalData.self))
}

@Suite struct RedactPersonalDataTests {
    @Test func redactsAddressesAndHashesIdsLeavingTheRestAsItCame() throws {
        let configuration = #"[{"redactPersonalData": {"emails": ["message"], "hash": ["user"], "salt": "pepper"}}]"#
        let input = #"{"user":"kimdh","message":"mail kim.dh+x@example.co.kr or lee@mail.example.com, not @here or a@b","n":1.50}"#
        let outcome = try BatchProcessor(pipeline: try pipeline(configuration)).process(event([input]))
        let output = try #require(try results(outcome.response).first)
        #expect(output.result == "Ok")
        let hash = "56ceb46d9f3f946f6957e5754289d3f8f42329a1b9fbf8acc055225fda828428" // sha256("pepperkimdh"), by Python's hashlib
        #expect(output.data == #"{"user":"\#(hash)","message":"mail ***@example.co.kr or ***@mail.example.com, not @here or a@b","n":1.50}"# + "\n")
    }

    @Test func aRecordWithoutTheFieldsPassesUnchangedAndABadOneFailsAlone() throws {
        let configuration = #"[{"redactPersonalData": {"hash": ["user"]}}]"#
        let outcome = try BatchProcessor(pipeline: try pipeline(configuration)).process(event([#"{"action":"view"}"#, "not json"]))
        let outputs = try results(outcome.response)
        #expect(outputs.map(\.result) == ["Ok", "ProcessingFailed"])
        #expect(outputs[0].data == #"{"action":"view"}"# + "\n")
        #expect(outputs[1].data == "not json", "a failed record carries its original data")
    }

    @Test(arguments: [
        (#"[{"redactPersonalData": {}}]"#, #"step 1 (redactPersonalData): name "emails", "hash" or both"#),
        (#"[{"redactPersonalData": {"emails": []}}]"#, #"step 1 (redactPersonalData): "emails" needs a non-empty array"#),
        (#"[{"redactPersonalData": {"hash": ["user"], "hash": ["id"]}}]"#, #"step 1 (redactPersonalData): duplicate key "hash""#),
        (#"[{"extract": {"u": "user"}}, {"redactPersonalData": {"mask": ["user"]}}]"#, #"step 2 (redactPersonalData): unknown option "mask""#),
    ])
    func badOptionsAreErrorsNamingTheStep(configuration: String, message: String) {
        #expect(throws: PipelineConfigurationError.self) { try pipeline(configuration) }
        do {
            _ = try pipeline(configuration)
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func theDefaultPipelineHashesTheUsername() async throws {
        let handler = try FirehoseTransformHandler(environment: LambdaEnvironment([:]), defaultPipeline: .redactedUserActivity)
        let context = LambdaContext(requestID: "r", deadlineEpochMilliseconds: .max / 2, invokedFunctionARN: "",
                                    environment: LambdaEnvironment([:]), logger: LambdaLogger(format: .text, sink: { _ in }))
        let response = try await handler.handle(event([#"{"user":"kimdh","time":"2025-08-07T10:15:00Z","action":"login"}"#]), context: context)
        let output = try #require(try results(response).first)
        let hash = "f9c0d3ead6ace5cf672ed9e036507802f387b2551e576700bb045899181ff7a2" // sha256("kimdh")
        #expect(output.data == #"{"username":"\#(hash)","timestamp":"2025-08-07T10:15:00Z","action":"login"}"# + "\n")
    }
}
