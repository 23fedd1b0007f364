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

    /// The two branches of an `Fn::If` on `condition`.
    static func branches(_ value: Any?, on condition: String) throws -> (then: Any, else: Any) {
        let arguments = try #require((value as? [String: Any])?["Fn::If"] as? [Any], "not an Fn::If: \(String(describing: value))")
        try #require(arguments.count == 3 && arguments[0] as? String == condition)
        return (arguments[1], arguments[2])
    }

    /// A parameter's default, as a deployment that leaves it alone sees it.
    func defaultValue(of parameter: String) -> String? {
        switch parameters[parameter]?["Default"] {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    /// A function's environment variables with `Ref`s to parameters at their defaults (or `overrides`)
    /// and values that are absent under default conditions left out.
    func environment(of function: String, overrides: [String: String] = [:]) throws -> [String: String] {
        let variables = try #require(try properties(function)["Environment"].flatMap { ($0 as? [String: Any])?["Variables"] as? [String: Any] })
        var environment: [String: String] = [:]
        for (name, value) in variables {
            if let text = value as? String {
                environment[name] = text
            } else if let parameter = Template.ref(value), parameters[parameter] != nil {
                let resolved = try #require(overrides[parameter] ?? defaultValue(of: parameter), "\(parameter) has no default")
                environment[name] = resolved
            }
        }
        return environment
    }
}
