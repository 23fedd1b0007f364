@_exported import ByteJSON
@_exported import FirehoseCodec
