import ByteJSON
import FirehoseCodec

/// A record on its way through the pipeline: its current data, what Firehose says about it,
/// and the partition keys collected so far.
///
/// A step reads the data as bytes or as a JSON object parsed once (``json()``), and changes it
/// the way the built-in steps do: by editing one top-level field in place (``setField(_:to:)``,
/// ``removeField(_:)``, ``renameField(_:to:)``, which leave every other byte as it was), by writing
/// a new object (``writeObject(_:)``), or by replacing the bytes.
public struct TransformRecord {
    /// What Firehose says about the record.
    public private(set) var metadata: RecordMetadata
    private var data: Representation
    /// The buffer ``writeObject(_:)`` writes into while the current data is still read; the two
    /// then swap, so a record's rewrites reuse two allocations.
    private var spare: [UInt8] = []
    /// Whether the data is a JSON object on one line without insignificant whitespace, so that
    /// JSON Lines output needs no second pass.
    private(set) var isCompactJSONObject = false
    /// Keys for Firehose dynamic partitioning (`!{partitionKeyFromLambda:key}`), in order.
    public private(set) var partitionKeys: [(key: String, value: String)] = []
    /// What the records before this one in the batch looked like, for steps that scan for a
    /// few fields (`Extract`): records from one producer share their keys.
    let objectShape: JSONObjectShape?

    private enum Representation {
        case bytes([UInt8])
        /// Parsed: the bytes live in the object, so that field edits change them in place.
        case object(JSONObject)
    }

    /// A record holding `bytes`.
    public init(bytes: [UInt8], metadata: RecordMetadata) {
        self.data = .bytes(bytes)
        self.metadata = metadata
        objectShape = nil
    }

    /// The record's current data. Setting it replaces the data (and any parsed view).
    public var bytes: [UInt8] {
        get {
            switch data {
            case .bytes(let bytes): bytes
            case .object(let object): object.storage
            }
        }
        set {
            spare = takeBytes()
            data = .bytes(newValue)
            isCompactJSONObject = false
        }
    }

    /// Calls `body` with the current data, without copying it.
    public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch data {
        case .bytes(let bytes): try bytes.withUnsafeBufferPointer(body)
        case .object(let object): try object.storage.withUnsafeBufferPointer(body)
        }
    }

    /// `withUnsafeBytes`, with the batch's `objectShape` for a scan of the data: handed over
    /// borrowed, so reading it costs no reference counting.
    func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>, JSONObjectShape?) throws -> R) rethrows -> R {
        try withUnsafeBytes { try body($0, objectShape) }
    }

    /// The data as a JSON object, parsed once and kept until the data is replaced (field edits
    /// keep it up to date). Throws a ``TransformFailure`` when the data is not valid UTF-8 JSON
    /// whose root is an object.
    public mutating func json() throws -> JSONObject {
        switch data {
        case .object(let object):
            return object
        case .bytes(let bytes):
            do {
                let object = try JSONObject(parsing: bytes)
                data = .object(object)
                return object
            } catch {
                throw TransformFailure(TransformRecord.describe(error))
            }
        }
    }

    // MARK: Editing fields in place

    /// Sets the top-level field `key` to `value`, written compactly. The field keeps its place
    /// when present (later repeats of the key are removed), and is added at the end otherwise.
    public mutating func setField(_ key: JSONKey, to value: JSONValue) throws {
        if value.kind == .object || value.kind == .array {
            var compact = JSONWriter(capacity: value.range.count)
            compact.appendCompact(value)
            try editObject { object in compact.bytes.withUnsafeBufferPointer { object.setValue($0, kind: value.kind, forKey: key) } }
        } else {
            try editObject { object in value.withRawBytes { object.setValue($0, kind: value.kind, forKey: key) } }
        }
    }

    /// Sets the top-level field `key` to the JSON string `string`.
    public mutating func setField(_ key: JSONKey, string: String) throws {
        var writer = JSONWriter(capacity: string.utf8.count + 2)
        writer.appendString(string)
        try editObject { object in writer.bytes.withUnsafeBufferPointer { object.setValue($0, kind: .string, forKey: key) } }
    }

    /// Removes every top-level field named `key`; returns whether there was one.
    @discardableResult
    public mutating func removeField(_ key: JSONKey) throws -> Bool {
        try editObject { $0.removeMembers(named: key) }
    }

    /// Renames the top-level field `key` to `newKey` in place; a field already named `newKey`
    /// gives way. Returns whether there was a field named `key`.
    @discardableResult
    public mutating func renameField(_ key: JSONKey, to newKey: JSONKey) throws -> Bool {
        try editObject { $0.renameMembers(named: key, to: newKey) }
    }

    /// Parses the data if needed, then edits the object it owns alone, so the bytes change in place.
    private mutating func editObject<R>(_ edit: (inout JSONObject) -> R) throws -> R {
        var object = try json()
        data = .bytes([])
        defer { data = .object(object) }
        return edit(&object)
    }

    // MARK: Writing new data

    /// Replaces the data with a new JSON object, compact and on one line. `build` writes its
    /// members and may read the current data, passed as `current`, while it does.
    ///
    /// ```swift
    /// let user = try record.json()["user"]
    /// record.writeObject { object, _ in
    ///     object.add(JSONKey("user"), raw: user?.rawBytes ?? [])
    /// }
    /// ```
    public mutating func writeObject(_ build: (_ object: inout JSONObjectWriter, _ current: UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var buffer: [UInt8] = []
        swap(&buffer, &spare)
        var writer = JSONObjectWriter(reusing: consume buffer)
        try withUnsafeBytes { current in try build(&writer, current) }
        install(compactObject: writer.finish())
    }

    /// Replaces the data with a compact JSON object on one line, which `write` writes at
    /// `output` (room for `size` bytes) while reading the current data; it returns the count
    /// written. For steps that know the size of what they write: one copy, no growing.
    mutating func writeCompactObject(size: Int, _ write: (_ output: UnsafeMutablePointer<UInt8>, _ current: UnsafeBufferPointer<UInt8>) -> Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { output in
            let count = withUnsafeBytes { current in write(output.baseAddress!, current) }
            var buffer: [UInt8] = []
            swap(&buffer, &spare)
            // Room for the line feed JSON Lines adds.
            buffer.reserveCapacity(count + 1)
            buffer.replaceSubrange(buffer.indices, with: UnsafeBufferPointer(rebasing: output[..<count]))
            install(compactObject: buffer)
        }
    }

    /// Makes `object`, written in the spare buffer, the data, and the old data's buffer the spare.
    private mutating func install(compactObject object: [UInt8]) {
        spare = takeBytes()
        data = .bytes(object)
        isCompactJSONObject = true
    }

    /// Sets a partition key, replacing an earlier value for the same key.
    public mutating func setPartitionKey(_ key: String, _ value: String) {
        if let index = partitionKeys.firstIndex(where: { $0.key == key }) {
            partitionKeys[index].value = value
        } else {
            partitionKeys.append((key, value))
        }
    }

    // MARK: For the pipeline

    /// A record for a batch's records in turn (`refill`, then `begin`), with the shape they
    /// share.
    init(batchShape: JSONObjectShape, metadata: RecordMetadata) {
        data = .bytes([])
        self.metadata = metadata
        objectShape = batchShape
    }

    /// Makes the data what `fill` writes into the record's larger buffer (so that the next
    /// record seldom needs it to grow), the other kept as the spare: the next record of a batch
    /// takes the buffers of the one before.
    mutating func refill<R, E: Error>(_ fill: (inout [UInt8]) throws(E) -> R) throws(E) -> R {
        var bytes = takeBytes()
        if spare.capacity > bytes.capacity { swap(&bytes, &spare) }
        defer { data = .bytes(bytes) }
        return try fill(&bytes)
    }

    /// Starts `record`, of the event the record before came from, whose data `refill` wrote.
    mutating func begin(_ record: FirehoseEvent.Record) {
        metadata.move(to: record)
        isCompactJSONObject = false
        if !partitionKeys.isEmpty { partitionKeys.removeAll(keepingCapacity: true) }
    }

    /// Appends `byte` to the data in place, keeping it unparsed.
    mutating func append(_ byte: UInt8) {
        var bytes = takeBytes()
        bytes.append(byte)
        data = .bytes(bytes)
    }

    /// Moves the data's buffer out, leaving the record empty.
    private mutating func takeBytes() -> [UInt8] {
        let bytes: [UInt8]
        switch data {
        case .bytes(let current): bytes = current
        case .object(let object): bytes = object.storage
        }
        data = .bytes([])
        return bytes
    }

    /// A record's reason for failing, in the words the log uses.
    static func describe(_ error: JSONError) -> String {
        switch error.reason {
        case .notAnObject(let kind): "the data is \(kind), not a JSON object"
        case .invalidUTF8: "the data is not valid UTF-8 (byte \(error.offset))"
        case .tooDeep: "the data is nested too deeply: \(error)"
        default: "the data is not valid JSON: \(error)"
        }
    }
}
