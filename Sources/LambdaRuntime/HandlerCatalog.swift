/// The handlers one binary can serve, chosen at start-up by `_HANDLER`.
///
/// ```swift
/// let handlers: HandlerCatalog = [
///     .firehoseTransform(),
///     HandlerCatalog.Entry("echo") { _ in EchoHandler() },
/// ]
/// ```
public struct HandlerCatalog: Sendable, ExpressibleByArrayLiteral {
    /// One handler, by the `_HANDLER` name it is deployed with.
    public struct Entry: Sendable {
        /// Builds a handler from the function's environment; throws when its configuration is invalid.
        public typealias Factory = @Sendable (LambdaEnvironment) throws -> any LambdaHandler

        /// The `_HANDLER` value that selects this handler.
        public let name: String
        /// Builds the handler once, at start-up.
        public let make: Factory

        /// A handler named `name`, built by `make`.
        public init(_ name: String, make: @escaping Factory) {
            self.name = name
            self.make = make
        }
    }

    /// The entries, in order; the first with a name wins.
    public let entries: [Entry]

    /// A catalog of `entries`.
    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// A catalog written as an array literal of entries.
    public init(arrayLiteral entries: Entry...) {
        self.init(entries)
    }

    /// The same catalog with `entry` added, or put in place of the entry of the same name.
    public func adding(_ entry: Entry) -> HandlerCatalog {
        HandlerCatalog(entries.filter { $0.name != entry.name } + [entry])
    }

    /// Every handler name, in order.
    public var names: [String] { entries.map(\.name) }

    /// The handler named `name`, built from `environment`. Throws an error that names the
    /// handler: `Runtime.NoSuchHandler` for an unknown name, the factory's error type otherwise.
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
            throw InitError(errorType: ConfigurationError.errorType, description: "handler \"\(name)\": \(error)")
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
