import Foundation

/// An HTTP response as the package's clients read it: the Runtime API's and EMR's alike.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header values keyed by lowercased name.
    public var headers: [String: String]
    /// The body, as the transport received it: a 6 MB event is not copied again.
    public var body: Data

    /// A response; header names may be in any case.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    /// The value of header `name` (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
