import Foundation

/// A model's architecture and parameters (and optionally its optimizer's state) as a small
/// versioned binary the storage layer keeps as a blob.
///
/// Format version 1 (a plain MLP) or 2 (with a convolutional stage), all integers and floats
/// little-endian:
///
///     "TRKM"  magic (4 bytes)
///     u16     format version (1)
///     u16     flags (bit 0: optimizer state follows the parameters)
///     u32     L = number of layer sizes, then L × u32 sizes, then (L − 1) × u8 activations
///             (0 identity, 1 ReLU, 2 tanh, 3 sigmoid)
///     [version 2: u32 F = feature layers, u32 × 3 input channels, height, width, then per
///      layer u8 kind and its fields: 1 convolution (u32 filters, kernel, stride, padding,
///      u8 activation), 2 max pool / 3 average pool (u32 size, stride), 4 dropout (f32 rate)]
///     u64     P = parameter count, then P × f32 parameters (layout of `MLP.parameters`)
///     [optimizer state: u8 kind (1 SGD, 2 Adam), u64 step count, u32 buffer count,
///      each buffer P × f32]
///     u32     CRC-32 (zlib) of every byte before it
///
/// Floats are stored bit for bit, so a round trip is exact.
///
/// ```swift
/// let blob = Checkpoint(model: model, optimizer: optimizer).serialized()
/// let restored = try Checkpoint(serialized: blob).makeModel()
/// ```
public struct Checkpoint: Equatable, Sendable {
  /// The newest format version this build writes and reads (version 1 is still written for a
  /// plain MLP, so older builds read those checkpoints).
  public static let formatVersion: UInt16 = 2
  static let magic: [UInt8] = Array("TRKM".utf8)

  /// Layer sizes and activations.
  public var architecture: Architecture
  /// Parameters in the layout of `MLP.parameters`.
  public var parameters: [Float]
  /// The optimizer's state, when saved with it.
  public var optimizerState: OptimizerState?

  /// A checkpoint from explicit values.
  public init(architecture: Architecture, parameters: [Float],
              optimizerState: OptimizerState? = nil) {
    self.architecture = architecture
    self.parameters = parameters
    self.optimizerState = optimizerState
  }

  /// A snapshot of `model` (and `optimizer`'s state when given).
  public init(model: MLP, optimizer: Optimizer? = nil) {
    self.init(architecture: model.architecture, parameters: model.parameters.array,
              optimizerState: optimizer?.state)
  }

  /// Decodes a checkpoint; throws `CheckpointError` naming what is wrong and where.
  public init(serialized data: Data) throws {
    var reader = BinaryReader(data, what: "checkpoint")
    do {
      self = try Checkpoint.read(from: &reader)
    } catch let error as CheckpointError where error.code == .invalidContent {
      // Impossible content in bytes that fail their checksum is damage, and is reported so.
      try reader.verifyChecksum()
      throw error
    }
    try reader.verifyChecksum()
  }

  private static func read(from reader: inout BinaryReader) throws -> Checkpoint {
    let magic = try reader.readBytes(4, "the magic bytes")
    guard magic == Checkpoint.magic else {
      throw CheckpointError(
        .badMagic,
        "data does not start with \"TRKM\" (found \(magic)); it is not a track model "
          + "checkpoint")
    }
    let version = try reader.read(UInt16.self, "the format version")
    guard version >= 1 && version <= Checkpoint.formatVersion else {
      throw CheckpointError(
        .unsupportedVersion,
        "checkpoint format version \(version) is not supported (this build reads 1..."
          + "\(Checkpoint.formatVersion)); upgrade track to read it")
    }
    let flags = try reader.read(UInt16.self, "the flags")
    let sizeCount = Int(try reader.read(UInt32.self, "the layer count"))
    guard sizeCount >= 2, sizeCount <= 4096 else {
      throw CheckpointError(.invalidContent,
                            "layer count \(sizeCount) at byte 8 is outside 2...4096")
    }
    var sizes: [Int] = []
    for i in 0..<sizeCount {
      let size = Int(try reader.read(UInt32.self, "layer size \(i)"))
      guard size <= 1 << 24 else {
        throw CheckpointError(.invalidContent, "layer size \(i) is \(size), over 2^24")
      }
      sizes.append(size)
    }
    var activations: [Activation] = []
    for (i, code) in try reader.readBytes(sizeCount - 1, "the activations").enumerated() {
      guard let activation = Activation(code: code) else {
        throw CheckpointError(.invalidContent, "activation code \(code) of layer \(i) is unknown")
      }
      activations.append(activation)
    }
    var architecture = Architecture(sizes: sizes, activations: activations)
    if version >= 2 { try readFeatures(into: &architecture, from: &reader) }
    do { try architecture.validate() } catch let error as ModelError {
      throw CheckpointError(.invalidContent, error.message)
    }
    let count = Int(try reader.read(UInt64.self, "the parameter count"))
    guard count == architecture.parameterCount else {
      throw CheckpointError(
        .invalidContent,
        "parameter count \(count) does not match architecture \(sizes) "
          + "(\(architecture.parameterCount) parameters)")
    }
    let parameters = try reader.readFloats(count, "the parameters")
    var optimizerState: OptimizerState?
    if flags & 1 != 0 {
      optimizerState = try OptimizerState.read(from: &reader, parameterCount: count)
    }
    try reader.expectChecksumNext()
    return Checkpoint(architecture: architecture, parameters: parameters,
                      optimizerState: optimizerState)
  }

  /// The convolutional stage of a version-2 checkpoint.
  private static func readFeatures(
    into architecture: inout Architecture, from reader: inout BinaryReader
  ) throws {
    let count = Int(try reader.read(UInt32.self, "the feature layer count"))
    guard count <= 4096 else {
      throw CheckpointError(.invalidContent, "feature layer count \(count) is over 4096")
    }
    guard count > 0 else { return }
    func whole(_ field: String) throws -> Int {
      let value = Int(try reader.read(UInt32.self, field))
      guard value <= 1 << 24 else {
        throw CheckpointError(.invalidContent, "\(field) is \(value), over 2^24")
      }
      return value
    }
    architecture.inputShape = FeatureShape(
      channels: try whole("the input channels"), height: try whole("the input height"),
      width: try whole("the input width"))
    for i in 0..<count {
      let kind = try reader.read(UInt8.self, "the kind of feature layer \(i)")
      switch kind {
      case 1:
        let (filters, kernel) = (try whole("filters"), try whole("kernel"))
        let (stride, padding) = (try whole("stride"), try whole("padding"))
        let code = try reader.read(UInt8.self, "the activation of feature layer \(i)")
        guard let activation = Activation(code: code) else {
          throw CheckpointError(.invalidContent, "activation code \(code) of feature layer \(i) is unknown")
        }
        architecture.features.append(.convolution(
          filters: filters, kernel: kernel, stride: stride, padding: padding,
          activation: activation))
      case 2, 3:
        let (size, stride) = (try whole("pool size"), try whole("pool stride"))
        architecture.features.append(kind == 2 ? .maxPool(size: size, stride: stride)
          : .averagePool(size: size, stride: stride))
      case 4:
        let bits = try reader.read(UInt32.self, "the dropout rate")
        architecture.features.append(.dropout(rate: Float(bitPattern: bits)))
      default:
        throw CheckpointError(.invalidContent, "feature layer \(i) has unknown kind \(kind)")
      }
    }
  }

  /// The convolutional stage as version 2 writes it.
  private func writeFeatures(to writer: inout BinaryWriter) {
    writer.append(UInt32(architecture.features.count))
    guard let shape = architecture.inputShape, !architecture.features.isEmpty else { return }
    for value in [shape.channels, shape.height, shape.width] { writer.append(UInt32(value)) }
    for layer in architecture.features {
      switch layer {
      case .convolution(let filters, let kernel, let stride, let padding, let activation):
        writer.append(UInt8(1))
        for value in [filters, kernel, stride, padding] { writer.append(UInt32(value)) }
        writer.append([activation.code])
      case .maxPool(let size, let stride), .averagePool(let size, let stride):
        if case .maxPool = layer { writer.append(UInt8(2)) } else { writer.append(UInt8(3)) }
        writer.append(UInt32(size))
        writer.append(UInt32(stride))
      case .dropout(let rate):
        writer.append(UInt8(4))
        writer.append(rate.bitPattern)
      }
    }
  }

  /// The binary encoding described above.
  public func serialized() -> Data {
    var writer = BinaryWriter()
    let convolutional = !architecture.features.isEmpty
    writer.append(Checkpoint.magic)
    writer.append(UInt16(convolutional ? 2 : 1))
    writer.append(UInt16(optimizerState == nil ? 0 : 1))
    writer.append(UInt32(architecture.sizes.count))
    for size in architecture.sizes { writer.append(UInt32(size)) }
    writer.append(architecture.activations.map(\.code))
    if convolutional { writeFeatures(to: &writer) }
    writer.append(UInt64(parameters.count))
    parameters.withUnsafeBufferPointer { writer.append(floats: $0) }
    optimizerState?.write(to: &writer)
    writer.appendChecksum()
    return writer.data
  }

  /// A new model with this architecture and these parameters.
  public func makeModel() throws -> MLP {
    try MLP(architecture: architecture, parameters: parameters)
  }

  /// Copies the parameters into `model`, whose architecture must be the same.
  public func restore(into model: MLP) throws {
    guard model.architecture == architecture else {
      throw ModelError(.shapeMismatch,
                       "checkpoint architecture \(architecture.sizes) "
                         + "\(architecture.activations.map(\.rawValue)) differs from the "
                         + "model's \(model.architecture.sizes) "
                         + "\(model.architecture.activations.map(\.rawValue))")
    }
    model.parameters.copy(from: parameters)
  }
}

extension OptimizerState {
  static let magic: [UInt8] = Array("TRKO".utf8)

  /// A standalone versioned binary of this state (magic "TRKO", u16 version 1, then the
  /// optimizer section of the checkpoint format with u64 P first, then the CRC-32).
  public func serialized() -> Data {
    var writer = BinaryWriter()
    writer.append(OptimizerState.magic)
    writer.append(Checkpoint.formatVersion)
    writer.append(UInt64(buffers.first?.count ?? 0))
    write(to: &writer)
    writer.appendChecksum()
    return writer.data
  }

  /// Decodes `serialized()` output; throws `CheckpointError` on any damage.
  public init(serialized data: Data) throws {
    var reader = BinaryReader(data, what: "optimizer state")
    let magic = try reader.readBytes(4, "the magic bytes")
    guard magic == OptimizerState.magic else {
      throw CheckpointError(.badMagic,
                            "data does not start with \"TRKO\"; it is not an optimizer state")
    }
    let version = try reader.read(UInt16.self, "the format version")
    guard version >= 1 && version <= Checkpoint.formatVersion else {
      throw CheckpointError(.unsupportedVersion,
                            "optimizer state version \(version) is not supported; "
                              + "upgrade track to read it")
    }
    do {
      let count = Int(try reader.read(UInt64.self, "the parameter count"))
      guard count <= reader.remaining / 4 else {
        throw CheckpointError(.truncated, "optimizer state declares \(count) parameters but "
                                + "holds only \(reader.remaining) more bytes; it was cut short")
      }
      self = try OptimizerState.read(from: &reader, parameterCount: count)
      try reader.expectChecksumNext()
    } catch let error as CheckpointError where error.code == .invalidContent {
      try reader.verifyChecksum()
      throw error
    }
    try reader.verifyChecksum()
  }

  func write(to writer: inout BinaryWriter) {
    writer.append(kind.rawValue)
    writer.append(UInt64(stepCount))
    writer.append(UInt32(buffers.count))
    for buffer in buffers { buffer.withUnsafeBufferPointer { writer.append(floats: $0) } }
  }

  static func read(from reader: inout BinaryReader, parameterCount: Int) throws
    -> OptimizerState
  {
    let code = try reader.read(UInt8.self, "the optimizer kind")
    guard let kind = Kind(rawValue: code) else {
      throw CheckpointError(.invalidContent, "optimizer kind \(code) is unknown")
    }
    let steps = try reader.read(UInt64.self, "the optimizer step count")
    let bufferCount = Int(try reader.read(UInt32.self, "the optimizer buffer count"))
    guard bufferCount <= 2 else {
      throw CheckpointError(.invalidContent, "optimizer buffer count \(bufferCount) exceeds 2")
    }
    var buffers: [[Float]] = []
    for i in 0..<bufferCount {
      buffers.append(try reader.readFloats(parameterCount, "optimizer buffer \(i)"))
    }
    guard steps <= UInt64(Int.max) else {
      throw CheckpointError(.invalidContent, "optimizer step count \(steps) is out of range")
    }
    return OptimizerState(kind: kind, stepCount: Int(steps), buffers: buffers)
  }
}
