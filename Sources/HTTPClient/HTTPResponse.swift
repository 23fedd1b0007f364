import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP response as the package's clients read it: the Runtime API's and EMR's alike.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The body, as the transport received it: a 6 MB event is not copied again.
    public var body: Data
    private let fields: Fields

    /// Where the header fields are: read from URLSession's response only when asked for, since
    /// copying them all out costs more than the few a client reads.
    private enum Fields: Sendable {
        /// Keyed by lowercased name.
        case lowercased([String: String])
        case foundation(HTTPURLResponse)
    }

    /// A response; header names may be in any case.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.body = body
        fields = .lowercased(Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The response URLSession received, with `body`.
    init(_ response: HTTPURLResponse, body: Data) {
        status = response.statusCode
        self.body = body
        fields = .foundation(response)
    }

    /// Header values keyed by lowercased name.
    public var headers: [String: String] {
        switch fields {
        case .lowercased(let headers):
            return headers
        case .foundation(let response):
            var headers: [String: String] = [:]
            for case let (name as String, value as String) in response.allHeaderFields {
                headers[name.lowercased()] = value
            }
            return headers
        }
    }

    /// The value of header `name` (any case).
    public func header(_ name: String) -> String? {
        switch fields {
        case .lowercased(let headers): headers[name.lowercased()]
        case .foundation(let response): response.value(forHTTPHeaderField: name)
        }
    }
}
