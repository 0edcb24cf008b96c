/// One built layer of an `MLP`'s convolutional stage (`Architecture.features`), with its
/// offsets in the model's parameter buffer.
enum FeatureStage: Sendable, Equatable {
  case convolution(Conv2D)
  case pooling(Pooling2D)
  case dropout(Dropout)

  /// The layers of `features` over inputs of `input`, parameters from `offset` on (advanced
  /// past them). The architecture must have been validated (every layer fits).
  static func make(_ features: [FeatureLayer], input: FeatureShape, offset: inout Int)
    -> [FeatureStage]
  {
    var shape = input
    var stage: [FeatureStage] = []
    for layer in features {
      let built: FeatureStage?
      switch layer {
      case .convolution(let filters, let kernel, let stride, let padding, let activation):
        let conv = try? Conv2D(
          input: shape, filters: filters, kernel: kernel, stride: stride, padding: padding,
          activation: activation, weightOffset: offset)
        if let conv { offset += conv.parameterCount }
        built = conv.map(FeatureStage.convolution)
      case .maxPool(let size, let stride):
        built = (try? Pooling2D(.max, input: shape, size: size, stride: stride)).map(FeatureStage.pooling)
      case .averagePool(let size, let stride):
        built = (try? Pooling2D(.average, input: shape, size: size, stride: stride)).map(FeatureStage.pooling)
      case .dropout(let rate):
        built = (try? Dropout(rate: rate, size: shape.count)).map(FeatureStage.dropout)
      }
      guard let built else { preconditionFailure("FeatureStage.make: \(layer) does not fit \(shape)") }
      stage.append(built)
      if case .dropout = built { continue }  // keeps the shape
      shape = built.output
    }
    return stage
  }

  /// The shape of one output sample.
  var output: FeatureShape {
    switch self {
    case .convolution(let conv): return conv.output
    case .pooling(let pool): return pool.output
    case .dropout(let dropout): return FeatureShape(channels: 1, height: 1, width: dropout.size)
    }
  }

  /// Scratch floats the layer needs (convolutions only).
  var workspaceCount: Int {
    if case .convolution(let conv) = self { return conv.workspaceCount }
    return 0
  }
}
