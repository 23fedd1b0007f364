#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// `_X_AMZN_TRACE_ID`, the X-Ray header of the invocation under way, where X-Ray SDKs read it.
///
/// glibc's `setenv` keeps a copy of every value it is ever given, and every invocation brings a
/// new trace id: through `setenv`, a long-lived environment would grow by about 150 bytes per
/// invocation. So the variable lives in one buffer of the runtime's, handed to `putenv` and
/// rewritten in place.
enum TraceIDVariable {
    static let name = "_X_AMZN_TRACE_ID"

    /// The buffer `putenv` holds; replaced by a larger one only when a value outgrows it.
    private static let entry = Mutex<UnsafeMutableBufferPointer<CChar>?>(nil)

    /// Exports `traceID`, or removes the variable for nil.
    static func set(_ traceID: String?) {
        entry.withLock { buffer in
            guard let traceID else {
                unsetenv(name)
                return
            }
            let text = "\(name)=\(traceID)".utf8CString
            let target: UnsafeMutableBufferPointer<CChar>
            if let current = buffer, current.count >= text.count {
                target = current
            } else {
                // The old buffer stays allocated: a thread may still hold what `getenv` returned.
                target = .allocate(capacity: max(text.count, 256))
                buffer = target
            }
            _ = text.withUnsafeBufferPointer { target.update(fromContentsOf: $0) }
            putenv(target.baseAddress!)
        }
    }
}
