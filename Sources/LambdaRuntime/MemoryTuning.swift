#if canImport(Glibc)
import Glibc

/// glibc gives each thread its own malloc arena, and URLSession and Dispatch move work between
/// many threads, so the megabyte-sized buffers of successive invocations land in different
/// arenas that each keep their freed memory: resident memory creeps up (to ~106 MB after 30
/// batches of 6 MB here). One invocation runs at a time, so one arena costs no contention and
/// keeps the environment near its first invocation's peak (57 MB).
enum MemoryTuning {
    /// `M_ARENA_MAX` from `<malloc.h>`, which Swift's Glibc module does not export.
    static let arenaMaximumOption: Int32 = -8

    /// Limits malloc to one arena. Threads that already have an arena keep it, so this runs
    /// before the first one starts.
    static func useSingleArena() {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMaximumOption, 1)
    }
}
#else
enum MemoryTuning {
    static func useSingleArena() {}
}
#endif
