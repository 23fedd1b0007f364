import Foundation
import Glibc
import HTTPClient
import Testing

/// A loopback port that accepts connections (the kernel completes them) and never answers.
final class SilentServer: Sendable {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
        try #require(bound, "cannot listen on loopback")
    }

    deinit { close(descriptor) }
}

@Suite(.timeLimit(.minutes(1))) struct DeadlineTests {
    /// Sends a GET to `server` that must end at `limit` from now; returns the error and how long it took.
    func silentExchange(_ transport: URLSessionTransport, _ server: SilentServer, limit: Duration) async -> (HTTPTransportError?, Duration) {
        let start = ContinuousClock.now
        let request = HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(server.port)/")!,
                                  deadline: start + limit, idleTimeout: .seconds(50))
        do {
            _ = try await transport.send(request)
            return (nil, ContinuousClock.now - start)
        } catch {
            return (error, ContinuousClock.now - start)
        }
    }

    /// A deadline is a total limit, and a later request's earlier deadline is kept even while an
    /// earlier request with a far deadline is still waiting.
    @Test func eachRequestEndsAtItsOwnDeadline() async throws {
        let server = try SilentServer()
        let transport = URLSessionTransport()
        let (first, firstTook) = await silentExchange(transport, server, limit: .milliseconds(300))
        #expect(first?.kind == .deadlineExceeded)
        #expect(firstTook < .seconds(2))

        async let far = silentExchange(transport, server, limit: .seconds(6))
        try await Task.sleep(for: .milliseconds(200))
        let (near, nearTook) = await silentExchange(transport, server, limit: .milliseconds(300))
        #expect(near?.kind == .deadlineExceeded)
        #expect(nearTook < .seconds(2), "the near deadline waited for the far one")
        #expect(near?.description.contains("127.0.0.1:\(server.port)") == true)
        let (farError, farTook) = await far
        #expect(farError?.kind == .deadlineExceeded)
        #expect(farTook >= .seconds(6))
    }
}
