#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ByteJSON
import CivilTime

/// Logging as Lambda's advanced logging controls expect: with `AWS_LAMBDA_LOG_FORMAT=JSON`,
/// one JSON object per line (`timestamp`, `level`, `message`, `requestId`); otherwise tab-separated
/// text. Lines below `AWS_LAMBDA_LOG_LEVEL` (default `INFO`) are dropped.
public struct LambdaLogger: Sendable {
    /// Severity, from `trace` to `fatal`, named as `AWS_LAMBDA_LOG_LEVEL` names them.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace, debug, info, warn, error, fatal

        /// The upper-case name written in lines and read from `AWS_LAMBDA_LOG_LEVEL`.
        public var name: String {
            switch self {
            case .trace: "TRACE"
            case .debug: "DEBUG"
            case .info: "INFO"
            case .warn: "WARN"
            case .error: "ERROR"
            case .fatal: "FATAL"
            }
        }

        /// The level named `name` in any case (`WARNING` too, for `warn`); nil when unknown.
        public init?(name: String) {
            let upper = name.uppercased()
            guard let level = Level.allCases.first(where: { $0.name == upper || (upper == "WARNING" && $0 == .warn) }) else {
                return nil
            }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Tab-separated text or one JSON object per line, as `AWS_LAMBDA_LOG_FORMAT` chooses.
    public enum Format: Sendable { case text, json }

    /// Where finished lines go; each call receives one whole line, newline included.
    public typealias Sink = @Sendable ([UInt8]) -> Void

    /// How lines are written.
    public let format: Format
    /// Lines below this level are dropped.
    public let minimumLevel: Level
    /// The request id every line carries; nil outside an invocation (`-` in text lines).
    public let requestID: String?
    private let sink: Sink

    /// A logger writing `format` lines at `minimumLevel` and above to `sink`.
    public init(format: Format, minimumLevel: Level = .info, requestID: String? = nil, sink: @escaping Sink = LambdaLogger.standardError) {
        self.format = format
        self.minimumLevel = minimumLevel
        self.requestID = requestID
        self.sink = sink
    }

    /// The logger that `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL` ask for.
    public init(environment: LambdaEnvironment, sink: @escaping Sink = LambdaLogger.standardError) {
        let format: Format = environment["AWS_LAMBDA_LOG_FORMAT"]?.uppercased() == "JSON" ? .json : .text
        let level = environment["AWS_LAMBDA_LOG_LEVEL"].flatMap(Level.init(name:)) ?? .info
        self.init(format: format, minimumLevel: level, sink: sink)
    }

    /// The same logger, tagging lines with `requestID`.
    public func with(requestID: String?) -> LambdaLogger {
        LambdaLogger(format: format, minimumLevel: minimumLevel, requestID: requestID, sink: sink)
    }

    /// Whether lines at `level` are written, so callers can skip building costly messages.
    public func isEnabled(_ level: Level) -> Bool { level >= minimumLevel }

    /// Writes `message` at `level`; the message is built only when the level is enabled.
    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        sink(line(level: level, message: message(), time: UTCTime.now()))
    }

    /// Logs `message` at `trace`.
    public func trace(_ message: @autoclosure () -> String) { log(.trace, message()) }
    /// Logs `message` at `debug`.
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    /// Logs `message` at `info`.
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    /// Logs `message` at `warn`.
    public func warning(_ message: @autoclosure () -> String) { log(.warn, message()) }
    /// Logs `message` at `error`.
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
    /// Logs `message` at `fatal`.
    public func fatal(_ message: @autoclosure () -> String) { log(.fatal, message()) }

    /// Writes a line exactly as given, whatever the format and level: for records that other
    /// AWS tooling parses, such as CloudWatch Embedded Metric Format.
    public func write(rawLine: [UInt8]) {
        var line = rawLine
        if line.last != 0x0A { line.append(0x0A) }
        sink(line)
    }

    func line(level: Level, message: String, time: UTCTime) -> [UInt8] {
        var writer = JSONWriter(capacity: message.utf8.count + 96)
        switch format {
        case .json:
            writer.append(raw: "{\"timestamp\":")
            writer.appendString(time.rfc3339)
            writer.append(raw: ",\"level\":")
            writer.appendString(level.name)
            writer.append(raw: ",\"message\":")
            writer.appendString(message)
            if let requestID {
                writer.append(raw: ",\"requestId\":")
                writer.appendString(requestID)
            }
            writer.append(UInt8(ascii: "}"))
        case .text:
            writer.append(raw: time.rfc3339.utf8)
            writer.append(0x09)
            writer.append(raw: (requestID ?? "-").utf8)
            writer.append(0x09)
            writer.append(raw: level.name.utf8)
            writer.append(0x09)
            // One log event per line: keep multi-line messages together, as Lambda's own runtimes do.
            writer.append(raw: message.utf8.map { $0 == 0x0A ? 0x0D : $0 })
        }
        writer.append(0x0A)
        return writer.bytes
    }

    /// Writes each line to standard error with a single `write(2)`, so lines never interleave.
    public static let standardError: Sink = { line in writeAll(line, to: 2) }
}

/// Writes all of `bytes` to `descriptor`, retrying short writes and interruptions.
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
