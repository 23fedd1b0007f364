import AWSSigning
import EMRClient

/// Why the trigger could not add its step; each names the Lambda `errorType` it reports.
public enum TriggerError: Error, CustomStringConvertible, Sendable {
    /// The cluster is terminated, terminating or unknown.
    case clusterNotActive(clusterID: String, state: String, reason: String?)
    case emr(EMRError)

    public var errorType: String {
        switch self {
        case .clusterNotActive: "EMR.ClusterNotActive"
        case .emr(let error):
            if error.isAuthenticationFailure { "EMR.AccessDenied" } else if error.isThrottling { "EMR.Throttled" } else { "EMR.\(error.code)" }
        }
    }

    public var description: String {
        switch self {
        case .clusterNotActive(let id, let state, let reason):
            "EMR cluster \(id) is \(state) and cannot take steps\(reason.map { ": \($0)" } ?? "")"
        case .emr(let error) where error.isAuthenticationFailure:
            "\(error) (check the function's credentials and its role's elasticmapreduce permissions)"
        case .emr(let error):
            error.description
        }
    }
}

/// What one event came to, returned as the invocation's response.
public struct TriggerSummary: Encodable, Sendable, Equatable {
    /// A step EMR accepted.
    public struct AddedStep: Encodable, Sendable, Equatable {
        /// EMR's id for it (`s-…`).
        public let stepId: String
        /// Its name, which identifies its inputs.
        public let name: String
        /// The `s3://` URIs of the objects it processes.
        public let inputs: [String]
    }

    /// An object of the event that is not work for a step.
    public struct Ignored: Encodable, Sendable, Equatable {
        /// Its `s3://` URI (as the event names it).
        public let object: String
        /// Why no step processes it.
        public let reason: String
    }

    /// The cluster the steps went to.
    public var clusterId: String
    /// The steps added.
    public var added: [AddedStep] = []
    /// Steps not added because one of the same name is already pending or running.
    public var duplicates: [String] = []
    /// Objects that are not work.
    public var ignored: [Ignored] = []
    /// Whether the event was S3's `s3:TestEvent`, sent when a notification is configured.
    public var testEvent = false
}

/// Turns S3 events into Spark steps on the cluster: one `command-runner.jar` step per event and
/// bucket, named after its inputs so that a redelivered event is recognized and skipped.
public struct EMRTrigger: Sendable {
    /// What the steps run and where.
    public let configuration: TriggerConfiguration
    let client: EMRClient

    /// A trigger that adds steps as `configuration` says, through `client`.
    public init(configuration: TriggerConfiguration, client: EMRClient) {
        self.configuration = configuration
        self.client = client
    }

    /// A step to add: its inputs, and the name and configuration EMR receives.
    public struct PlannedStep: Sendable, Equatable {
        /// The objects it processes.
        public let inputs: [S3Object]
        /// Its name and `command-runner.jar` arguments, as `AddJobFlowSteps` takes them.
        public let config: StepConfig
    }

    /// The steps an event asks for, and the objects that are not work (with why).
    public func plan(_ objects: [S3Object]) -> (steps: [PlannedStep], ignored: [TriggerSummary.Ignored]) {
        var ignored: [TriggerSummary.Ignored] = []
        var work: [S3Object] = []
        for object in objects {
            if object.undecodableKey {
                ignored.append(.init(object: object.uri, reason: "the key is not valid URL encoding, so it names no object"))
            } else if object.key.hasSuffix("/") {
                ignored.append(.init(object: object.uri, reason: "a folder marker"))
            } else if object.size == 0 {
                ignored.append(.init(object: object.uri, reason: "an empty object"))
            } else if !object.key.hasPrefix(configuration.inputPrefix) {
                ignored.append(.init(object: object.uri, reason: "outside the input prefix \(configuration.inputPrefix)"))
            } else if !work.contains(object) {
                work.append(object)
            }
        }
        var buckets: [String] = []
        for object in work where !buckets.contains(object.bucket) { buckets.append(object.bucket) }
        let steps = buckets.map { bucket in
            let inputs = work.filter { $0.bucket == bucket }
            let arguments = ["spark-submit", "--deploy-mode", "cluster"] + configuration.sparkSubmitArguments
                + [configuration.resolve(configuration.script, bucket: bucket)] + inputs.map(\.uri)
                + [configuration.resolve(configuration.outputPrefix, bucket: bucket)]
            return PlannedStep(inputs: inputs, config: StepConfig(
                name: EMRTrigger.stepName(for: inputs), actionOnFailure: configuration.actionOnFailure,
                hadoopJarStep: .init(jar: "command-runner.jar", args: arguments)))
        }
        return (steps, ignored)
    }

    /// `streaming-processor <first key> (+N more) [hash]`: the hash of every input's bucket, key
    /// and eTag makes the name the same whenever S3 redelivers the event, in any order, and
    /// differ otherwise.
    static func stepName(for inputs: [S3Object]) -> String {
        let identity = inputs.map { "\($0.bucket)\n\($0.key)\n\($0.eTag ?? "")\n" }.sorted().joined()
        let hash = SHA256.hash(Array(identity.utf8)).prefix(8).hexString
        let more = inputs.count > 1 ? " (+\(inputs.count - 1) more)" : ""
        let suffix = "\(more) [\(hash)]"
        let budget = 256 - "streaming-processor ".count - suffix.count
        var key = inputs.map(\.key).min() ?? ""
        if key.count > budget { key = "…" + key.suffix(budget - 1) }
        return "streaming-processor \(key)\(suffix)"
    }

    /// Handles one event: checks the cluster, skips duplicates, adds the steps.
    public func handle(_ event: S3Event, deadline: ContinuousClock.Instant,
                       log: @Sendable (String) -> Void = { _ in }) async throws(TriggerError) -> TriggerSummary {
        var summary = TriggerSummary(clusterId: configuration.clusterID)
        guard case .objectsCreated(let objects) = event else {
            log("ignoring the s3:TestEvent S3 sends when a notification is configured")
            summary.testEvent = true
            return summary
        }
        let (steps, ignored) = plan(objects)
        summary.ignored = ignored
        for item in ignored { log("ignoring \(item.object): \(item.reason)") }
        guard !steps.isEmpty else { return summary }

        do {
            let cluster = try await client.describeCluster(configuration.clusterID, deadline: deadline)
            guard cluster.acceptsSteps else {
                let reason = cluster.status.stateChangeReason.flatMap { $0.message ?? $0.code }
                throw TriggerError.clusterNotActive(clusterID: configuration.clusterID, state: cluster.status.state, reason: reason)
            }
            let active = Set(try await client.listSteps(clusterID: configuration.clusterID, states: ["PENDING", "RUNNING"], deadline: deadline).map(\.name))
            let fresh = steps.filter { !active.contains($0.config.name) }
            summary.duplicates = steps.filter { active.contains($0.config.name) }.map(\.config.name)
            for name in summary.duplicates { log("step \"\(name)\" is already pending or running: not adding it again") }
            guard !fresh.isEmpty else { return summary }
            let ids = try await client.addJobFlowSteps(clusterID: configuration.clusterID, steps: fresh.map(\.config), deadline: deadline)
            for (step, id) in zip(fresh, ids) {
                summary.added.append(.init(stepId: id, name: step.config.name, inputs: step.inputs.map(\.uri)))
                log("added step \(id) \"\(step.config.name)\" for \(step.inputs.count) object(s)")
            }
            return summary
        } catch let error as TriggerError {
            throw error
        } catch let error as EMRError {
            if case .service(let code, _) = error.kind, code == "InvalidRequestException" || code == "NoSuchCluster",
               error.message.contains(configuration.clusterID) {
                throw TriggerError.clusterNotActive(clusterID: configuration.clusterID, state: "unknown", reason: error.message)
            }
            throw TriggerError.emr(error)
        } catch {
            throw TriggerError.emr(EMRError(operation: "trigger", kind: .transport, message: "\(error)"))
        }
    }
}
