import Foundation
import Glibc
import Testing

extension Integration {
    /// `./build.sh verify-package`: the zip alone, in an empty root, runs both handlers; its layout and
    /// sizes are what Lambda accepts; and `./build.sh deploy` makes the AWS CLI calls the README gives,
    /// the Spark application's upload included.
    /// Serialized: both build into the same folders.
    @Suite(.serialized, .timeLimit(.minutes(25))) struct PackageTests {
        /// What `package` and `verify-package` need and this machine lacks, from build.sh itself.
        static let packagingMissing = Harness.missing(for: "package")
        static let missing = Harness.missing(for: "verify-package")

        static func lacking(_ verb: String, _ missing: [String]) -> Comment {
            Comment(rawValue: "\(verb) needs \(missing.joined(separator: ", ")): ./build.sh test installs the Debian packages when run as root")
        }

        @Test(.enabled(if: PackageTests.missing.isEmpty || Harness.integrationRequired,
                       PackageTests.lacking("verify-package", PackageTests.missing)))
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

        @Test(.enabled(if: PackageTests.packagingMissing.isEmpty || Harness.integrationRequired,
                       PackageTests.lacking("package", PackageTests.packagingMissing)))
        func deployPackagesDeploysThenUploadsTheSparkApplication() throws {
            #expect(PackageTests.packagingMissing.isEmpty, "REQUIRE_INTEGRATION=1 but package lacks \(PackageTests.packagingMissing)")
            let build = Harness.packageRoot.appendingPathComponent("build.sh").path
            let usage = try Harness.run(build, ["deploy", "only-a-stack"])
            #expect(usage.status != 0 && usage.stderr.contains("usage: ./build.sh deploy STACK_NAME ARTIFACT_BUCKET"))

            // A stand-in `aws` first on PATH records each call's arguments, one bracketed word each,
            // answers for the stack's outputs (SparkScript as the template gives it, `{bucket}` and
            // all), and keeps a copy of what `s3 cp` uploads.
            let directory = try Harness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let calls = directory.appendingPathComponent("calls")
            let uploaded = directory.appendingPathComponent("uploaded.py")
            let aws = directory.appendingPathComponent("aws")
            try """
                #!/bin/sh
                for word in "$@"; do printf '[%s]' "$word"; done >> "\(calls.path)"
                echo >> "\(calls.path)"
                case "$*" in
                    "cloudformation describe-stacks "*BucketName*) echo streaming-pipeline-123456789012-us-east-1 ;;
                    "cloudformation describe-stacks "*SparkScript*) echo 's3://{bucket}/scripts/streaming_processor.py' ;;
                    "s3 cp "*) cp "$3" "\(uploaded.path)" ;;
                esac
                """.write(to: aws, atomically: true, encoding: .utf8)
            chmod(aws.path, 0o755)
            let path = "\(directory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"
            let result = try Harness.run(build, ["deploy", "my-pipeline", "my-artifacts", "EmrClusterId=j-1ABC", "Compression=ZIP"],
                                         environment: ["PATH": path])
            #expect(result.status == 0, "\(result.stderr.suffix(2000))")

            let packaged = Harness.packageRoot.appendingPathComponent(".build/lambda/packaged.json").path
            let recorded = try String(contentsOf: calls, encoding: .utf8).split(separator: "\n").map(String.init)
            let output = { (name: String) in
                "[cloudformation][describe-stacks][--stack-name][my-pipeline][--query][Stacks[0].Outputs[?OutputKey=='\(name)'].OutputValue][--output][text]"
            }
            #expect(recorded == [
                "[sts][get-caller-identity]",
                "[cloudformation][package][--template-file][template.json][--s3-bucket][my-artifacts][--output-template-file][\(packaged)][--use-json]",
                "[cloudformation][deploy][--template-file][\(packaged)][--stack-name][my-pipeline][--capabilities][CAPABILITY_IAM][CAPABILITY_AUTO_EXPAND][--no-fail-on-empty-changeset][--parameter-overrides][EmrClusterId=j-1ABC][Compression=ZIP]",
                output("BucketName"),
                output("SparkScript"),
                "[s3][cp][spark/streaming_processor.py][s3://streaming-pipeline-123456789012-us-east-1/scripts/streaming_processor.py]",
            ])
            #expect(FileManager.default.fileExists(atPath: Harness.packageRoot.appendingPathComponent(".build/lambda/function.zip").path))
            let script = Harness.packageRoot.appendingPathComponent("spark/streaming_processor.py")
            #expect(try Data(contentsOf: uploaded) == Data(contentsOf: script), "s3 cp uploads the repository's Spark application")
        }
    }
}
