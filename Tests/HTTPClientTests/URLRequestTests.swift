import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import HTTPClient
import Testing

@Suite struct URLRequestTests {
    /// A request body goes out as Data over the array's own storage, not a copy of it, and
    /// stays intact when the caller's array changes or goes away.
    @Test func bodyIsSharedNotCopied() throws {
        let original = (0..<200).map { UInt8($0) }
        var body = original
        let data = URLSessionTransport.sharing(body)
        #expect(data.withUnsafeBytes { $0.baseAddress } == body.withUnsafeBytes { $0.baseAddress })
        body[0] = 0xFF
        body = []
        #expect(Array(data) == original)

        let request = URLSessionTransport.urlRequest(for: HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.1:9/x")!, body: original))
        #expect(request.httpBody == Data(original))
        #expect(URLSessionTransport.sharing([]).isEmpty)
    }
}
