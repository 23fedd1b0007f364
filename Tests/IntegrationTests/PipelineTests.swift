import ByteJSON
import Foundation
import Testing

extension Integration {
    /// The whole pipeline on this machine, as `./build.sh pipeline` runs it (Tests/IntegrationTests/Pipeline/
    /// pipeline.py, on this build's emulator and bootstrap), then its bucket compared record by record
    /// with what the producer put on the stream.
    @Suite(.timeLimit(.minutes(10))) struct PipelineTests {
        static let missing = Harness.missing(for: "pipeline")

        /// What the bucket folder holds: every key, the lines of each streaming-data/ object and the
        /// error documents of streaming-errors/ (a test tool: Foundation cannot gunzip).
        static let bucketReader = #"""
            import gzip, json, pathlib, sys
            root = pathlib.Path(sys.argv[1])
            summary = {"keys": [], "lines": {}, "errors": []}
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                key = path.relative_to(root).as_posix()
                summary["keys"].append(key)
                if key.startswith("streaming-data/"):
                    summary["lines"][key] = gzip.decompress(path.read_bytes()).decode().splitlines()
                elif key.startswith("streaming-errors/"):
                    summary["errors"] += [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
            print(json.dumps(summary))
            """#

        /// A record's (user, time, action) as the transform writes them and Spark keeps them: a string's
        /// value, a number's text, "null" for null or missing.
        static func identity(_ fields: [JSONValue?]) -> String {
            fields.map { value in value.flatMap { $0.stringValue ?? $0.numberText } ?? "null" }.joined(separator: " | ")
        }

        @Test(.enabled(if: PipelineTests.missing.isEmpty || Harness.integrationRequired,
                       Comment(rawValue: "the pipeline needs \(PipelineTests.missing.joined(separator: ", ")): ./build.sh test installs them (Java as root)")))
        func everyProducedRecordEndsUpOnceInTheBucket() throws {
            #expect(PipelineTests.missing.isEmpty, "REQUIRE_INTEGRATION=1 but the pipeline lacks \(PipelineTests.missing)")
            let work = try Harness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let driver = Harness.packageRoot.appendingPathComponent("Tests/IntegrationTests/Pipeline/pipeline.py").path
            let run = try Harness.run("/usr/bin/env", [Harness.toolPython, driver, "--work", work.path, "--emulator", Harness.emulator])
            try #require(run.status == 0, "\(run.stdoutText)\n\(run.stderr.suffix(4000))")

            // Nothing it started is left: moto ran inside it, and every other process named the work folder.
            let survivors = try Harness.run("/usr/bin/env", ["pgrep", "-f", work.path])
            #expect(survivors.stdoutText.isEmpty, "still running: \(survivors.stdoutText)")

            let bucket = work.appendingPathComponent("bucket")
            let read = try Harness.run("/usr/bin/env", ["python3", "-c", PipelineTests.bucketReader, bucket.path])
            try #require(read.status == 0, "\(read.stderr)")
            let contents = try JSONObject(parsing: Array(read.stdout))
            let keys = contents["keys"]?.arrayValues?.compactMap(\.stringValue) ?? []
            let objects = contents["lines"]?.objectValue
            let errors = contents["errors"]?.arrayValues?.compactMap(\.objectValue) ?? []
            let results = try LocalSpark.results(bucket.appendingPathComponent("processed-data"))
            let events = LocalSpark.rows(results, "events"), rejected = LocalSpark.rows(results, "rejected")

            // Firehose's names: the prefix and the name from the arrival time of the object's oldest record.
            let name = #"streaming-to-s3-pipeline-1-(\d{4})-(\d{2})-(\d{2})-(\d{2})-\d{2}-\d{2}-[0-9a-f-]{36}\.gz"#
            let data = try Regex(#"^streaming-data/year=(\d{4})/month=(\d{2})/day=(\d{2})/hour=(\d{2})/"# + name + "$")
            let failed = try Regex(#"^streaming-errors/processing-failed/year=(\d{4})/month=(\d{2})/day=(\d{2})/hour=(\d{2})/"# + name + "$")
            let dataKeys = keys.filter { $0.hasPrefix("streaming-data/") }, errorKeys = keys.filter { $0.hasPrefix("streaming-errors/") }
            #expect(dataKeys.count >= 2 && !errorKeys.isEmpty, "\(keys)")
            for key in dataKeys + errorKeys {
                let match = try (data.wholeMatch(in: key) ?? failed.wholeMatch(in: key)).map { Array($0.output.dropFirst()) }
                let parts = try #require(match, "not a Firehose name: \(key)").map { $0.substring.map(String.init) }
                #expect(parts[0..<4] == parts[4..<8], "the prefix's time is the name's: \(key)")
            }
            #expect(keys.contains("scripts/streaming_processor.py"))
            #expect(!keys.contains { $0.hasSuffix(".crc") || $0.contains("_staging") }, "the folder holds exactly the bucket")

            // Each delivered line went through exactly one step: none lost, none twice.
            let lines = dataKeys.flatMap { objects?[$0]?.arrayValues ?? [] }
            #expect(lines.count == events.count + rejected.count)

            // Every produced record is in exactly one place: a JSON object as a row of events/ or as a
            // rejected record, anything else as a processing failure with its original bytes.
            let produced = try String(contentsOf: work.appendingPathComponent("produced.jsonl"), encoding: .utf8)
                .split(separator: "\n").map { try #require(try JSONObject(parsing: Array($0.utf8))["data"]?.stringValue) }
            var found: [String: Int] = [:]
            for row in events {
                found[Self.identity([row["username"], row["timestamp"], row["action"]]), default: 0] += 1
            }
            for row in rejected {
                let record = try JSONObject(parsing: Array((row["record"]?.stringValue ?? "").utf8))
                found[Self.identity([record["username"], record["timestamp"], record["action"]]), default: 0] += 1
            }
            for error in errors {
                #expect(error["errorCode"]?.stringValue == "Lambda.ProcessingFailedStatus" && error["attemptsMade"]?.rawText == "1")
                #expect(error["lambdaArn"]?.stringValue?.hasSuffix(":function:firehose-transform:$LATEST") == true)
                found["raw " + (error["rawData"]?.stringValue ?? ""), default: 0] += 1
            }
            var objectsProduced = 0
            for encoded in produced {
                let bytes = try #require(Data(base64Encoded: encoded))
                let key: String
                if let record = try? JSONObject(parsing: Array(bytes)) {
                    key = Self.identity([record["user"], record["time"], record["action"]])
                    objectsProduced += 1
                } else {
                    key = "raw " + encoded
                }
                #expect(found.removeValue(forKey: key) == 1, "produced \(String(decoding: bytes, as: UTF8.self)): found \(key) not exactly once")
            }
            #expect(found.isEmpty, "in the bucket but never produced: \(found)")
            #expect(produced.count > objectsProduced && errors.count == produced.count - objectsProduced)

            // Late events land in their own hours; what Spark cannot use is rejected with its reason.
            #expect(Set(events.compactMap { $0["hour"]?.stringValue }).count >= 2)
            let reasons = rejected.compactMap { $0["reason"]?.stringValue }
            #expect(reasons.contains("timestamp does not parse: yesterday") && reasons.contains("timestamp is null"), "\(reasons)")
            let counted = LocalSpark.rows(results, "hourly_action_counts").compactMap { Int($0["events"]?.rawText ?? "") }
            #expect(counted.reduce(0, +) == events.count)
            #expect(run.stdoutText.contains("events: \(events.count) rows"), "what check_results.py prints: \(run.stdoutText)")
        }
    }
}
