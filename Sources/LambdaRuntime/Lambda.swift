#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import HTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The custom runtime: pick the handler named by `_HANDLER`, then loop on the Runtime API,
/// handing each event to it and posting its response or error, until the API fails.
///
/// A binary's `main.swift` is one call:
///
/// ```swift
/// Lambda.main(handlers: [.firehoseTransform(), .s3EMRTrigger()])
/// ```
public enum Lambda {
    /// Runs the runtime for this process and exits when the Runtime API fails. Call it from
    /// `main.swift` before anything else: it tunes malloc before the first thread starts.
    public static func main(handlers: HandlerCatalog) -> Never {
        MemoryTuning.apply()
        let environment = LambdaEnvironment(ProcessInfo.processInfo.environment)
        let logger = LambdaLogger(environment: environment)
        guard let endpoint = environment.runtimeAPI else {
            logger.fatal("AWS_LAMBDA_RUNTIME_API is not set: this program is a Lambda custom runtime; run it on Lambda or through the local emulator")
            exit(1)
        }
        RuntimeAPIClient.bypassProxies(for: RuntimeAPIClient.host(of: endpoint))
        let transport = URLSessionTransport()
        Task.detached {
            exit(await run(handlers: handlers, environment: environment, transport: transport, logger: logger))
        }
        dispatchMain()
    }

    /// Initializes the handler and serves events from the Runtime API that `environment` names,
    /// through `transport`, until the API fails. Returns the exit code.
    public static func run(handlers: HandlerCatalog, environment: LambdaEnvironment,
                           transport: some HTTPTransport, logger: LambdaLogger) async -> Int32 {
        let client = RuntimeAPIClient(endpoint: environment.runtimeAPI ?? "127.0.0.1:9001", transport: transport)
        let handler: any LambdaHandler
        do {
            handler = try handlers.makeHandler(named: environment.handlerName, environment: environment)
        } catch {
            let response = ErrorResponse(error)
            logger.fatal("init failed: \(response.errorType): \(response.errorMessage)")
            do {
                if case .rejected(_, let message) = try await client.postInitError(response) {
                    logger.fatal("the Runtime API refused the init error: \(message)")
                }
            } catch {
                logger.fatal("could not report the init error: \(error)")
            }
            return 1
        }

        while true {
            do {
                let invocation = try await client.next()
                try await serve(invocation, with: handler, client: client, environment: environment, logger: logger)
            } catch {
                logger.fatal("Runtime API failure, exiting so Lambda restarts the environment: \(error)")
                return 1
            }
        }
    }

    /// Runs one invocation and reports its outcome. Throws only when the Runtime API fails.
    static func serve(_ invocation: Invocation, with handler: any LambdaHandler, client: RuntimeAPIClient,
                      environment: LambdaEnvironment, logger: LambdaLogger) async throws(RuntimeAPIError) {
        TraceIDVariable.set(invocation.traceID)
        let requestLogger = logger.with(requestID: invocation.requestID)
        let context = LambdaContext(
            requestID: invocation.requestID, deadlineEpochMilliseconds: invocation.deadlineEpochMilliseconds,
            invokedFunctionARN: invocation.invokedFunctionARN, traceID: invocation.traceID,
            clientContext: invocation.clientContext, cognitoIdentity: invocation.cognitoIdentity,
            environment: environment, logger: requestLogger)

        let result: Result<[UInt8], any Error>
        do {
            result = .success(try await handler.handle(invocation.event, context: context))
        } catch {
            result = .failure(error)
        }

        switch result {
        case .success(let output):
            switch try await client.postResponse(requestID: invocation.requestID, body: output) {
            case .accepted:
                break
            case .tooLarge:
                let response = ErrorResponse(
                    errorType: "Function.ResponseSizeTooLarge",
                    errorMessage: "Response payload size (\(output.count) bytes) exceeded maximum allowed payload size (\(LambdaLimits.responseBytes) bytes).")
                requestLogger.error(response.errorMessage)
                try await report(response, for: invocation, client: client, logger: requestLogger)
            case .rejected(_, let message):
                requestLogger.warning("the Runtime API refused the response: \(message)")
            }
        case .failure(let error):
            let response = ErrorResponse(error)
            requestLogger.error("invocation failed: \(response.errorType): \(response.errorMessage)")
            try await report(response, for: invocation, client: client, logger: requestLogger)
        }
    }

    private static func report(_ error: ErrorResponse, for invocation: Invocation, client: RuntimeAPIClient,
                               logger: LambdaLogger) async throws(RuntimeAPIError) {
        if case .rejected(_, let message) = try await client.postError(requestID: invocation.requestID, error) {
            logger.warning("the Runtime API refused the error report: \(message)")
        }
    }
}
