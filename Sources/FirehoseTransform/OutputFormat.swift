import ByteJSON

/// How records are written for the destination: the last step of every pipeline.
public enum OutputFormat: RecordTransformer {
    /// One compact JSON value per line (each record ends with `\n`), so Athena, Glue and Spark
    /// read one row per record from Firehose's concatenated output.
    case jsonLines
    /// One CSV row per record (RFC 4180 quoting), from a JSON object.
    case csv(columns: [FieldPath]?, delimiter: UInt8)
    /// The record's bytes as they are, with nothing added.
    case raw

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        switch self {
        case .raw:
            break
        case .jsonLines:
            if record.isCompactJSONObject {
                record.editBytes { $0.append(0x0A) }
                return .keep
            }
            let value: JSONValue
            do {
                value = try JSONValue(parsing: record.bytes)
            } catch {
                throw TransformFailure(TransformRecord.describe(error))
            }
            var line = JSONWriter(capacity: value.range.count + 1)
            line.appendCompact(value)
            line.append(0x0A)
            record.bytes = line.bytes
        case .csv(let columns, let delimiter):
            let object = try record.json()
            let values: [JSONValue?] = columns.map { $0.map { $0.value(in: object) } }
                ?? object.members.map { object.value(of: $0) }
            var row: [UInt8] = []
            row.reserveCapacity(object.range.count)
            for (index, value) in values.enumerated() {
                if index > 0 { row.append(delimiter) }
                OutputFormat.appendCSVField(value, delimiter: delimiter, to: &row)
            }
            row.append(0x0A)
            record.bytes = row
        }
        return .keep
    }

    /// Strings as their text, numbers and booleans as written, `null` or missing as empty,
    /// objects and arrays as compact JSON; quoted when they hold the delimiter, a quote or a newline.
    static func appendCSVField(_ value: JSONValue?, delimiter: UInt8, to row: inout [UInt8]) {
        guard let value, !value.isNull else { return }
        let text: [UInt8]
        switch value.kind {
        case .string:
            text = value.stringBytes ?? []
        case .object, .array:
            var writer = JSONWriter(capacity: value.range.count)
            writer.appendCompact(value)
            text = writer.bytes
        default:
            text = Array(value.rawBytes)
        }
        guard text.contains(where: { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else {
            row.append(contentsOf: text)
            return
        }
        row.append(UInt8(ascii: "\""))
        for byte in text {
            row.append(byte)
            if byte == UInt8(ascii: "\"") { row.append(byte) }
        }
        row.append(UInt8(ascii: "\""))
    }
}
