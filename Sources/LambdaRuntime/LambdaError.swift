import ByteJSON

/// An error that chooses the `errorType` Lambda reports for it. Other errors are reported
/// under their Swift type name.
public protocol LambdaError: Error {
    var errorType: String { get }
    var errorMessage: String { get }
}

extension LambdaError where Self: CustomStringConvertible {
    public var errorMessage: String { description }
}

/// The event could not be understood: the invocation fails, the function goes on.
public struct InvalidEventError: LambdaError, CustomStringConvertible {
    public let description: String
    public var errorType: String { "InvalidEvent" }

    public init(_ description: String) { self.description = description }
}

/// The function's configuration is unusable: reported as an init error, then the runtime exits.
public struct ConfigurationError: LambdaError, CustomStringConvertible {
    public let description: String
    public var errorType: String { "Runtime.InvalidConfiguration" }

    public init(_ description: String) { self.description = description }
}

/// The body Lambda expects on `/error` and `/init/error`.
public struct ErrorResponse: Sendable, Equatable {
    public var errorType: String
    public var errorMessage: String

    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    public init(_ error: any Error) {
        if let error = error as? any LambdaError {
            self.init(errorType: error.errorType, errorMessage: error.errorMessage)
        } else {
            self.init(errorType: String(describing: type(of: error)), errorMessage: String(describing: error))
        }
    }

    /// `{"errorMessage": …, "errorType": …}`
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: errorMessage.utf8.count + errorType.utf8.count + 32)
        writer.append(raw: "{\"errorMessage\":")
        writer.appendString(errorMessage)
        writer.append(raw: ",\"errorType\":")
        writer.appendString(errorType)
        writer.append(UInt8(ascii: "}"))
        return writer.bytes
    }
}
