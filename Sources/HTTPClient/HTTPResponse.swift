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
        fields = .lowercased(HTTPResponse.keyedByLowercasedName(headers.lazy.map { ($0.key, $0.value) }))
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
            return HTTPResponse.keyedByLowercasedName(response.allHeaderFields.lazy.compactMap { name, value -> (String, String)? in
                guard let name = name as? String, let value = value as? String else { return nil }
                return (name, value)
            })
        }
    }

    /// `fields` keyed by lowercased name; of names differing only in case, the first is kept.
    private static func keyedByLowercasedName(_ fields: some Sequence<(String, String)>) -> [String: String] {
        Dictionary(fields.lazy.map { ($0.lowercased(), $1) }, uniquingKeysWith: { first, _ in first })
    }

    /// The value of header `name` (any case).
    public func header(_ name: String) -> String? {
        switch fields {
        case .lowercased(let headers): headers[name.lowercased()]
        case .foundation(let response): response.value(forHTTPHeaderField: name)
        }
    }
}
