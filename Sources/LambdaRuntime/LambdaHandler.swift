#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one thing the runtime asks of a function: turn an event's bytes into a response's bytes.
/// Throwing reports an invocation error; the runtime then goes on to the next event.
public protocol LambdaHandler: Sendable {
    func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8]
}

/// A handler that speaks `Codable` types; the adapter decodes the event and encodes the result.
public protocol CodableLambdaHandler: LambdaHandler {
    associatedtype Event: Decodable
    associatedtype Output: Encodable
    func handle(_ event: Event, context: LambdaContext) async throws -> Output
}

extension CodableLambdaHandler {
    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let decoded: Event
        do {
            decoded = try JSONDecoder().decode(Event.self, from: Data(event))
        } catch {
            throw InvalidEventError("event is not a valid \(Event.self): \(DecodingErrorDescription(error))")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(try await handle(decoded, context: context)))
    }
}

/// A one-line account of a `DecodingError`, naming the path that failed.
struct DecodingErrorDescription: CustomStringConvertible {
    let error: any Error

    init(_ error: any Error) { self.error = error }

    var description: String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path.hasPrefix(".") ? String(path.dropFirst()) : path)"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key \"\(key.stringValue)\"\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription)\(path(context))"
        @unknown default: return String(describing: error)
        }
    }
}

/// The handlers one binary can serve, chosen at start-up by `_HANDLER`.
public struct HandlerCatalog: Sendable {
    /// Builds a handler from the function's environment; throws when its configuration is invalid.
    public typealias Factory = @Sendable (LambdaEnvironment) throws -> any LambdaHandler

    public let entries: [(name: String, make: Factory)]

    public init(_ entries: [(name: String, make: Factory)]) {
        self.entries = entries
    }

    public var names: [String] { entries.map(\.name) }

    /// The handler named `name`, built from `environment`.
    public func makeHandler(named name: String?, environment: LambdaEnvironment) throws -> any LambdaHandler {
        let known = names.joined(separator: ", ")
        guard let name else {
            throw NoSuchHandlerError(description: "_HANDLER is not set; set it to one of: \(known)")
        }
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw NoSuchHandlerError(description: "unknown handler \"\(name)\" (from _HANDLER); known handlers: \(known)")
        }
        do {
            return try entry.make(environment)
        } catch let error as any LambdaError {
            throw InitError(errorType: error.errorType, description: "handler \"\(name)\": \(error.errorMessage)")
        } catch {
            throw InitError(errorType: "Runtime.InvalidConfiguration", description: "handler \"\(name)\": \(error)")
        }
    }
}

struct NoSuchHandlerError: LambdaError, CustomStringConvertible {
    let description: String
    var errorType: String { "Runtime.NoSuchHandler" }
}

/// A handler's factory failed; the message says which handler.
struct InitError: LambdaError, CustomStringConvertible {
    let errorType: String
    let description: String
}
