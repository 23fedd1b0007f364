import Foundation

/// An object S3 reports as created.
public struct S3Object: Sendable, Hashable {
    /// The bucket's name.
    public let bucket: String
    /// The key as stored (notifications' URL encoding removed), or as sent when it could not be
    /// decoded (see `undecodableKey`).
    public let key: String
    /// The object's size in bytes, when the event says.
    public let size: Int64?
    /// The object's eTag, when the event says.
    public let eTag: String?
    /// Set when the notification's key is not valid URL encoding: such a key names no object
    /// that can exist, so the trigger ignores it rather than guess.
    public let undecodableKey: Bool

    /// An object of `bucket` at `key`.
    public init(bucket: String, key: String, size: Int64?, eTag: String?, undecodableKey: Bool = false) {
        self.bucket = bucket
        self.key = key
        self.size = size
        self.eTag = eTag
        self.undecodableKey = undecodableKey
    }

    /// `s3://bucket/key`.
    public var uri: String { "s3://\(bucket)/\(key)" }
}

/// What invoked the trigger: an S3 notification, EventBridge's "Object Created", or the test
/// event S3 sends when a notification is configured.
public enum S3Event: Sendable, Equatable {
    /// Records that are not `ObjectCreated` (deletes, restores…) are left out.
    case objectsCreated([S3Object])
    case testEvent

    /// Reads any of the three shapes; nil when the JSON is none of them.
    public init?(json: [UInt8]) {
        let decoder = JSONDecoder()
        if let notification = try? decoder.decode(Notification.self, from: Data(json)) {
            self = .objectsCreated(notification.records.filter { $0.eventName.hasPrefix("ObjectCreated") }.map {
                let object = $0.s3.object
                let key = S3Event.decodeKey(object.key)
                return S3Object(bucket: $0.s3.bucket.name, key: key ?? object.key, size: object.size, eTag: object.eTag, undecodableKey: key == nil)
            })
        } else if let bridged = try? decoder.decode(EventBridgeEvent.self, from: Data(json)), bridged.source == "aws.s3" {
            let object = bridged.detail.object
            self = .objectsCreated(bridged.detailType == "Object Created"
                ? [S3Object(bucket: bridged.detail.bucket.name, key: object.key, size: object.size, eTag: object.etag)] : [])
        } else if let test = try? decoder.decode(TestEvent.self, from: Data(json)), test.event == "s3:TestEvent" {
            self = .testEvent
        } else {
            return nil
        }
    }

    /// Notification keys are form-encoded: `+` is a space and `%2B` a plus. Nil when `key` is
    /// not valid encoding (`a%ZZ`, or bytes that are not UTF-8).
    public static func decodeKey(_ key: String) -> String? {
        key.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    struct Notification: Decodable {
        struct Record: Decodable {
            struct Entity: Decodable {
                struct Bucket: Decodable { let name: String }
                struct Object: Decodable {
                    let key: String
                    let size: Int64?
                    let eTag: String?
                }
                let bucket: Bucket
                let object: Object
            }
            let eventName: String
            let s3: Entity
        }
        let records: [Record]
        enum CodingKeys: String, CodingKey { case records = "Records" }
    }

    struct EventBridgeEvent: Decodable {
        struct Detail: Decodable {
            struct Bucket: Decodable { let name: String }
            struct Object: Decodable {
                let key: String
                let size: Int64?
                let etag: String?
            }
            let bucket: Bucket
            let object: Object
        }
        let source: String
        let detailType: String
        let detail: Detail
        enum CodingKeys: String, CodingKey { case source, detailType = "detail-type", detail }
    }

    struct TestEvent: Decodable {
        let event: String
        enum CodingKeys: String, CodingKey { case event = "Event" }
    }
}
