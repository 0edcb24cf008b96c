import Foundation

/// Encodes Float32 tensors in the safetensors format (huggingface/safetensors), which
/// PyTorch, NumPy, JAX and others load without running any code from the file.
///
/// Layout: an 8-byte little-endian header length N; N bytes of JSON
/// `{"NAME": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "value"}}` (padded with spaces to a multiple of 8, so the data
/// that follows is aligned); then the tensors' bytes, little-endian, row-major, one after
/// another in the order added. Offsets count from the first data byte.
///
/// ```swift
/// var writer = SafetensorsWriter(metadata: ["format": "pt"])
/// writer.append("0.bias", shape: [2], values: [0.5, -1])
/// try writer.data().write(to: url)
/// ```
public struct SafetensorsWriter {
  /// One tensor: its name, shape and values (row-major).
  public struct Tensor: Equatable, Sendable {
    /// The name a loader's dictionary will use ("0.weight").
    public var name: String
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values, row-major.
    public var values: [Float]
  }

  /// The tensors in file order.
  public private(set) var tensors: [Tensor] = []
  /// String metadata (`__metadata__`): the format allows string values only.
  public var metadata: [String: String]

  /// An empty file with `metadata`.
  public init(metadata: [String: String] = [:]) {
    self.metadata = metadata
  }

  /// Adds a tensor; `values.count` must equal the product of `shape`.
  public mutating func append(_ name: String, shape: [Int], values: [Float]) {
    precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) vs \(values.count)")
    tensors.append(Tensor(name: name, shape: shape, values: values))
  }

  /// The header JSON (before padding): tensors in file order, then the metadata by key.
  public func header() -> String {
    var entries: [String] = []
    var offset = 0
    for tensor in tensors {
      let end = offset + tensor.values.count * 4
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        "\(JSONValue.quote(tensor.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],"
          + "\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    if !metadata.isEmpty {
      let members = metadata.keys.sorted().map {
        "\(JSONValue.quote($0)):\(JSONValue.quote(metadata[$0] ?? ""))"
      }
      entries.append("\"__metadata__\":{\(members.joined(separator: ","))}")
    }
    return "{" + entries.joined(separator: ",") + "}"
  }

  /// The whole file.
  public func data() -> Data {
    var header = Array(header().utf8)
    while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
    var out = Data()
    out.reserveCapacity(8 + header.count + tensors.reduce(0) { $0 + $1.values.count * 4 })
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: header)
    for tensor in tensors {
      var bytes = [UInt8](repeating: 0, count: tensor.values.count * 4)
      bytes.withUnsafeMutableBytes { raw in
        for (i, value) in tensor.values.enumerated() {
          raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
        }
      }
      out.append(contentsOf: bytes)
    }
    return out
  }
}
