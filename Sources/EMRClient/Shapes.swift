// EMR's request and response shapes, as far as the trigger needs them.

/// A step for `AddJobFlowSteps`: one JAR run on the cluster, and what to do if it fails.
public struct StepConfig: Codable, Sendable, Equatable {
    /// What a step runs: a JAR (`command-runner.jar` for `spark-submit`) and its arguments.
    public struct HadoopJarStep: Codable, Sendable, Equatable {
        /// The JAR's path or S3 URI, or `command-runner.jar` to run a command.
        public var jar: String
        /// Arguments to the JAR; for `command-runner.jar`, the command and its arguments.
        public var args: [String]

        /// `jar` run with `args`.
        public init(jar: String, args: [String]) {
            self.jar = jar
            self.args = args
        }

        enum CodingKeys: String, CodingKey { case jar = "Jar", args = "Args" }
    }

    /// The name `ListSteps` reports, by which callers recognize steps already queued.
    public var name: String
    /// `TERMINATE_JOB_FLOW`, `TERMINATE_CLUSTER`, `CANCEL_AND_WAIT` or `CONTINUE`.
    public var actionOnFailure: String
    /// What the step runs.
    public var hadoopJarStep: HadoopJarStep

    /// A step named `name` that runs `hadoopJarStep`.
    public init(name: String, actionOnFailure: String, hadoopJarStep: HadoopJarStep) {
        self.name = name
        self.actionOnFailure = actionOnFailure
        self.hadoopJarStep = hadoopJarStep
    }

    enum CodingKeys: String, CodingKey { case name = "Name", actionOnFailure = "ActionOnFailure", hadoopJarStep = "HadoopJarStep" }
}

/// A step as `ListSteps` reports it.
public struct StepSummary: Decodable, Sendable {
    /// Where the step is in its lifecycle.
    public struct Status: Decodable, Sendable {
        /// `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, …
        public var state: String
        enum CodingKeys: String, CodingKey { case state = "State" }
    }

    /// The step id (`s-…`).
    public var id: String
    /// The name the step was added with.
    public var name: String
    /// The step's current state.
    public var status: Status

    enum CodingKeys: String, CodingKey { case id = "Id", name = "Name", status = "Status" }
}

/// A cluster as `DescribeCluster` reports it, as far as deciding whether it can take steps.
public struct Cluster: Decodable, Sendable {
    /// The cluster's state and why it last changed.
    public struct Status: Decodable, Sendable {
        /// Why the cluster last changed state, as EMR explains it.
        public struct Reason: Decodable, Sendable {
            /// A machine-readable code (`USER_REQUEST`, `ALL_STEPS_COMPLETED`, …), when given.
            public var code: String?
            /// A human-readable explanation, when given.
            public var message: String?
            enum CodingKeys: String, CodingKey { case code = "Code", message = "Message" }
        }

        /// `STARTING`, `BOOTSTRAPPING`, `RUNNING`, `WAITING`, `TERMINATING`, `TERMINATED`
        /// or `TERMINATED_WITH_ERRORS`.
        public var state: String
        /// Why the cluster is in `state`, when EMR says.
        public var stateChangeReason: Reason?
        enum CodingKeys: String, CodingKey { case state = "State", stateChangeReason = "StateChangeReason" }
    }

    /// The cluster id (`j-…`).
    public var id: String
    /// The cluster's name, when EMR returns one.
    public var name: String?
    /// The cluster's current state.
    public var status: Status

    /// States in which a cluster accepts new steps.
    public static let activeStates: Set<String> = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]

    /// Whether the cluster is in one of `activeStates`, so adding steps can succeed.
    public var acceptsSteps: Bool { Cluster.activeStates.contains(status.state) }

    enum CodingKeys: String, CodingKey { case id = "Id", name = "Name", status = "Status" }
}

struct DescribeClusterInput: Encodable {
    let clusterId: String
    enum CodingKeys: String, CodingKey { case clusterId = "ClusterId" }
}

struct DescribeClusterOutput: Decodable {
    let cluster: Cluster
    enum CodingKeys: String, CodingKey { case cluster = "Cluster" }
}

struct ListStepsInput: Encodable {
    let clusterId: String
    let stepStates: [String]
    let marker: String?
    enum CodingKeys: String, CodingKey { case clusterId = "ClusterId", stepStates = "StepStates", marker = "Marker" }
}

struct ListStepsOutput: Decodable {
    let steps: [StepSummary]?
    let marker: String?
    enum CodingKeys: String, CodingKey { case steps = "Steps", marker = "Marker" }
}

struct AddJobFlowStepsInput: Encodable {
    let jobFlowId: String
    let steps: [StepConfig]
    enum CodingKeys: String, CodingKey { case jobFlowId = "JobFlowId", steps = "Steps" }
}

struct AddJobFlowStepsOutput: Decodable {
    let stepIds: [String]
    enum CodingKeys: String, CodingKey { case stepIds = "StepIds" }
}
