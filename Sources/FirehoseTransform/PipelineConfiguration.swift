import ByteJSON

/// `FIREHOSE_PIPELINE` is unusable; the message names the step and the reason.
public struct PipelineConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Builds a `Pipeline` from the JSON in `FIREHOSE_PIPELINE`: an array of steps, each an object
/// with one key naming the step. See the README for every step and its options.
public enum PipelineConfiguration {
    public static let stepNames = ["parse", "extract", "set", "rename", "remove", "filter", "partitionKeys", "format"]

    public static func parse(_ text: String, variable: String = "FIREHOSE_PIPELINE") throws(PipelineConfigurationError) -> Pipeline {
        let root: JSONValue
        do {
            root = try JSONValue(parsing: Array(text.utf8))
        } catch {
            throw PipelineConfigurationError(description: "\(variable) is not valid JSON: \(error)")
        }
        guard let steps = root.arrayValues else {
            throw PipelineConfigurationError(description: "\(variable) must be a JSON array of steps, like [{\"extract\": {\"username\": \"user\"}}]; found \(root.kind)")
        }
        var transformers: [any RecordTransformer] = []
        var format: OutputFormat?
        for (index, step) in steps.enumerated() {
            let number = index + 1
            guard let object = step.objectValue, object.count == 1 else {
                throw PipelineConfigurationError(description: "\(variable) step \(number): expected an object with exactly one key naming the step (one of \(stepNames.joined(separator: ", ")))")
            }
            let name = object.key(of: object.members[0])
            let options = object.value(of: object.members[0])
            let context = StepContext(description: "\(variable) step \(number) (\(name))")
            if format != nil {
                throw context.error("the format step must be the last step")
            }
            switch name {
            case "parse": transformers.append(try parseStep(options, context))
            case "extract": transformers.append(try extractStep(options, context))
            case "set": transformers.append(try setStep(options, context))
            case "rename": transformers.append(try renameStep(options, context))
            case "remove": transformers.append(try removeStep(options, context))
            case "filter": transformers.append(try filterStep(options, context))
            case "partitionKeys": transformers.append(try partitionKeysStep(options, context))
            case "format": format = try formatStep(options, context)
            default:
                throw PipelineConfigurationError(description: "\(variable) step \(number): unknown step \"\(name)\"; known steps: \(stepNames.joined(separator: ", "))")
            }
        }
        return Pipeline(transformers, format: format ?? .jsonLines)
    }

    struct StepContext {
        let description: String

        func error(_ reason: String) -> PipelineConfigurationError {
            PipelineConfigurationError(description: "\(description): \(reason)")
        }

        func object(_ value: JSONValue, _ what: String) throws(PipelineConfigurationError) -> JSONObject {
            guard let object = value.objectValue else { throw error("expected \(what), found \(value.kind)") }
            return object
        }

        /// Members as (name, value), refusing names outside `allowed` when given.
        func members(_ object: JSONObject, allowed: [String]? = nil) throws(PipelineConfigurationError) -> [(String, JSONValue)] {
            let members = object.members.map { (object.key(of: $0), object.value(of: $0)) }
            if let allowed, let unknown = members.first(where: { !allowed.contains($0.0) }) {
                throw error("unknown option \"\(unknown.0)\"; expected \(allowed.joined(separator: ", "))")
            }
            return members
        }

        /// A field path: `"a.b.c"`, or `["a.b", "c"]` when a key contains a dot.
        func path(_ value: JSONValue, for name: String) throws(PipelineConfigurationError) -> FieldPath {
            let components: [String]
            if let text = value.stringValue {
                components = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            } else if let array = value.arrayValues, !array.isEmpty {
                components = try array.map { element throws(PipelineConfigurationError) in
                    guard let text = element.stringValue else { throw error("\(name): path elements must be strings") }
                    return text
                }
            } else {
                throw error("\(name): expected a field path like \"user.id\" or [\"user\", \"id\"], found \(value.kind)")
            }
            guard !components.contains(where: \.isEmpty) else { throw error("\(name): empty field name in path \(value.rawText)") }
            return FieldPath(components)
        }

        func string(_ value: JSONValue, for name: String) throws(PipelineConfigurationError) -> String {
            guard let text = value.stringValue, !text.isEmpty else { throw error("\(name): expected a non-empty string, found \(value.rawText)") }
            return text
        }
    }

    static func parseStep(_ options: JSONValue, _ context: StepContext) throws(PipelineConfigurationError) -> ParseLog {
        let formats = ParseLog.Format.allCases.map(\.rawValue)
        guard let name = options.stringValue, let format = ParseLog.Format(rawValue: name) else {
            throw context.error("expected one of \(formats.map { "\"\($0)\"" }.joined(separator: ", ")), found \(options.rawText)")
        }
        return ParseLog(format)
    }

    static func extractStep(_ options: JSONValue, _ context: StepContext) throws(PipelineConfigurationError) -> Extract {
        let fields = try context.members(try context.object(options, "an object of output field to input path"))
        guard !fields.isEmpty else { throw context.error("name at least one field") }
        return Extract(try fields.map { name, path throws(PipelineConfigurationError) in (name, try context.path(path, for: name)) })
    }

    static func setStep(_ options: JSONValue, _ context: StepContext) throws(PipelineConfigurationError) -> SetFields {
        let fields = try context.members(try context.object(options, "an object of field to constant value"))
        guard !fields.isEmpty else { throw context.error("name at least one field") }
        return SetFields(fields.map { name, value in
            var compact = JSONWriter(capacity: value.range.count)
            compact.appendCompact(value)
            return (name, compact.bytes)
        })
    }

    static func renameStep(_ options: JSONValue, _ context: StepContext) throws(PipelineConfigurationError) -> RenameFields {
        let renames = try context.members(try context.object(options, "an object of old name to new name"))
        guard !renames.isEmpty else { throw context.error("name at least one field") }
        return RenameFields(try renames.map { from, to throws(PipelineConfigurationError) in (from, try context.string(to, for: from)) })
    }

    static func removeStep(_ options: JSONValue, _ context: StepContext) throws(PipelineConfigurationError) -> RemoveFields {
        guard let names = options.arrayValues, !names.isEmpty else {
            throw context.error("expected a non-empty array of field names, found \(options.rawText)")
        }
        return RemoveFields(try names.map { name throws(PipelineConfigurationError) in try context.string(name, for: "remove") })
    }

    static func filterStep(_ options: JSONValue, _ context: StepContext) throws(PipelineConfigurationError) -> Filter {
        let conditions = ["equals", "notEquals", "in", "notIn", "exists"]
        let members = try context.members(try context.object(options, "an object like {\"field\": \"action\", \"equals\": \"login\"}"),
                                          allowed: ["field"] + conditions)
        guard let field = members.first(where: { $0.0 == "field" })?.1 else { throw context.error("\"field\" is required") }
        let given = members.filter { conditions.contains($0.0) }
        guard given.count == 1, let (name, value) = given.first else {
            throw context.error("exactly one of \(conditions.joined(separator: ", ")) is required")
        }
        let path = try context.path(field, for: "field")
        func list() throws(PipelineConfigurationError) -> [JSONValue] {
            guard let values = value.arrayValues, !values.isEmpty else { throw context.error("\"\(name)\" needs a non-empty array of values") }
            return values
        }
        switch name {
        case "equals": return Filter(path, .equals(value))
        case "notEquals": return Filter(path, .notEquals(value))
        case "in": return Filter(path, .oneOf(try list()))
        case "notIn": return Filter(path, .noneOf(try list()))
        default:
            guard let flag = value.boolValue else { throw context.error("\"exists\" must be true or false") }
            return Filter(path, .exists(flag))
        }
    }

    static func partitionKeysStep(_ options: JSONValue, _ context: StepContext) throws(PipelineConfigurationError) -> PartitionKeys {
        let members = try context.members(try context.object(options, "an object with \"fields\" and/or \"time\""), allowed: ["fields", "time"])
        var fields: [(name: String, path: FieldPath)] = []
        var time: PartitionKeys.TimeSource?
        for (name, value) in members {
            if name == "fields" {
                let pairs = try context.members(try context.object(value, "\"fields\" as an object of key name to field path"))
                fields = try pairs.map { key, path throws(PipelineConfigurationError) in (key, try context.path(path, for: key)) }
                if let clash = fields.first(where: { ["year", "month", "day", "hour"].contains($0.name) }), members.contains(where: { $0.0 == "time" }) {
                    throw context.error("key \"\(clash.name)\" is also set by \"time\"")
                }
            } else if value.stringValue == "arrival" {
                time = .arrival
            } else if let object = value.objectValue {
                let timeMembers = try context.members(object, allowed: ["field", "unit"])
                guard let field = timeMembers.first(where: { $0.0 == "field" })?.1 else {
                    throw context.error("\"time\" needs a \"field\", or use \"time\": \"arrival\"")
                }
                var unit = PartitionKeys.EpochUnit.automatic
                if let unitValue = timeMembers.first(where: { $0.0 == "unit" })?.1 {
                    switch unitValue.stringValue {
                    case "s", "seconds": unit = .seconds
                    case "ms", "milliseconds": unit = .milliseconds
                    case "auto": unit = .automatic
                    default: throw context.error("\"unit\" must be \"s\", \"ms\" or \"auto\", found \(unitValue.rawText)")
                    }
                }
                time = .field(try context.path(field, for: "time.field"), unit: unit)
            } else {
                throw context.error("\"time\" must be \"arrival\" or {\"field\": \"…\"}, found \(value.rawText)")
            }
        }
        guard !fields.isEmpty || time != nil else { throw context.error("name \"fields\", \"time\" or both") }
        return PartitionKeys(fields: fields, time: time)
    }

    static func formatStep(_ options: JSONValue, _ context: StepContext) throws(PipelineConfigurationError) -> OutputFormat {
        switch options.stringValue {
        case "json", "jsonl", "jsonLines": return .jsonLines
        case "csv": return .csv(columns: nil, delimiter: UInt8(ascii: ","))
        case "raw": return .raw
        case nil: break
        case let other?: throw context.error("unknown format \"\(other)\"; expected \"json\", \"csv\" or \"raw\"")
        }
        let members = try context.members(try context.object(options, "\"json\", \"csv\", \"raw\" or {\"csv\": {…}}"), allowed: ["csv"])
        guard let csv = members.first?.1 else { throw context.error("expected {\"csv\": {\"columns\": […], \"delimiter\": \",\"}}") }
        let csvOptions = try context.members(try context.object(csv, "CSV options"), allowed: ["columns", "delimiter"])
        var columns: [FieldPath]?
        var delimiter = UInt8(ascii: ",")
        for (name, value) in csvOptions {
            if name == "columns" {
                guard let list = value.arrayValues, !list.isEmpty else { throw context.error("\"columns\" needs a non-empty array of field paths") }
                columns = try list.map { column throws(PipelineConfigurationError) in try context.path(column, for: "columns") }
            } else {
                guard let text = value.stringValue, text.utf8.count == 1, let byte = text.utf8.first,
                      byte != UInt8(ascii: "\""), byte != 0x0A, byte != 0x0D else {
                    throw context.error("\"delimiter\" must be one ASCII character other than a quote or newline")
                }
                delimiter = byte
            }
        }
        return .csv(columns: columns, delimiter: delimiter)
    }
}
