import Foundation
import Glibc
import Synchronization

/// How a runtime process ended, in the words Lambda uses.
enum ExitStatus: Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus status: Int32) {
        self = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
    }

    var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): signal == SIGKILL ? "signal: killed" : "signal: \(signal)"
        }
    }
}

/// A runtime (normally `bootstrap`) started in its own process group, with its stdout sent to
/// our stderr so that only responses reach the emulator's stdout.
final class RuntimeProcess: Sendable {
    let pid: pid_t
    /// The process group of the most recently started runtime, for signal handlers.
    static let latestProcessGroup = Atomic<Int32>(0)

    /// Starts `command` and calls `onExit` from a background thread when it ends, with how it
    /// ended and its peak resident memory in kB.
    init(command: [String], environment: [String: String], onExit: @escaping @Sendable (ExitStatus, Int) -> Void) throws {
        guard !command.isEmpty else { throw EmulatorError("no runtime command given") }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, command[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw EmulatorError("cannot start runtime \(command[0]): \(String(cString: strerror(result)))")
        }
        let child = pid
        self.pid = child
        RuntimeProcess.latestProcessGroup.store(child, ordering: .relaxed)
        Thread.detachNewThread {
            var status: Int32 = 0
            var usage = rusage()
            while wait4(child, &status, 0, &usage) < 0 && errno == EINTR {}
            onExit(ExitStatus(waitStatus: status), usage.ru_maxrss)
        }
    }

    /// Kills the runtime and everything it started.
    func kill(signal: Int32 = SIGKILL) {
        Glibc.kill(-pid, signal)
    }

    /// The process's peak resident memory so far (`VmHWM`), in kB.
    var peakMemoryKilobytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
}
