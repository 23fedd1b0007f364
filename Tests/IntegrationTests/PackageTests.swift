import Foundation
import Glibc
import Testing

/// `./build.sh verify-package`: the zip alone, in an empty root, runs both handlers; and its layout
/// and sizes are what Lambda accepts.
@Suite(.timeLimit(.minutes(25))) struct PackageTests {
    static func tool(_ name: String) -> String? {
        (try? Harness.run("/bin/sh", ["-c", "command -v \(name)"])).flatMap { $0.status == 0 ? $0.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
    }

    /// verify-package chroots and mounts /proc (root), and needs a static busybox and a few tools.
    static let missing: [String] = {
        var missing = ["zip", "unzip", "openssl", "strip", "chroot", "mount"].filter { tool($0) == nil }
        if getuid() != 0 { missing.append("root") }
        if let busybox = tool("busybox") {
            if (try? Harness.run("/usr/bin/ldd", [busybox]))?.status == 0 { missing.append("a static busybox (busybox-static)") }
        } else {
            missing.append("busybox-static")
        }
        return missing
    }()

    @Test(.enabled(if: PackageTests.missing.isEmpty || Harness.integrationRequired,
                   "verify-package needs \(PackageTests.missing.joined(separator: ", ")); CI runs it"))
    func theZipRunsBothHandlersInAnEmptyRoot() throws {
        #expect(PackageTests.missing.isEmpty, "REQUIRE_INTEGRATION=1 but verify-package lacks \(PackageTests.missing)")
        let build = Harness.packageRoot.appendingPathComponent("build.sh").path
        let result = try Harness.run(build, ["verify-package"])
        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderr.suffix(4000))")
        #expect(result.stdoutText.contains("verified: both handlers ran from the zip alone"))

        // The zip as Lambda unpacks it: an executable bootstrap at its root, within the size limits.
        let zip = Harness.packageRoot.appendingPathComponent(".build/lambda/function.zip").path
        let listing = try Harness.run("/usr/bin/env", ["python3", "-c", """
            import json, sys, zipfile
            archive = zipfile.ZipFile(sys.argv[1])
            print(json.dumps({info.filename: [info.external_attr >> 16, info.file_size] for info in archive.infolist()}))
            """, zip])
        let entries = try #require(try JSONSerialization.jsonObject(with: listing.stdout) as? [String: [Int]], "\(listing.stderr)")
        let bootstrap = try #require(entries["bootstrap"])
        #expect(bootstrap[0] & 0o111 == 0o111, "bootstrap is not executable: mode \(String(bootstrap[0], radix: 8))")
        #expect(entries["bin/bootstrap"] != nil && entries["lib/ld-linux-x86-64.so.2"] != nil && entries["lib/libcurl.so.4"] != nil)
        let zipped = try #require(try FileManager.default.attributesOfItem(atPath: zip)[.size] as? Int)
        let unzipped = entries.values.reduce(0) { $0 + $1[1] }
        #expect(zipped <= 50 * 1024 * 1024, "function.zip is \(zipped) bytes")
        #expect(unzipped <= 250 * 1024 * 1024, "the package unzips to \(unzipped) bytes")
    }
}
