import AWSSigning
import EMRClient
import Foundation
import HTTPClient
import Synchronization

/// An in-memory EMR behind the `HTTPTransport` seam: it keeps clusters and steps, checks that
/// each request is a signed JSON 1.1 call, and plays scripted failures first.
final class StubEMR: HTTPTransport {
    enum Failure {
        case status(Int, type: String, message: String)
        case headerOnly(Int, errorType: String)
        case connectionLost
    }

    struct State {
        var clusters: [String: String] = ["j-ACTIVE": "WAITING", "j-GONE": "TERMINATED"]
        var steps: [(cluster: String, id: String, name: String, state: String, args: [String], action: String)] = []
        var failures: [Failure] = []
        var calls: [(operation: String, headers: [String: String])] = []
        /// How many of the added steps' ids `AddJobFlowSteps` answers (all when nil).
        var stepIDsAnswered: Int?
    }

    let state = Mutex(State())

    init(failures: [Failure] = []) {
        state.withLock { $0.failures = failures }
    }

    var operations: [String] { state.withLock { $0.calls.map(\.operation) } }
    var steps: [(cluster: String, id: String, name: String, state: String, args: [String], action: String)] { state.withLock { $0.steps } }

    func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        let operation = String((headers["x-amz-target"] ?? "").dropFirst("ElasticMapReduce.".count))
        return try state.withLock { state throws(HTTPTransportError) in
            state.calls.append((operation, headers))
            if !state.failures.isEmpty {
                switch state.failures.removeFirst() {
                case .status(let status, let type, let message):
                    return HTTPResponse(status: status, body: Data(#"{"__type":"com.amazonaws.elasticmapreduce#\#(type)","message":"\#(message)"}"#.utf8))
                case .headerOnly(let status, let errorType):
                    return HTTPResponse(status: status, headers: ["x-amzn-ErrorType": "\(errorType):http://internal.amazon.com/"])
                case .connectionLost:
                    throw HTTPTransportError(.connectionLost, server: "stub")
                }
            }
            guard headers["content-type"] == "application/x-amz-json-1.1",
                  headers["authorization"]?.contains("/elasticmapreduce/aws4_request") == true else {
                return HTTPResponse(status: 400, body: Data(#"{"__type":"IncompleteSignature","message":"unsigned"}"#.utf8))
            }
            let input = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            switch operation {
            case "DescribeCluster":
                let id = input["ClusterId"] as? String ?? ""
                guard let clusterState = state.clusters[id] else {
                    return HTTPResponse(status: 400, body: Data(#"{"__type":"InvalidRequestException","message":"Cluster id '\#(id)' is not valid."}"#.utf8))
                }
                return json(["Cluster": ["Id": id, "Name": "streaming-processing-cluster",
                                         "Status": ["State": clusterState, "StateChangeReason": ["Code": "USER_REQUEST", "Message": "Terminated by user request"]]]])
            case "ListSteps":
                let id = input["ClusterId"] as? String ?? ""
                let wanted = Set(input["StepStates"] as? [String] ?? [])
                let steps = state.steps.filter { $0.cluster == id && (wanted.isEmpty || wanted.contains($0.state)) }
                return json(["Steps": steps.map { ["Id": $0.id, "Name": $0.name, "Status": ["State": $0.state]] }])
            case "AddJobFlowSteps":
                let id = input["JobFlowId"] as? String ?? ""
                var ids: [String] = []
                for step in input["Steps"] as? [[String: Any]] ?? [] {
                    let stepID = "s-\(state.steps.count + 1)"
                    let jar = step["HadoopJarStep"] as? [String: Any] ?? [:]
                    state.steps.append((id, stepID, step["Name"] as? String ?? "", state.steps.isEmpty ? "RUNNING" : "PENDING",
                                        jar["Args"] as? [String] ?? [], step["ActionOnFailure"] as? String ?? ""))
                    ids.append(stepID)
                }
                return json(["StepIds": Array(ids.prefix(state.stepIDsAnswered ?? ids.count))])
            default:
                return HTTPResponse(status: 400, body: Data(#"{"__type":"UnknownOperationException"}"#.utf8))
            }
        }
    }

    private func json(_ object: [String: Any]) -> HTTPResponse {
        HTTPResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }
}
