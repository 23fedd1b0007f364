import CivilTime

/// AWS credentials. Printing them never shows the secret or the session token.
public struct AWSCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The public half of the key pair, named in every signature and safe to print.
    public let accessKeyID: String
    /// The secret that derives the signing key; never sent or printed.
    public let secretAccessKey: String
    /// The token that comes with temporary credentials (roles, STS), sent as
    /// `X-Amz-Security-Token`; nil for long-term keys.
    public let sessionToken: String?

    /// Credentials from explicit values.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, as the SDKs read them
    /// (and as Lambda sets them from the function's role).
    public init?(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let accessKeyID = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") else { return nil }
        self.init(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
    }

    public var description: String {
        "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "none" : "<redacted>"))"
    }

    public var debugDescription: String { description }
}

/// What Signature Version 4 reads of an HTTP request.
public struct SignableRequest: Sendable {
    /// The HTTP method, as sent (`POST`).
    public var method: String
    /// The path as the service sees it, not percent-encoded (`/my key`).
    public var path: String
    /// Query parameters, not percent-encoded.
    public var query: [(name: String, value: String)]
    /// Headers as sent; `sign` covers every one present when it runs.
    public var headers: [(name: String, value: String)]
    /// The payload, whose SHA-256 goes into the signature.
    public var body: [UInt8]

    /// A request to sign: by default the root path, with no query, headers or body.
    public init(method: String, path: String = "/", query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (compared case-insensitively), or nil when absent.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append((name, value))
    }
}

/// AWS Signature Version 4, for any service: signs every header the request carries.
public struct SigV4Signer: Sendable {
    /// The credentials requests are signed with.
    public let credentials: AWSCredentials
    /// The region in the credential scope (`us-east-1`).
    public let region: String
    /// The service's signing name in the credential scope (`elasticmapreduce`, `s3`).
    public let service: String
    /// S3 signs paths as sent; other services remove dot segments and repeated slashes first.
    public let normalizesPath: Bool

    /// A signer for `service` in `region`; S3 needs `normalizesPath: false`.
    public init(credentials: AWSCredentials, region: String, service: String, normalizesPath: Bool = true) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath
    }

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (for session credentials) and `Authorization`.
    public func sign(_ request: inout SignableRequest, at time: UTCTime) {
        request.headers.removeAll { $0.name.lowercased() == "authorization" }
        request.setHeader("X-Amz-Date", time.basicISO8601)
        if let token = credentials.sessionToken {
            request.setHeader("X-Amz-Security-Token", token)
        }
        request.headers.append(("Authorization", authorization(for: request, at: time)))
    }

    /// The `Authorization` header value for `request` as it stands.
    func authorization(for request: SignableRequest, at time: UTCTime) -> String {
        let canonical = canonicalRequest(request)
        let signature = self.signature(of: stringToSign(canonicalRequest: canonical.text, at: time), at: time)
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(at: time)), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
    }

    func scope(at time: UTCTime) -> String { "\(time.dateStamp)/\(region)/\(service)/aws4_request" }

    /// The canonical request, and the list of signed header names.
    func canonicalRequest(_ request: SignableRequest) -> (text: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in request.headers {
            grouped[name.lowercased(), default: []].append(SigV4Signer.canonicalHeaderValue(value))
        }
        let names = grouped.keys.sorted()
        let headers = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let encodedQuery: [(name: String, value: String)] = request.query.map { (SigV4Signer.uriEncode($0.name), SigV4Signer.uriEncode($0.value)) }
        let sortedQuery = encodedQuery.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        let query = sortedQuery.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let path = normalizesPath ? SigV4Signer.removingDotSegments(request.path) : request.path
        let canonicalPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { SigV4Signer.uriEncode(String($0)) }.joined(separator: "/")
        let text = [request.method, canonicalPath.isEmpty ? "/" : canonicalPath, query, headers, signedHeaders,
                    SHA256.hash(request.body).hexString].joined(separator: "\n")
        return (text, signedHeaders)
    }

    func stringToSign(canonicalRequest: String, at time: UTCTime) -> String {
        ["AWS4-HMAC-SHA256", time.basicISO8601, scope(at: time), SHA256.hash(Array(canonicalRequest.utf8)).hexString]
            .joined(separator: "\n")
    }

    func signature(of stringToSign: String, at time: UTCTime) -> String {
        var key = Array("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [time.dateStamp, region, service, "aws4_request"] {
            key = HMACSHA256.authenticate(Array(part.utf8), key: key)
        }
        return HMACSHA256.authenticate(Array(stringToSign.utf8), key: key).hexString
    }

    /// Trimmed, with every run of whitespace (folded lines included) made one space.
    static func canonicalHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func uriEncode(_ text: String) -> String {
        var encoded: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// `/a/./b/../c//` becomes `/a/c/`: RFC 3986 dot-segment removal, repeated slashes collapsed.
    static func removingDotSegments(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/") {
            if segment == "." { continue }
            if segment == ".." {
                _ = segments.popLast()
            } else {
                segments.append(segment)
            }
        }
        let joined = "/" + segments.joined(separator: "/")
        return path.hasSuffix("/") && !segments.isEmpty ? joined + "/" : joined
    }
}
