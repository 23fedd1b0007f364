import ByteJSON
import Foundation
import Testing

/// Spark as the trigger's steps run it, on this machine (Tests/IntegrationTests/Pipeline/local_emr.py):
/// real PySpark in local mode, the bucket a folder.
enum LocalSpark {
    static let localEMR = Harness.packageRoot.appendingPathComponent("Tests/IntegrationTests/Pipeline/local_emr.py").path

    /// What `./build.sh pipeline` needs and this machine lacks, but moto: Java 17 and pyspark.
    static let missing = Harness.missing(for: "pipeline").filter { !$0.hasPrefix("moto") }

    static var lacking: Comment {
        Comment(rawValue: "Spark needs \(missing.joined(separator: ", ")): ./build.sh test installs them (Java as root)")
    }

    /// Runs an EMR step's arguments (`spark-submit --deploy-mode cluster ...`) on `folder`, which holds `bucket`.
    static func step(_ arguments: [String], bucket: String, folder: URL) throws -> Harness.Result {
        try Harness.run("/usr/bin/env", [Harness.toolPython, localEMR, "step", "--bucket", bucket, "--folder", folder.path, "--"]
            + arguments)
    }

    /// spark/check_results.py --json on a copy of the job's output.
    static func results(_ processedData: URL) throws -> JSONObject {
        let result = try Harness.run("/usr/bin/env", [Harness.toolPython, localEMR, "results", processedData.path, "--json"])
        try #require(result.status == 0, "check_results.py failed: \(result.stderr.suffix(3000))")
        return try JSONObject(parsing: Array(result.stdout))
    }

    static func rows(_ results: JSONObject, _ name: String) -> [JSONObject] {
        results[name]?.arrayValues?.compactMap(\.objectValue) ?? []
    }
}

extension Integration {
    /// spark/streaming_processor.py with real PySpark in local mode, from the arguments the trigger gives
    /// its steps, on objects the real firehose-transform made (through the emulator) and gzipped as
    /// Firehose stores them: rows land in their own hours, what cannot be used is rejected with a
    /// reason, and a step run again, or another object of the same hour, leaves the other rows alone.
    @Suite(.timeLimit(.minutes(10))) struct SparkTests {
        static let bucket = "streaming-pipeline-1754561700"
        static let hour10 = "streaming-data/year=2025/month=08/day=07/hour=10/"

        /// The step s3-emr-trigger adds for one object (see MotoIntegrationTests for the trigger's own).
        static func stepArguments(for key: String) -> [String] {
            ["spark-submit", "--deploy-mode", "cluster", "s3://\(bucket)/scripts/streaming_processor.py",
             "s3://\(bucket)/\(key)", "s3://\(bucket)/processed-data/"]
        }

        /// Runs the transform on `records` as one Firehose batch, then stores its `Ok` data as Firehose
        /// does, gzipped at `key`. Returns the results, in order.
        static func deliver(_ records: [String], pipeline: String? = nil, key: String, in folder: URL) throws -> [String] {
            let entries = records.enumerated().map { index, record in
                #"{"recordId":"\#(index)","approximateArrivalTimestamp":\#(1_754_561_700_000 + index),"data":"\#(Data(record.utf8).base64EncodedString())"}"#
            }
            let event = #"{"invocationId":"spark-tests","deliveryStreamArn":"arn:aws:firehose:us-east-1:123456789012:deliverystream/streaming-to-s3-pipeline","region":"us-east-1","records":[\#(entries.joined(separator: ","))]}"#
            let invoked = try Harness.invoke("firehose-transform", event: Data(event.utf8),
                                             options: pipeline.map { ["--env", "FIREHOSE_PIPELINE=\($0)"] } ?? [])
            try #require(invoked.status == 0, "\(invoked.stdoutText)\n\(invoked.stderr)")
            let returned = try #require(try JSONObject(parsing: Array(invoked.stdout))["records"]?.arrayValues).compactMap(\.objectValue)
            var object = Data()
            for record in returned where record["result"]?.stringValue == "Ok" {
                object += try #require(Data(base64Encoded: record["data"]?.stringValue ?? ""))
            }
            let gzip = try Harness.run("/usr/bin/env", ["python3", "-c", "import gzip, sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read()))"],
                                       stdin: object)
            try #require(gzip.status == 0, "\(gzip.stderr)")
            let url = folder.appendingPathComponent(key)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try gzip.stdout.write(to: url)
            return returned.compactMap { $0["result"]?.stringValue }
        }

        /// The job's files under events/ and rejected/, by path (Hadoop's local .crc files aside).
        static func outputFiles(_ processedData: URL) -> [String] {
            let files = FileManager.default.enumerator(atPath: processedData.path)?.compactMap { $0 as? String } ?? []
            return files.filter { ($0.hasPrefix("events/") || $0.hasPrefix("rejected/")) && $0.contains("part-") && !$0.hasSuffix(".crc") }.sorted()
        }

        /// hour, username, action, timestamp, event_time of each row, as check_results.py sorts them.
        static func events(_ results: JSONObject) -> [[String]] {
            LocalSpark.rows(results, "events").map { row in
                ["hour", "username", "action", "timestamp", "event_time"].map { row[$0]?.stringValue ?? "null" }
            }
        }

        static func counts(_ results: JSONObject) -> [String] {
            LocalSpark.rows(results, "hourly_action_counts").map { row in
                "\(row["hour"]?.stringValue ?? "") \(row["action"]?.stringValue ?? ""): \(row["events"]?.rawText ?? "") events, \(row["users"]?.rawText ?? "") users"
            }
        }

        @Test(.enabled(if: LocalSpark.missing.isEmpty || Harness.integrationRequired, LocalSpark.lacking))
        func stepsPutRowsInTheirOwnHoursAndReplaceOnlyTheirOwnRows() throws {
            #expect(LocalSpark.missing.isEmpty, "REQUIRE_INTEGRATION=1 but Spark lacks \(LocalSpark.missing)")
            let folder = try Harness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let scripts = folder.appendingPathComponent("scripts")
            try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Harness.packageRoot.appendingPathComponent("spark/streaming_processor.py"),
                                             to: scripts.appendingPathComponent("streaming_processor.py"))
            let processed = folder.appendingPathComponent("processed-data")

            // An object of hour 10 (arrival time) from the seeds' records through the default transform:
            // events of hours 8 and 9 that arrived late, an epoch-millisecond time, a +09:00 offset, a
            // fraction; a time that does not parse and a missing one; and two records that are not JSON
            // objects, which the transform fails, so that they never reach the object.
            let first = Self.hour10 + "streaming-to-s3-pipeline-1-2025-08-07-10-15-00-3f1c9b2e-7d4a-4c1e-9f0b-2a6d8e5c1b7f.gz"
            let results = try Self.deliver([
                #"{"user": "kimdh", "time": "2025-08-07T10:15:00Z", "action": "login"}"#,
                #"{"user": "parksy", "time": "2025-08-07T10:15:03.250Z", "action": "view", "page": "/products/42"}"#,
                #"{"user": "leejw", "time": "2025-08-07T08:59:59Z", "action": "purchase", "amount": 129000}"#,
                #"{"user": "choi.j", "time": 1754557200000, "action": "logout"}"#,
                #"{"user": "김민수", "time": "2025-08-07T19:30:00+09:00", "action": "view"}"#,
                #"{"user": "kimdh", "time": "yesterday", "action": "login"}"#,
                #"{"user": "guest", "action": "view"}"#,
                #"["kimdh", "login"]"#,
                "user=kimdh action=login",
            ], key: first, in: folder)
            #expect(results == Array(repeating: "Ok", count: 7) + ["ProcessingFailed", "ProcessingFailed"])

            let run = try LocalSpark.step(Self.stepArguments(for: first), bucket: Self.bucket, folder: folder)
            try #require(run.status == 0, "\(run.stderr.suffix(4000))")
            #expect(run.stdoutText.contains("1 input(s): 5 event(s) in 3 hour(s), 2 rejected"), "\(run.stdoutText)")
            let afterFirst = try LocalSpark.results(processed)
            let firstEvents = [
                ["08", "leejw", "purchase", "2025-08-07T08:59:59Z", "2025-08-07T08:59:59Z"],
                ["09", "choi.j", "logout", "1754557200000", "2025-08-07T09:00:00Z"],
                ["10", "kimdh", "login", "2025-08-07T10:15:00Z", "2025-08-07T10:15:00Z"],
                ["10", "parksy", "view", "2025-08-07T10:15:03.250Z", "2025-08-07T10:15:03.250Z"],
                ["10", "김민수", "view", "2025-08-07T19:30:00+09:00", "2025-08-07T10:30:00Z"],
            ]
            #expect(Self.events(afterFirst) == firstEvents)
            let firstRejected = LocalSpark.rows(afterFirst, "rejected")
            #expect(firstRejected.map { [$0["line"]?.rawText ?? "", $0["reason"]?.stringValue ?? "", $0["record"]?.stringValue ?? ""] } == [
                ["6", "timestamp does not parse: yesterday", #"{"username":"kimdh","timestamp":"yesterday","action":"login"}"#],
                ["7", "timestamp is null", #"{"username":"guest","timestamp":null,"action":"view"}"#],
            ])
            #expect(firstRejected.allSatisfy { $0["source"]?.stringValue?.hasSuffix(first) == true })
            #expect(Self.counts(afterFirst) == ["08 purchase: 1 events, 1 users", "09 logout: 1 events, 1 users",
                                                "10 login: 1 events, 1 users", "10 view: 2 events, 2 users"])
            let firstFiles = Self.outputFiles(processed)
            #expect(firstFiles.count == 4, "\(firstFiles)")  // three hours of events, one file of rejected records

            // S3 and the trigger deliver at least once: the same step again replaces its own files.
            let again = try LocalSpark.step(Self.stepArguments(for: first), bucket: Self.bucket, folder: folder)
            try #require(again.status == 0, "\(again.stderr.suffix(4000))")
            #expect(Self.outputFiles(processed) == firstFiles)

            // A second object of hour 10, from a transform that passes lines through as they are
            // (FIREHOSE_PIPELINE format raw): an event equal to one of the first object's, one with a
            // field of its own, a line that is not a JSON object and one that is not JSON.
            let second = Self.hour10 + "streaming-to-s3-pipeline-1-2025-08-07-10-50-00-9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.gz"
            let raw = try Self.deliver([
                #"{"username":"kimdh","timestamp":"2025-08-07T10:15:00Z","action":"login"}"# + "\n",
                #"{"username":"parksy","timestamp":"2025-08-07T10:59:59.999999Z","action":"purchase","page":"/cart"}"# + "\n",
                "[1, 2, 3]\n",
                #"{"username":"x","#  + "\n",
            ], pipeline: #"[{"format": "raw"}]"#, key: second, in: folder)
            #expect(raw == Array(repeating: "Ok", count: 4))
            let secondRun = try LocalSpark.step(Self.stepArguments(for: second), bucket: Self.bucket, folder: folder)
            try #require(secondRun.status == 0, "\(secondRun.stderr.suffix(4000))")

            // The first object's rows are still there, once each (the rerun added none), next to the
            // second's; the counts of hour 10 are recomputed from both.
            let afterSecond = try LocalSpark.results(processed)
            #expect(Self.events(afterSecond) == [
                firstEvents[0], firstEvents[1], firstEvents[2],
                ["10", "kimdh", "login", "2025-08-07T10:15:00Z", "2025-08-07T10:15:00Z"],
                firstEvents[3], firstEvents[4],
                ["10", "parksy", "purchase", "2025-08-07T10:59:59.999999Z", "2025-08-07T10:59:59.999999Z"],
            ])
            let pages = LocalSpark.rows(afterSecond, "events").map { $0["page"]?.stringValue ?? "null" }
            #expect(pages == ["null", "null", "null", "null", "null", "null", "/cart"])
            let rejected = LocalSpark.rows(afterSecond, "rejected")
            #expect(rejected.map { [$0["line"]?.rawText ?? "", $0["reason"]?.stringValue ?? "", $0["record"]?.stringValue ?? ""] } == [
                ["6", "timestamp does not parse: yesterday", #"{"username":"kimdh","timestamp":"yesterday","action":"login"}"#],
                ["7", "timestamp is null", #"{"username":"guest","timestamp":null,"action":"view"}"#],
                ["3", "not a JSON object", "[1, 2, 3]"],
                ["4", "invalid JSON", #"{"username":"x","#],
            ])
            #expect(rejected.suffix(2).allSatisfy { $0["source"]?.stringValue?.hasSuffix(second) == true })
            #expect(Self.counts(afterSecond) == ["08 purchase: 1 events, 1 users", "09 logout: 1 events, 1 users",
                                                 "10 login: 2 events, 1 users", "10 purchase: 1 events, 1 users",
                                                 "10 view: 2 events, 2 users"])
            #expect(Set(firstFiles).isSubset(of: Set(Self.outputFiles(processed))))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: processed.path).filter { $0.hasPrefix("_staging") }
            #expect(leftovers.isEmpty, "staging folders left behind: \(leftovers)")
        }
    }
}
