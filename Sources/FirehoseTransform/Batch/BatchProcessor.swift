import ByteJSON
import Dispatch
import FirehoseCodec
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LambdaRuntime
import Synchronization

/// Runs a pipeline over every record of a Firehose batch and encodes the response. Each record
/// succeeds or fails on its own; only an event that is not a Firehose batch at all throws.
public struct BatchProcessor: Sendable {
    /// What runs over every record.
    public let pipeline: Pipeline
    /// The response's size limit, Lambda's by default.
    public let responseLimit: Int
    /// How many threads share a large batch: one per vCPU the function is granted.
    public let parallelism: Int
    /// Records per thread below which a batch is not split.
    public let minimumRecordsPerThread: Int

    /// A processor running `pipeline` on up to `parallelism` threads.
    public init(pipeline: Pipeline, responseLimit: Int = LambdaLimits.responseBytes,
                parallelism: Int = 1, minimumRecordsPerThread: Int = 512) {
        self.pipeline = pipeline
        self.responseLimit = responseLimit
        self.parallelism = max(1, parallelism)
        self.minimumRecordsPerThread = max(1, minimumRecordsPerThread)
    }

    /// A processed batch.
    public struct Outcome: Sendable {
        /// The response Firehose expects.
        public let response: [UInt8]
        /// What happened, for logs and metrics.
        public let report: BatchReport
    }

    /// Processes one event. Throws only when the event is not a Firehose batch.
    public func process(_ eventBytes: Data) throws(FirehoseEventError) -> Outcome {
        let event = try FirehoseEvent(parsing: eventBytes)
        let chunks = chunks(of: event.records.count)
        let slots = Mutex<[Chunk?]>(Array(repeating: nil, count: chunks.count))
        if chunks.count == 1 {
            let chunk = process(event, range: chunks[0])
            slots.withLock { $0[0] = chunk }
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
                let chunk = process(event, range: chunks[index])
                slots.withLock { $0[index] = chunk }
            }
        }
        let processed = slots.withLock { $0.compactMap { $0 } }
        if let invalid = processed.lazy.compactMap(\.invalidEvent).first { throw invalid }

        var report = BatchReport(recordsIn: event.records.count, bytesIn: eventBytes.count,
                                 deliveryStreamARN: event.deliveryStreamARN)
        for chunk in processed {
            for failure in chunk.failures { report.recordFailure(of: failure.metadata, reason: failure.reason) }
        }
        let (output, results) = BatchProcessor.merge(processed, recordCount: event.records.count)

        let encoded = FirehoseResponse.encode(event, results: results, output: output, limit: responseLimit)
        report.tally(results, overBudget: encoded.overBudget, bytesOut: encoded.bytes.count, fits: encoded.fits)
        return Outcome(response: encoded.bytes, report: report)
    }

    /// One output buffer for all chunks, with each chunk's ranges moved to where its bytes now
    /// sit; a single chunk's is used as it is.
    static func merge(_ chunks: [Chunk], recordCount: Int) -> (output: [UInt8], results: [RecordResult]) {
        if chunks.count == 1 { return (chunks[0].output, chunks[0].results) }
        var output: [UInt8] = []
        output.reserveCapacity(chunks.reduce(0) { $0 + $1.output.count })
        var results: [RecordResult] = []
        results.reserveCapacity(recordCount)
        for chunk in chunks {
            let offset = output.count
            output.append(contentsOf: chunk.output)
            for result in chunk.results {
                if case .ok(let data, let metadata) = result {
                    results.append(.ok(data: data.shifted(by: offset), metadata: metadata?.shifted(by: offset)))
                } else {
                    results.append(result)
                }
            }
        }
        return (output, results)
    }

    /// Contiguous slices of the records when the batch is big enough to share: a few per
    /// thread, so a thread that starts late does not hold up the batch.
    func chunks(of count: Int) -> [Range<Int>] {
        let pieces = parallelism == 1 ? 1 : max(1, min(parallelism * 4, count / minimumRecordsPerThread))
        return (0..<pieces).map { piece in (count * piece / pieces)..<(count * (piece + 1) / pieces) }
    }

    struct Chunk: Sendable {
        var output: [UInt8] = []
        var results: [RecordResult] = []
        var failures: [(metadata: RecordMetadata, reason: String)] = []
        /// Set when a record shows the event is not valid JSON after all.
        var invalidEvent: FirehoseEventError?

        /// Notes that a record failed, keeping the first few reasons for the log.
        mutating func fail(_ reason: String, _ metadata: @autoclosure () -> RecordMetadata) {
            results.append(.processingFailed)
            if failures.count < BatchReport.failureSampleSize { failures.append((metadata(), reason)) }
        }
    }

    /// Transforms the records in `range`, each on its own: a failure stays with its record.
    /// Record by record through every step, in one `TransformRecord` that takes each record in
    /// turn in the buffers of the one before, so that a batch costs no allocation per record and
    /// each record's bytes stay in cache.
    private func process(_ event: FirehoseEvent, range: Range<Int>) -> Chunk {
        event.withDataReader { reader in process(event, reader, range: range) }
    }

    private func process(_ event: FirehoseEvent, _ reader: FirehoseEvent.DataReader, range: Range<Int>) -> Chunk {
        var chunk = Chunk()
        guard let first = range.first else { return chunk }
        chunk.results.reserveCapacity(range.count)
        // Room for output a quarter the size of the event, as keeping a few fields needs; more
        // grows the buffer. (Memory reserved and once touched stays resident.)
        chunk.output.reserveCapacity(event.bytes.count / 4 * range.count / max(1, event.records.count))
        let source = event.makeRecordSource()
        var record = TransformRecord(batchShape: JSONObjectShape(), metadata: event.metadata(ofRecord: first, from: source))
        for index in range {
            let failure: String?
            do throws(FirehoseEventError) {
                switch try record.refill({ buffer throws(FirehoseEventError) in try reader.decodeData(ofRecord: index, into: &buffer) }) {
                case .decoded: failure = nil
                case .missing: failure = "the record has no data"
                case .notAString(let kind): failure = "the record's data is \(kind), not a base64 string"
                case .notBase64: failure = "the record's data is not valid base64"
                }
            } catch {
                chunk.invalidEvent = error
                return chunk
            }
            if let failure {
                chunk.fail(failure, event.metadata(ofRecord: index, from: source))
                continue
            }
            record.begin(event.records[index])
            let decision: TransformDecision
            do {
                decision = try pipeline.run(&record)
            } catch {
                chunk.fail(String(describing: error), record.metadata)
                continue
            }
            guard decision == .keep else {
                chunk.results.append(.dropped)
                continue
            }
            // The response base64-encodes the payload where it writes it.
            let dataStart = chunk.output.count
            record.withUnsafeBytes { chunk.output.append(contentsOf: $0) }
            let data = dataStart..<chunk.output.count
            var metadata: Range<Int>?
            if !record.partitionKeys.isEmpty {
                let start = chunk.output.count
                BatchProcessor.appendMetadata(record.partitionKeys, to: &chunk.output)
                metadata = start..<chunk.output.count
            }
            chunk.results.append(.ok(data: data, metadata: metadata))
        }
        return chunk
    }

    /// `{"partitionKeys":{"key":"value",…}}`
    static func appendMetadata(_ keys: [(key: String, value: String)], to output: inout [UInt8]) {
        var object = JSONObjectWriter(capacity: 64)
        object.beginMember(JSONKey("partitionKeys"))
        var inner = JSONObjectWriter(capacity: 64)
        for (key, value) in keys { inner.add(JSONKey(key), string: value) }
        object.writer.append(raw: inner.finish())
        output.append(contentsOf: object.finish())
    }
}
