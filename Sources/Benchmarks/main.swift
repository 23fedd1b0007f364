import FirehoseTransform
import Foundation
import LambdaRuntime

// malloc as `bootstrap` sets it: without it, each batch faults in its megabytes of buffers again.
MemoryTuning.apply()

/// `firehose-bench generate PATH [RECORDS] [lean]` writes a batch of seeds-like log records
/// (`lean`: without the `items` array and with shorter session ids, so that 10,000 fit
/// Lambda's 6 MB event limit);
/// `firehose-bench measure PATH [ITERATIONS]` times the Swift handler (wall time on two threads,
/// CPU time on one) and a straightforward Foundation version on it, and prints the medians as JSON.
let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: firehose-bench generate PATH [RECORDS] [lean] | measure PATH [ITERATIONS] | profile PATH [ITERATIONS]\n".utf8))
    exit(2)
}

switch arguments[1] {
case "generate":
    let count = arguments.count > 3 ? Int(arguments[3]) ?? 10_000 : 10_000
    let lean = arguments.count > 4 && arguments[4] == "lean"
    try Data(BenchmarkBatch.generate(records: count, withItems: !lean)).write(to: URL(fileURLWithPath: arguments[2]), options: .atomic)
case "measure":
    let event = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
    let iterations = arguments.count > 3 ? Int(arguments[3]) ?? 15 : 15
    let processor = BatchProcessor(pipeline: .usernameTimestampAction, parallelism: 2)
    let swift = try median(iterations) { try processor.process(event).response.count }
    let oneThread = try median(iterations, clock: CLOCK_THREAD_CPUTIME_ID) {
        try BatchProcessor(pipeline: .usernameTimestampAction, parallelism: 1).process(event).response.count
    }
    let foundation = try median(max(3, iterations / 3)) { try FoundationTransform.run(event).count }
    print(String(format: "{\"swift_ms\":%.2f,\"swift_one_thread_ms\":%.2f,\"foundation_ms\":%.2f,\"event_bytes\":%d,\"records\":%d}",
                 swift, oneThread, foundation, event.count, try processor.process(event).report.recordsIn))
case "profile":
    // One thread, many times over: for `perf record -g -- firehose-bench profile PATH 300`.
    let event = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
    let processor = BatchProcessor(pipeline: .usernameTimestampAction, parallelism: 1)
    var bytes = 0
    for _ in 0..<(arguments.count > 3 ? Int(arguments[3]) ?? 300 : 300) { bytes &+= try processor.process(event).response.count }
    print(bytes)
default:
    FileHandle.standardError.write(Data("unknown command \(arguments[1])\n".utf8))
    exit(2)
}

/// The median time of `body` in milliseconds on `clock`: wall time by default, or the calling
/// thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`, for work done on that thread alone).
func median(_ iterations: Int, clock: clockid_t = CLOCK_MONOTONIC, _ body: () throws -> Int) throws -> Double {
    func now() -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) / 1e6
    }
    var sink = 0
    var samples: [Double] = []
    for _ in 0..<iterations {
        let start = now()
        sink &+= try body()
        samples.append(now() - start)
    }
    precondition(sink > 0)
    return samples.sorted()[samples.count / 2]
}

/// Deterministic, seeds-like web logs: `user`, `time`, `action` and the fields real
/// clickstream records carry, about 450 bytes each.
enum BenchmarkBatch {
    static func generate(records: Int, withItems: Bool = true) -> [UInt8] {
        var random = SplitMix(seed: 42)
        let actions = ["login", "view", "purchase", "logout", "search", "add_to_cart"]
        let agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
                      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"]
        var event = "{\"invocationId\":\"bench-invocation\",\"deliveryStreamArn\":\"arn:aws:firehose:us-east-1:123456789012:deliverystream/streaming-to-s3-pipeline\",\"region\":\"us-east-1\",\"records\":["
        for index in 0..<records {
            let user = "user\(random.next() % 5000)"
            let millis = 1_754_561_700_000 + Int64(index) * 37
            let seconds = millis / 1000
            let time = String(format: "2025-08-07T%02d:%02d:%02d.%03dZ", Int(seconds / 3600 % 24), Int(seconds / 60 % 60), Int(seconds % 60), Int(millis % 1000))
            let action = actions[Int(random.next() % UInt64(actions.count))]
            let log = """
                {"user":"\(user)","time":"\(time)","action":"\(action)","sessionId":"\(String(random.next(), radix: 16))\(withItems ? String(random.next(), radix: 16) : "")",\
                "ip":"203.0.113.\(random.next() % 255)","userAgent":"\(agents[index % 2])","page":"/products/\(random.next() % 10_000)",\
                "durationMs":\(random.next() % 5000),\
                "amount":\(random.next() % 1_000_000),"currency":"KRW",\(withItems ? #""items":[{"sku":"A-\#(random.next() % 100)","qty":\#(1 + random.next() % 3)}],"# : "")\
                "geo":{"country":"KR","city":"Seoul"}}
                """
            if index > 0 { event += "," }
            event += "{\"recordId\":\"4954698668313554428650745793632162567570019247115678\(String(format: "%07d", index))\",\"approximateArrivalTimestamp\":\(millis),\"data\":\"\(Data(log.utf8).base64EncodedString())\"}"
        }
        return Array((event + "]}").utf8)
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

/// The same transform as a Swift developer would write it first: Codable for the envelope,
/// `JSONSerialization` for each record.
enum FoundationTransform {
    struct Event: Decodable {
        struct Record: Decodable {
            let recordId: String
            let data: String
        }
        let records: [Record]
    }

    struct Response: Encodable {
        struct Record: Encodable {
            let recordId: String
            let result: String
            let data: String
        }
        let records: [Record]
    }

    static func run(_ event: Data) throws -> [UInt8] {
        let decoded = try JSONDecoder().decode(Event.self, from: event)
        var records: [Response.Record] = []
        records.reserveCapacity(decoded.records.count)
        for record in decoded.records {
            guard let payload = Data(base64Encoded: record.data),
                  let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any] else {
                records.append(.init(recordId: record.recordId, result: "ProcessingFailed", data: record.data))
                continue
            }
            let transformed: [String: Any] = ["username": object["user"] ?? NSNull(), "timestamp": object["time"] ?? NSNull(),
                                              "action": object["action"] ?? NSNull()]
            var line = try JSONSerialization.data(withJSONObject: transformed)
            line.append(0x0A)
            records.append(.init(recordId: record.recordId, result: "Ok", data: line.base64EncodedString()))
        }
        return Array(try JSONEncoder().encode(Response(records: records)))
    }
}
