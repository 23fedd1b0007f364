#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one thing the runtime asks of a function: turn an event's bytes into a response's bytes.
public protocol LambdaHandler: Sendable {
    /// Handles one invocation: `event` is the body as the transport received it, not copied
    /// (a Firehose batch can be 6 MB). Throwing reports an invocation error (an ``LambdaError``
    /// chooses its `errorType`); the runtime then goes on to the next event.
    func handle(_ event: Data, context: LambdaContext) async throws -> [UInt8]
}

/// A handler that speaks `Codable` types; the adapter decodes the event and encodes the result.
public protocol CodableLambdaHandler: LambdaHandler {
    /// The event's type; an event that does not decode is an ``InvalidEventError``.
    associatedtype Event: Decodable
    /// The response's type, encoded as JSON with sorted keys.
    associatedtype Output: Encodable
    /// Handles one decoded event.
    func handle(_ event: Event, context: LambdaContext) async throws -> Output
}

extension CodableLambdaHandler {
    /// Decodes the event, calls ``handle(_:context:)-(Event,_)``, and encodes its output.
    public func handle(_ event: Data, context: LambdaContext) async throws -> [UInt8] {
        let decoded: Event
        do {
            decoded = try JSONDecoder().decode(Event.self, from: event)
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
