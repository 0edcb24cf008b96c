/// The `Architecture` a spec's `model` section describes for a stream: `hidden` (an MLP), or
/// `layers` (a convolutional stage over the images, then dense layers; `LayerSpec`).
enum ModelBuilder {
  /// Throws `LearningError.invalidSpec` (key `model.layers`) for layers the data or the model
  /// cannot take: convolutions without images, dropout after a dense layer, a window larger
  /// than what reaches it.
  static func architecture(for model: ModelSpec, stream: TaskStream) throws -> Architecture {
    let activation = Activation(rawValue: model.activation.rawValue) ?? .relu
    guard let layers = model.layers else {
      return Architecture(
        input: stream.inputSize, hidden: model.hidden, output: stream.outputSize,
        activation: activation)
    }
    func fail(_ message: String) -> LearningError {
      .invalidSpec(key: "model.layers", message: message)
    }
    var features: [FeatureLayer] = []
    var widths: [Int] = []
    var activations: [Activation] = []
    for (index, layer) in layers.enumerated() {
      let own = layer.activation.map { Activation(rawValue: $0.rawValue) ?? activation } ?? activation
      switch layer.type {
      case .conv2d:
        features.append(.convolution(
          filters: layer.filters, kernel: layer.kernel, stride: layer.stride ?? 1,
          padding: layer.padding, activation: own))
      case .maxpool: features.append(.maxPool(size: layer.size, stride: layer.stride ?? layer.size))
      case .avgpool:
        features.append(.averagePool(size: layer.size, stride: layer.stride ?? layer.size))
      case .flatten: continue  // CHW feature maps are already a row
      case .dropout:
        guard widths.isEmpty else {
          throw fail("layer \(index + 1) (dropout) comes after a dense layer; dropout is"
                       + " supported before the first dense layer only (for now)")
        }
        features.append(.dropout(rate: Float(layer.rate)))
      case .dense:
        widths.append(layer.units)
        activations.append(own)
      }
    }
    var shape = FeatureShape(channels: 1, height: 1, width: stream.inputSize)
    if model.isConvolutional {
      guard let image = stream.tasks.first?.train.imageShape else {
        throw fail("convolutions and pooling need images (fashion-mnist, idx, or synthetic"
                     + " data with a square number of features); this data has none")
      }
      shape = FeatureShape(channels: 1, height: image.rows, width: image.columns)
    }
    var architecture: Architecture
    do {
      architecture = try Architecture(
        input: shape, features: features, hidden: widths, output: stream.outputSize)
    } catch let error as ModelError {
      throw fail("\(error.message)")
    }
    architecture.activations = activations + [.identity]
    if features.isEmpty {  // dense layers only: a plain MLP
      architecture.features = []
      architecture.inputShape = nil
    }
    try architecture.validate()
    return architecture
  }
}
