import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Cancels tasks whose total deadline has passed, from one thread that sleeps until the
/// earliest deadline it watches.
///
/// A dispatch timer per request would wake libdispatch's manager thread to arm it and again to
/// cancel it: about 0.15 ms of CPU per call, more than handling a small event. Here a request
/// wakes the thread only when its deadline is earlier than the one the thread sleeps until, so a
/// loop of requests with the same limit wakes it about once per limit.
final class DeadlineWatch: @unchecked Sendable {
    /// One request under watch.
    final class Entry {
        fileprivate let deadline: ContinuousClock.Instant
        fileprivate weak var task: URLSessionTask?
        fileprivate var passed = false

        fileprivate init(deadline: ContinuousClock.Instant, task: URLSessionTask) {
            self.deadline = deadline
            self.task = task
        }
    }

    /// The process's watch; its thread starts with the first request that has a deadline.
    static let shared = DeadlineWatch()

    // All guarded by `condition`.
    private let condition = NSCondition()
    private var entries: [Entry] = []
    /// What the thread sleeps until: nil when it waits for work (or has not started).
    private var wakeAt: ContinuousClock.Instant?
    private var started = false

    /// Cancels `task` at `deadline`, unless `finish` comes first.
    func watch(_ task: URLSessionTask, until deadline: ContinuousClock.Instant) -> Entry {
        let entry = Entry(deadline: deadline, task: task)
        condition.lock()
        defer { condition.unlock() }
        entries.append(entry)
        if !started {
            started = true
            Thread.detachNewThread { [self] in run() }
        } else if wakeAt.map({ deadline < $0 }) ?? true {
            condition.signal()
        }
        return entry
    }

    /// Stops watching `entry`; returns whether its deadline passed (and its task was cancelled).
    func finish(_ entry: Entry) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        entries.removeAll { $0 === entry }
        return entry.passed
    }

    private func run() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            var expired: [URLSessionTask] = []
            entries.removeAll { entry in
                guard entry.deadline <= now else { return false }
                entry.passed = true
                if let task = entry.task { expired.append(task) }
                return true
            }
            if !expired.isEmpty {
                condition.unlock()
                for task in expired { task.cancel() }
                condition.lock()
                continue
            }
            wakeAt = entries.lazy.map(\.deadline).min()
            if let wakeAt {
                _ = condition.wait(until: Date(timeIntervalSinceNow: (wakeAt - now) / .seconds(1)))
            } else {
                condition.wait()
            }
        }
    }
}
