import Foundation
import Glibc

let usage = """
    usage: lambda-emulator invoke HANDLER EVENT_FILE [options] [-- RUNTIME_COMMAND...]
           lambda-emulator serve  HANDLER [options] [-- RUNTIME_COMMAND...]
           lambda-emulator bench  HANDLER EVENT_FILE [--count N] [--warmup N] [options] [-- RUNTIME_COMMAND...]

    A local Lambda Runtime API. It starts the runtime (by default the `streaming-lambdas` built
    next to this program) with Lambda's environment and _HANDLER=HANDLER, then:
      invoke  runs EVENT_FILE ('-' for stdin) once: prints the response on stdout and exits 0,
              or prints the error JSON and exits 1.
      serve   keeps the runtime up and accepts invocations, as AWS's Runtime Interface Emulator:
              curl -d @event.json http://127.0.0.1:PORT/2015-03-31/functions/function/invocations
      bench   invokes EVENT_FILE repeatedly and prints per-invocation round-trip times as JSON.

    options:
      --timeout SECONDS       the function's timeout (default 30)
      --memory MB             the function's memory size (default 128)
      --function-name NAME    (default: HANDLER)
      --env NAME=VALUE        set a variable for the function (repeatable)
      --clean-env             start the function with Lambda's variables and --env ones only
      --port N                listen port (default 9000 for serve, any free port otherwise)
      --port-file PATH        write the port there once listening
      --runtime-pid-file PATH write the runtime's process id there each time it starts (benchmarks)
      --idle-timeout SECONDS  close a connection silent this long (default 30)
      --client-context JSON   client context for `invoke`
      --cognito-identity JSON Cognito identity for `invoke`
      --quiet                 no START/END/REPORT lines
    """

struct Options {
    var mode = ""
    var handler = ""
    var eventFile: String?
    var timeout = 30.0
    var memory = 128
    var functionName: String?
    var environment: [(String, String)] = []
    var cleanEnvironment = false
    var port: UInt16?
    var portFile: String?
    var runtimePidFile: String?
    var idleTimeout = 30.0
    var clientContext: String?
    var cognitoIdentity: String?
    var quiet = false
    var count = 1000
    var warmup = 100
    var command: [String] = []

    init(arguments: [String]) throws {
        var positional: [String] = []
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw EmulatorError("\(flag) needs a value") }
            return next
        }
        func number<T: LosslessStringConvertible>(_ flag: String) throws -> T {
            let text = try value(flag)
            guard let number = T(text) else { throw EmulatorError("\(flag): not a number: \(text)") }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--": command = Array(rest); rest = []
            case "--timeout": timeout = try number(argument)
            case "--memory": memory = try number(argument)
            case "--function-name": functionName = try value(argument)
            case "--env":
                let pair = try value(argument)
                guard let equals = pair.firstIndex(of: "=") else { throw EmulatorError("--env expects NAME=VALUE, got \(pair)") }
                environment.append((String(pair[..<equals]), String(pair[pair.index(after: equals)...])))
            case "--clean-env": cleanEnvironment = true
            case "--port": port = try number(argument)
            case "--port-file": portFile = try value(argument)
            case "--runtime-pid-file": runtimePidFile = try value(argument)
            case "--idle-timeout": idleTimeout = try number(argument)
            case "--client-context": clientContext = try value(argument)
            case "--cognito-identity": cognitoIdentity = try value(argument)
            case "--quiet": quiet = true
            case "--count": count = try number(argument)
            case "--warmup": warmup = try number(argument)
            case "-h", "--help", "help": throw EmulatorError(usage)
            default:
                guard !argument.hasPrefix("--") else { throw EmulatorError("unknown option \(argument)\n\n\(usage)") }
                positional.append(argument)
            }
        }
        guard let mode = positional.first, ["invoke", "serve", "bench"].contains(mode) else { throw EmulatorError(usage) }
        self.mode = mode
        let needsEvent = mode != "serve"
        guard positional.count == (needsEvent ? 3 : 2) else { throw EmulatorError(usage) }
        handler = positional[1]
        eventFile = needsEvent ? positional[2] : nil
        guard timeout > 0, memory > 0, count > 0, warmup >= 0, idleTimeout > 0 else {
            throw EmulatorError("--timeout, --memory, --count and --idle-timeout must be positive")
        }
    }
}

/// Lambda's environment for the function, over the caller's (unless `--clean-env`).
func functionEnvironment(_ options: Options, port: UInt16, command: [String]) -> [String: String] {
    let host = ProcessInfo.processInfo.environment
    var environment = options.cleanEnvironment ? ["PATH": host["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"] : host
    let name = options.functionName ?? options.handler
    let region = host["AWS_REGION"] ?? host["AWS_DEFAULT_REGION"] ?? "us-east-1"
    let taskRoot = command[0].contains("/") ? URL(fileURLWithPath: command[0]).deletingLastPathComponent().path : FileManager.default.currentDirectoryPath
    let stream = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
    environment.merge([
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(port)",
        "_HANDLER": options.handler,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(options.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(name)",
        "AWS_LAMBDA_LOG_STREAM_NAME": "\(today.replacingOccurrences(of: "-", with: "/"))/[$LATEST]\(stream)",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "LAMBDA_TASK_ROOT": taskRoot,
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
    ]) { _, lambda in lambda }
    for (key, value) in options.environment { environment[key] = value }
    return environment
}

func run() throws -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    // Whoever started us may have blocked these (test runners do); we must still stop on them.
    var stopSignals = sigset_t()
    sigemptyset(&stopSignals)
    sigaddset(&stopSignals, SIGINT)
    sigaddset(&stopSignals, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &stopSignals, nil)
    for signalNumber in [SIGINT, SIGTERM] {
        signal(signalNumber) { received in
            let group = RuntimeProcess.latestProcessGroup.load(ordering: .relaxed)
            if group > 0 { kill(-group, SIGKILL) }
            _exit(128 + received)
        }
    }
    let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    let event: [UInt8]? = try options.eventFile.map { path in
        path == "-" ? Array(FileHandle.standardInput.readDataToEndOfFile())
            : Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    let server = try HTTPServer(port: options.port ?? (options.mode == "serve" ? 9000 : 0),
                                idleTimeout: .milliseconds(Int64(options.idleTimeout * 1000)))
    let command = options.command.isEmpty
        ? [Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("streaming-lambdas").path]
        : options.command
    let region = ProcessInfo.processInfo.environment["AWS_REGION"] ?? "us-east-1"
    let name = options.functionName ?? options.handler
    let broker = RuntimeAPIBroker(configuration: .init(
        command: command,
        environment: functionEnvironment(options, port: server.port, command: command),
        functionName: name,
        functionARN: "arn:aws:lambda:\(region):012345678912:function:\(name)",
        timeout: options.timeout,
        memorySize: options.memory,
        printReports: !options.quiet && options.mode != "bench",
        pidFile: options.runtimePidFile))
    server.start(generation: broker.currentGeneration) { request, connection in
        broker.route(request, connection: connection)
    }
    if let portFile = options.portFile {
        try String(server.port).write(toFile: portFile, atomically: true, encoding: .utf8)
    }

    switch options.mode {
    case "serve":
        FileHandle.standardError.write(Data("lambda-emulator: \(options.handler) listening on http://127.0.0.1:\(server.port)\(RuntimeAPIBroker.invokePath)\n".utf8))
        try broker.startRuntime()
        while true { pause() }
    case "bench":
        defer { broker.shutdown() }
        return bench(broker, event: event!, options: options)
    default:
        defer { broker.shutdown() }
        let result = broker.invoke(event!, clientContext: options.clientContext, cognitoIdentity: options.cognitoIdentity)
        switch result {
        case .success(let body):
            FileHandle.standardOutput.write(Data(body))
            return 0
        case .failure(_, let body):
            FileHandle.standardOutput.write(Data(body))
            return 1
        }
    }
}

/// Invokes the event `warmup + count` times and prints round-trip statistics as one JSON line.
func bench(_ broker: RuntimeAPIBroker, event: [UInt8], options: Options) -> Int32 {
    var samples: [Double] = []
    samples.reserveCapacity(options.count)
    for index in 0..<(options.warmup + options.count) {
        let start = DispatchTime.now().uptimeNanoseconds
        if case .failure(_, let body) = broker.invoke(event) {
            FileHandle.standardError.write(Data("invocation \(index) failed: ".utf8) + Data(body) + Data("\n".utf8))
            return 1
        }
        if index >= options.warmup {
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
    }
    samples.sort()
    func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
    let mean = samples.reduce(0, +) / Double(samples.count)
    let summary = String(format: "{\"invocations\":%d,\"mean_us\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_memory_mb\":%d}\n",
                         samples.count, mean, percentile(0.5), percentile(0.9), percentile(0.99), broker.peakMemoryMegabytes)
    FileHandle.standardOutput.write(Data(summary.utf8))
    return 0
}

do {
    exit(try run())
} catch {
    FileHandle.standardError.write(Data("lambda-emulator: \(error)\n".utf8))
    exit(2)
}
