import CivilTime
import Foundation
import Testing
@testable import AWSSigning

/// AWS's Signature Version 4 test suite, read from `../shared/aws-sig-v4-test-suite` (not
/// copied into this repository).
@Suite struct SigV4SuiteTests {
    static let suite: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/aws-sig-v4-test-suite")

    static var available: Bool { FileManager.default.fileExists(atPath: suite.path) }

    /// Every directory holding a `.req` file.
    static var cases: [URL] {
        guard let walker = FileManager.default.enumerator(at: suite, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "req" }.map { $0.deletingLastPathComponent() }
            .sorted { $0.path < $1.path }
    }

    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let time = UTCTime(year: 2015, month: 8, day: 30, hour: 12, minute: 36)

    /// A `.req` file: request line, headers (continuation lines folded in), blank line, body.
    static func request(from text: String) -> SignableRequest {
        let lines = text.components(separatedBy: "\n")
        let requestLine = lines[0]
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        var headers: [(name: String, value: String)] = []
        var index = 1
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
            index += 1
        }
        let body = index < lines.count ? lines[(index + 1)...].joined(separator: "\n") : ""
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query: [(name: String, value: String)] = parts.count < 2 || parts[1].isEmpty ? [] : parts[1].split(separator: "&").map { pair in
            let item = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(item[0]).removingPercentEncoding ?? String(item[0]), item.count > 1 ? (String(item[1]).removingPercentEncoding ?? String(item[1])) : "")
        }
        return SignableRequest(method: method, path: String(parts[0]), query: query, headers: headers, body: Array(body.utf8))
    }

    @Test(.enabled(if: SigV4SuiteTests.available, "../shared/aws-sig-v4-test-suite is not present"))
    func everyCaseOfTheSuite() throws {
        let cases = SigV4SuiteTests.cases
        #expect(cases.count >= 30, "found only \(cases.count) cases")
        for directory in cases {
            let name = directory.lastPathComponent
            func read(_ suffix: String) throws -> String {
                try String(contentsOf: directory.appendingPathComponent("\(name).\(suffix)"), encoding: .utf8)
            }
            var request = SigV4SuiteTests.request(from: try read("req"))
            var credentials = SigV4SuiteTests.credentials
            if let token = request.header("X-Amz-Security-Token") {
                // "header-after": the token is added once the request is signed.
                if name == "post-sts-header-after" {
                    request.headers.removeAll { $0.name.lowercased() == "x-amz-security-token" }
                } else {
                    credentials = AWSCredentials(accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey, sessionToken: token)
                }
            } else if name == "get-vanilla-with-session-token" {
                credentials = AWSCredentials(accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey,
                                             sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267")
            }
            let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
            var signed = request
            signer.sign(&signed, at: SigV4SuiteTests.time)
            let canonical = signer.canonicalRequest(signed.removingAuthorization).text
            #expect(canonical == (try read("creq")), "\(name): canonical request")
            #expect(signer.stringToSign(canonicalRequest: canonical, at: SigV4SuiteTests.time) == (try read("sts")), "\(name): string to sign")
            #expect(signed.header("Authorization") == (try read("authz")), "\(name): authorization")
        }
    }

    @Test func pathsAreNormalizedUnlessTheServiceIsS3() {
        #expect(SigV4Signer.removingDotSegments("/a/./b/../c//") == "/a/c/")
        #expect(SigV4Signer.removingDotSegments("/../..") == "/")
        let signer = SigV4Signer(credentials: SigV4SuiteTests.credentials, region: "us-east-1", service: "s3", normalizesPath: false)
        let canonical = signer.canonicalRequest(SignableRequest(method: "GET", path: "/bucket//key/../x", headers: [("Host", "h")])).text
        #expect(canonical.split(separator: "\n")[1] == "/bucket//key/../x")
    }

    @Test func signingTwiceReplacesTheDateAndAuthorization() {
        let signer = SigV4Signer(credentials: SigV4SuiteTests.credentials, region: "eu-west-1", service: "elasticmapreduce")
        var request = SignableRequest(method: "POST", headers: [("Host", "elasticmapreduce.eu-west-1.amazonaws.com")], body: Array("{}".utf8))
        signer.sign(&request, at: SigV4SuiteTests.time)
        signer.sign(&request, at: UTCTime(year: 2026, month: 1, day: 2))
        #expect(request.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        #expect(request.header("X-Amz-Date") == "20260102T000000Z")
        #expect(request.header("Authorization")?.contains("/20260102/eu-west-1/elasticmapreduce/aws4_request") == true)
    }
}

extension SignableRequest {
    var removingAuthorization: SignableRequest {
        var copy = self
        copy.headers.removeAll { $0.name.lowercased() == "authorization" }
        return copy
    }
}
