import ByteJSON
import LambdaRuntime

/// Firehose's transformation Lambda. For now it returns every record `Ok` and unchanged.
public struct FirehoseTransformHandler: LambdaHandler {
    public init(environment: LambdaEnvironment) throws {}

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let batch: JSONObject
        do {
            batch = try JSONObject(parsing: event)
        } catch {
            throw InvalidEventError("not a Firehose transformation event: \(error)")
        }
        guard let records = batch["records"]?.arrayValues else {
            throw InvalidEventError("not a Firehose transformation event: no \"records\" array")
        }
        var output = JSONWriter(capacity: event.count)
        output.append(raw: "{\"records\":[")
        for (index, record) in records.enumerated() {
            guard let fields = record.objectValue, let id = fields["recordId"], id.kind == .string,
                  let data = fields["data"], data.kind == .string else {
                throw InvalidEventError("record \(index) has no string \"recordId\" and \"data\"")
            }
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(raw: "{\"recordId\":")
            output.append(raw: id.rawBytes)
            output.append(raw: ",\"result\":\"Ok\",\"data\":")
            output.append(raw: data.rawBytes)
            output.append(UInt8(ascii: "}"))
        }
        output.append(raw: "]}")
        return output.bytes
    }
}
