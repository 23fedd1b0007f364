/// EMR's request and response shapes, as far as the trigger needs them.

public struct StepConfig: Codable, Sendable, Equatable {
    public struct HadoopJarStep: Codable, Sendable, Equatable {
        public var jar: String
        public var args: [String]

        public init(jar: String, args: [String]) {
            self.jar = jar
            self.args = args
        }

        enum CodingKeys: String, CodingKey { case jar = "Jar", args = "Args" }
    }

    public var name: String
    /// `TERMINATE_JOB_FLOW`, `TERMINATE_CLUSTER`, `CANCEL_AND_WAIT` or `CONTINUE`.
    public var actionOnFailure: String
    public var hadoopJarStep: HadoopJarStep

    public init(name: String, actionOnFailure: String, hadoopJarStep: HadoopJarStep) {
        self.name = name
        self.actionOnFailure = actionOnFailure
        self.hadoopJarStep = hadoopJarStep
    }

    enum CodingKeys: String, CodingKey { case name = "Name", actionOnFailure = "ActionOnFailure", hadoopJarStep = "HadoopJarStep" }
}

public struct StepSummary: Decodable, Sendable {
    public struct Status: Decodable, Sendable {
        public var state: String
        enum CodingKeys: String, CodingKey { case state = "State" }
    }

    public var id: String
    public var name: String
    public var status: Status

    enum CodingKeys: String, CodingKey { case id = "Id", name = "Name", status = "Status" }
}

public struct Cluster: Decodable, Sendable {
    public struct Status: Decodable, Sendable {
        public struct Reason: Decodable, Sendable {
            public var code: String?
            public var message: String?
            enum CodingKeys: String, CodingKey { case code = "Code", message = "Message" }
        }

        public var state: String
        public var stateChangeReason: Reason?
        enum CodingKeys: String, CodingKey { case state = "State", stateChangeReason = "StateChangeReason" }
    }

    public var id: String
    public var name: String?
    public var status: Status

    /// States in which a cluster accepts new steps.
    public static let activeStates: Set<String> = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]

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
