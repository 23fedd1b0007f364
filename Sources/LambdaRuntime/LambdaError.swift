import ByteJSON

/// An error that chooses the `errorType` Lambda reports for it. Other errors are reported
/// under their Swift type name.
public protocol LambdaError: Error {
    /// What Lambda reports as `errorType`, e.g. `InvalidEvent`.
    var errorType: String { get }
    /// What Lambda reports as `errorMessage`.
    var errorMessage: String { get }
}

extension LambdaError where Self: CustomStringConvertible {
    /// The error's description.
    public var errorMessage: String { description }
}

/// The event could not be understood: the invocation fails, the function goes on.
public struct InvalidEventError: LambdaError, CustomStringConvertible {
    /// What is wrong with the event.
    public let description: String
    /// `InvalidEvent`.
    public var errorType: String { "InvalidEvent" }

    /// An error saying what is wrong with the event.
    public init(_ description: String) { self.description = description }
}

/// The function's configuration is unusable: reported as an init error, then the runtime exits.
public struct ConfigurationError: LambdaError, CustomStringConvertible {
    /// `Runtime.InvalidConfiguration`, for this error and any other a handler's factory throws.
    public static let errorType = "Runtime.InvalidConfiguration"

    /// What is wrong, naming the setting.
    public let description: String
    /// ``ConfigurationError/errorType``.
    public var errorType: String { ConfigurationError.errorType }

    /// An error naming the setting and what is wrong with it.
    public init(_ description: String) { self.description = description }
}

/// The body Lambda expects on `/error` and `/init/error`.
public struct ErrorResponse: Sendable, Equatable {
    /// The error's type, e.g. `InvalidEvent`.
    public var errorType: String
    /// The error's message.
    public var errorMessage: String

    /// A response with these fields.
    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    /// The response for `error`: a ``LambdaError`` chooses its type, others report their Swift type.
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
