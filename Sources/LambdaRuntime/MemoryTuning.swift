#if canImport(Glibc)
import Glibc

/// How malloc should treat a process that handles one multi-megabyte invocation at a time.
///
/// - One arena: glibc gives each thread its own, and URLSession and Dispatch move work between
///   many threads, so the megabyte-sized buffers of successive invocations land in different
///   arenas that each keep their freed memory: resident memory creeps up (to ~106 MB after 30
///   batches of 6 MB here). One invocation runs at a time, so one arena costs no contention and
///   keeps the environment near its first invocation's peak (57 MB).
/// - Large buffers from the heap, kept when freed: by default a 6 MB buffer is mapped fresh and
///   unmapped when freed, or trimmed from the heap's top, so every invocation faulted its pages
///   in again (about a thousand faults per 6 MB batch). The next invocation reuses them instead.
///
/// `Lambda.main` applies it; a benchmark of a handler alone applies it too, to run the handler
/// as `bootstrap` does.
public enum MemoryTuning {
    /// `M_TRIM_THRESHOLD`, `M_MMAP_THRESHOLD` and `M_ARENA_MAX` from `<malloc.h>`, which Swift's
    /// Glibc module does not export.
    static let trimThresholdOption: Int32 = -1
    static let mapThresholdOption: Int32 = -3
    static let arenaMaximumOption: Int32 = -8
    /// Above Lambda's 6 MB payloads and what holds them, below glibc's 32 MB ceiling.
    static let mapThreshold: Int32 = 16 << 20
    /// Free memory the heap's top keeps: a large invocation's worth.
    static let trimThreshold: Int32 = 64 << 20

    /// Applies the settings. Threads that already have an arena keep it, so this runs before the
    /// first one starts.
    public static func apply() {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(arenaMaximumOption, 1)
        _ = mallopt(mapThresholdOption, mapThreshold)
        _ = mallopt(trimThresholdOption, trimThreshold)
    }
}
#else
/// How malloc should treat a process that handles one multi-megabyte invocation at a time:
/// glibc's settings, so nothing to do elsewhere.
public enum MemoryTuning {
    /// Does nothing without glibc.
    public static func apply() {}
}
#endif
