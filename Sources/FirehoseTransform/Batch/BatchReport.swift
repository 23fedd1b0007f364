import ByteJSON
import FirehoseCodec

/// What happened to a batch: counts for metrics, and the first failures for the log.
public struct BatchReport: Sendable {
    /// How many failures `failureSamples` keeps, so a bad batch cannot flood the log.
    public static let failureSampleSize = 5

    /// Records in the event.
    public let recordsIn: Int
    /// Size of the invocation event, in bytes.
    public let bytesIn: Int
    /// The delivery stream that sent the batch, when the event names it.
    public let deliveryStreamARN: String?
    /// Records returned `Ok`, not counting those demoted (`overBudget`).
    public private(set) var ok = 0
    /// Records returned `Dropped`.
    public private(set) var dropped = 0
    /// Records returned `ProcessingFailed`, those demoted (`overBudget`) included.
    public private(set) var processingFailed = 0
    /// `Ok` records returned as `ProcessingFailed` to keep the response within Lambda's limit.
    public private(set) var overBudget = 0
    /// Size of the response, in bytes.
    public private(set) var bytesOut = 0
    /// False when even the records' original data exceeds the response limit.
    public private(set) var responseFits = true
    /// The first few failed records: id and reason.
    public private(set) var failureSamples: [(recordID: String, reason: String)] = []

    init(recordsIn: Int, bytesIn: Int, deliveryStreamARN: String?) {
        self.recordsIn = recordsIn
        self.bytesIn = bytesIn
        self.deliveryStreamARN = deliveryStreamARN
    }

    mutating func recordFailure(of metadata: RecordMetadata, reason: String) {
        guard failureSamples.count < BatchReport.failureSampleSize else { return }
        failureSamples.append((metadata.recordID, reason))
    }

    mutating func tally(_ results: [RecordResult], overBudget: Int, bytesOut: Int, fits: Bool) {
        for result in results {
            switch result {
            case .ok: ok += 1
            case .dropped: dropped += 1
            case .processingFailed: processingFailed += 1
            }
        }
        // Demoted records count as failed, as Firehose will see them.
        ok -= overBudget
        processingFailed += overBudget
        self.overBudget = overBudget
        self.bytesOut = bytesOut
        self.responseFits = fits
    }

    /// One CloudWatch Embedded Metric Format line: CloudWatch turns it into metrics
    /// (`RecordsIn`, `RecordsOk`, `RecordsDropped`, `RecordsProcessingFailed`, `RecordsOverBudget`,
    /// `BytesIn`, `BytesOut`, `Duration`) under `namespace`, by `FunctionName`.
    public func embeddedMetricFormat(namespace: String, functionName: String, durationMilliseconds: Double,
                                     timestamp: Int64) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.append(raw: "{\"_aws\":{\"Timestamp\":")
        writer.append(integer: timestamp)
        writer.append(raw: ",\"CloudWatchMetrics\":[{\"Namespace\":")
        writer.appendString(namespace)
        writer.append(raw: ",\"Dimensions\":[[\"FunctionName\"]],\"Metrics\":[")
        writer.append(raw: BatchReport.metricDeclarations)
        writer.append(raw: "]}]},\"FunctionName\":")
        writer.appendString(functionName)
        if let deliveryStreamARN {
            writer.append(raw: ",\"DeliveryStreamArn\":")
            writer.appendString(deliveryStreamARN)
        }
        let counts = [recordsIn, ok, dropped, processingFailed, overBudget, bytesIn, bytesOut]
        for (key, count) in zip(BatchReport.metricKeys, counts) {
            writer.append(raw: key)
            writer.append(integer: count)
        }
        // Duration, the last metric.
        writer.append(raw: BatchReport.metricKeys[counts.count])
        writer.append(raw: String((durationMilliseconds * 1000).rounded() / 1000).utf8)
        writer.append(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// The metrics of `embeddedMetricFormat`, in the order it writes their values.
    static let metrics: [(name: String, unit: String)] = [
        ("RecordsIn", "Count"), ("RecordsOk", "Count"), ("RecordsDropped", "Count"), ("RecordsProcessingFailed", "Count"),
        ("RecordsOverBudget", "Count"), ("BytesIn", "Bytes"), ("BytesOut", "Bytes"), ("Duration", "Milliseconds"),
    ]

    /// `{"Name":…,"Unit":…},…` for every metric: the same in every line, so written once.
    static let metricDeclarations: [UInt8] = {
        var writer = JSONWriter(capacity: 512)
        for (index, metric) in metrics.enumerated() {
            if index > 0 { writer.append(UInt8(ascii: ",")) }
            writer.append(raw: "{\"Name\":")
            writer.appendString(metric.name)
            writer.append(raw: ",\"Unit\":")
            writer.appendString(metric.unit)
            writer.append(UInt8(ascii: "}"))
        }
        return writer.bytes
    }()

    /// `,"name":` for every metric, written before its value.
    static let metricKeys: [[UInt8]] = metrics.map { metric in
        var writer = JSONWriter(capacity: 64)
        writer.append(UInt8(ascii: ","))
        writer.appendString(metric.name)
        writer.append(UInt8(ascii: ":"))
        return writer.bytes
    }
}
