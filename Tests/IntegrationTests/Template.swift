import Foundation
import Testing

/// template.json as plain JSON values, with helpers to walk it the way CloudFormation reads it.
struct Template {
    let root: [String: Any]

    init() throws {
        let data = try Data(contentsOf: Harness.packageRoot.appendingPathComponent("template.json"))
        root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    var resources: [String: [String: Any]] { root["Resources"] as? [String: [String: Any]] ?? [:] }
    var parameters: [String: [String: Any]] { root["Parameters"] as? [String: [String: Any]] ?? [:] }
    var outputs: [String: [String: Any]] { root["Outputs"] as? [String: [String: Any]] ?? [:] }

    func resources(ofType type: String) -> [(name: String, body: [String: Any])] {
        resources.filter { $0.value["Type"] as? String == type }.map { ($0.key, $0.value) }.sorted { $0.name < $1.name }
    }

    func properties(_ resource: String) throws -> [String: Any] {
        try #require(resources[resource]?["Properties"] as? [String: Any], "no resource \(resource) with properties")
    }

    /// A value's `Ref` target, or nil when it is not a `{"Ref": …}`.
    static func ref(_ value: Any?) -> String? { (value as? [String: Any])?["Ref"] as? String }

    /// A value's `Fn::GetAtt` as "Resource.Attribute".
    static func getAtt(_ value: Any?) -> String? {
        ((value as? [String: Any])?["Fn::GetAtt"] as? [String]).map { $0.joined(separator: ".") }
    }

    /// A value's `Fn::Sub` template: the string of `{"Fn::Sub": "…"}` or of `{"Fn::Sub": ["…", {…}]}`.
    static func sub(_ value: Any?) -> String? {
        let argument = (value as? [String: Any])?["Fn::Sub"]
        return (argument as? String) ?? ((argument as? [Any])?.first as? String)
    }

    /// The variables of an `{"Fn::Sub": ["…", {variables}]}`; empty for the one-string form.
    static func subVariables(_ value: Any?) -> [String: Any] {
        (((value as? [String: Any])?["Fn::Sub"] as? [Any])?.last as? [String: Any]) ?? [:]
    }

    /// The two branches of an `Fn::If` on `condition`.
    static func branches(_ value: Any?, on condition: String) throws -> (then: Any, else: Any) {
        let arguments = try #require((value as? [String: Any])?["Fn::If"] as? [Any], "not an Fn::If: \(String(describing: value))")
        try #require(arguments.count == 3 && arguments[0] as? String == condition)
        return (arguments[1], arguments[2])
    }

    /// How a test names a value: a `Ref`'s target, or `Condition ? a : b` for an `Fn::If`.
    static func describe(_ value: Any?) -> String {
        if let target = ref(value) { return target }
        if let arguments = (value as? [String: Any])?["Fn::If"] as? [Any], arguments.count == 3, let condition = arguments[0] as? String {
            return "\(condition) ? \(describe(arguments[1])) : \(describe(arguments[2]))"
        }
        if let text = value as? String { return text }
        return String(describing: value)
    }

    /// A parameter's default, as a deployment that leaves it alone sees it.
    func defaultValue(of parameter: String) -> String? {
        switch parameters[parameter]?["Default"] {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    /// Every condition of the template, evaluated for a deployment with these parameter values
    /// (`overrides`) and the defaults for the others.
    func conditions(_ overrides: [String: String] = [:]) throws -> [String: Bool] {
        let definitions = root["Conditions"] as? [String: Any] ?? [:]
        var values: [String: Bool] = [:]
        for name in definitions.keys {
            values[name] = try evaluate(condition: name, definitions, overrides)
        }
        return values
    }

    private func evaluate(condition name: String, _ definitions: [String: Any], _ overrides: [String: String]) throws -> Bool {
        try evaluate(try #require(definitions[name], "no condition \(name)"), definitions, overrides)
    }

    private func evaluate(_ expression: Any, _ definitions: [String: Any], _ overrides: [String: String]) throws -> Bool {
        let object = try #require(expression as? [String: Any], "not a condition: \(expression)")
        try #require(object.count == 1, "not a condition: \(object)")
        let (function, argument) = (object.keys.first!, object.values.first!)
        let arguments = argument as? [Any] ?? []
        switch function {
        case "Fn::Equals":
            try #require(arguments.count == 2, "Fn::Equals takes two values: \(arguments)")
            return try scalar(arguments[0], overrides) == scalar(arguments[1], overrides)
        case "Fn::Not":
            return try !evaluate(try #require(arguments.first), definitions, overrides)
        case "Fn::And":
            return try arguments.allSatisfy { try evaluate($0, definitions, overrides) }
        case "Fn::Or":
            return try arguments.contains { try evaluate($0, definitions, overrides) }
        case "Condition":
            return try evaluate(condition: try #require(argument as? String), definitions, overrides)
        default:
            throw HarnessError(description: "a condition function these tests do not evaluate: \(function)")
        }
    }

    /// A literal string, or a parameter's value.
    private func scalar(_ value: Any, _ overrides: [String: String]) throws -> String {
        if let text = value as? String { return text }
        let parameter = try #require(Template.ref(value), "neither a string nor a Ref: \(value)")
        return try #require(overrides[parameter] ?? defaultValue(of: parameter), "\(parameter) has no value")
    }

    /// `value` as CloudFormation reads it under `conditions`: every `Fn::If` replaced by the branch
    /// its condition picks, and every `{"Ref": "AWS::NoValue"}` left out (nil for the value itself).
    static func resolved(_ value: Any, _ conditions: [String: Bool]) throws -> Any? {
        if let object = value as? [String: Any] {
            if object.count == 1, let arguments = object["Fn::If"] as? [Any] {
                try #require(arguments.count == 3, "Fn::If takes three values: \(arguments)")
                let condition = try #require(arguments[0] as? String)
                let holds = try #require(conditions[condition] as Bool?, "no condition \(condition)")
                return try resolved(holds ? arguments[1] : arguments[2], conditions)
            }
            if object.count == 1, ref(object) == "AWS::NoValue" { return nil }
            var result: [String: Any] = [:]
            for (key, member) in object {
                result[key] = try resolved(member, conditions)
            }
            return result
        }
        if let array = value as? [Any] {
            return try array.compactMap { try resolved($0, conditions) }
        }
        return value
    }

    /// Whether `resource` exists under `conditions`: it has no `Condition`, or one that holds.
    func exists(_ resource: String, _ conditions: [String: Bool]) -> Bool {
        guard let body = resources[resource] else { return false }
        guard let condition = body["Condition"] as? String else { return true }
        return conditions[condition] == true
    }

    /// The statements of every inline policy of a role's properties.
    static func statements(of role: [String: Any]) -> [[String: Any]] {
        (role["Policies"] as? [[String: Any]] ?? []).flatMap {
            ($0["PolicyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]] ?? []
        }
    }

    /// A statement's actions, whether written as one string or a list.
    static func actions(of statement: [String: Any]) -> [String] {
        (statement["Action"] as? [String]) ?? [(statement["Action"] as? String) ?? ""]
    }

    /// A statement's resources, whether written as one value or a list.
    static func resourceValues(of statement: [String: Any]) -> [Any] {
        (statement["Resource"] as? [Any]) ?? statement["Resource"].map { [$0] } ?? []
    }

    /// A function's environment variables as the function sees them: conditions decided for
    /// `overrides` (defaults otherwise), `Ref`s to parameters resolved the same way, and values
    /// that are absent, or that name a resource, left out.
    func environment(of function: String, overrides: [String: String] = [:]) throws -> [String: String] {
        let declared = try #require(try properties(function)["Environment"], "\(function) has no environment")
        let decided = try #require(try Template.resolved(declared, try self.conditions(overrides)) as? [String: Any])
        let variables = try #require(decided["Variables"] as? [String: Any])
        var values: [String: String] = [:]
        for (name, value) in variables {
            if let text = value as? String {
                values[name] = text
            } else if let parameter = Template.ref(value), parameters[parameter] != nil {
                guard let given = overrides[parameter] ?? defaultValue(of: parameter) else {
                    throw HarnessError(description: "\(parameter) has no default")
                }
                values[name] = given
            }
        }
        return values
    }
}
