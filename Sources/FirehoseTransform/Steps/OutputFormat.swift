import ByteJSON

/// How records are written for the destination: the last step of every pipeline.
public enum OutputFormat: ConfigurableTransformer {
    /// `{"format": "csv"}`; always the last step.
    public static let stepName = "format"

    /// One compact JSON value per line (each record ends with `\n`), so Athena, Glue and Spark
    /// read one row per record from Firehose's concatenated output.
    case jsonLines
    /// One CSV row per record (RFC 4180 quoting), from a JSON object.
    case csv(columns: [FieldPath]?, delimiter: UInt8)
    /// The record's bytes as they are, with nothing added.
    case raw

    /// `"json"`, `"csv"`, `"raw"` or `{"csv": {"columns": […], "delimiter": ";"}}`.
    public init(options: StepOptions) throws(PipelineConfigurationError) {
        switch options.value.stringValue {
        case "json", "jsonl", "jsonLines": self = .jsonLines; return
        case "csv": self = .csv(columns: nil, delimiter: UInt8(ascii: ",")); return
        case "raw": self = .raw; return
        case nil: break
        case let other?: throw options.error("unknown format \"\(other)\"; expected \"json\", \"csv\" or \"raw\"")
        }
        let members = try options.members(of: try options.object("\"json\", \"csv\", \"raw\" or {\"csv\": {…}}"), allowed: ["csv"])
        guard let csv = members.first?.value else { throw options.error("expected {\"csv\": {\"columns\": […], \"delimiter\": \",\"}}") }
        var columns: [FieldPath]?
        var delimiter = UInt8(ascii: ",")
        for (name, value) in try options.members(of: try options.object("CSV options", of: csv), allowed: ["columns", "delimiter"]) {
            if name == "columns" {
                guard let list = value.arrayValues, !list.isEmpty else { throw options.error("\"columns\" needs a non-empty array of field paths") }
                columns = try list.map { column throws(PipelineConfigurationError) in try options.path(column, for: "columns") }
            } else {
                guard let text = value.stringValue, text.utf8.count == 1, let byte = text.utf8.first,
                      byte != UInt8(ascii: "\""), byte != 0x0A, byte != 0x0D else {
                    throw options.error("\"delimiter\" must be one ASCII character other than a quote or newline")
                }
                delimiter = byte
            }
        }
        self = .csv(columns: columns, delimiter: delimiter)
    }

    public func transform(_ record: inout TransformRecord) throws -> TransformDecision {
        switch self {
        case .raw:
            break
        case .jsonLines:
            if record.isCompactJSONObject {
                record.append(0x0A)
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
