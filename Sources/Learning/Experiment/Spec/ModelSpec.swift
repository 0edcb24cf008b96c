import Foundation

/// The network (`model:` section): a multi-layer perceptron (`hidden`), or a list of layers
/// (`layers`: convolutions, pooling, dropout, dense; `LayerSpec`).
public struct ModelSpec: Codable, Equatable {
  /// Nonlinearity between hidden layers.
  public enum Activation: String, Codable, CaseIterable { case relu, tanh, sigmoid }
  /// How the weights are drawn before training.
  public enum Initialization: String, Codable, CaseIterable {
    /// He normal before ReLU, Glorot uniform otherwise, zero biases (the default).
    case heGlorot = "he-glorot"
    /// PyTorch's `nn.Linear` default: kaiming-uniform(a=√5) weights, i.e. U(±1/√fan_in),
    /// and U(±1/√fan_in) biases.
    case pytorch
  }

  /// Widths of the hidden layers (default [256, 256]).
  public var hidden: [Int]
  /// Nonlinearity after each hidden layer (default relu).
  public var activation: Activation
  /// How the weights start (default he-glorot).
  public var initialization: Initialization
  /// The layer-list form (nil: `hidden`); the output layer is added after the last item.
  public var layers: [LayerSpec]?

  /// The keys this section accepts.
  public static let keys = ["hidden", "activation", "init", "layers"]

  /// A model section with every default.
  public init(hidden: [Int] = [256, 256], activation: Activation = .relu) {
    self.hidden = hidden
    self.activation = activation
    initialization = .heGlorot
  }

  /// Decodes with defaults for every key.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    self.init(
      hidden: try c.value("hidden", [256, 256]),
      activation: try c.choice("activation", section: "model", Activation.relu))
    initialization = try c.choice("init", section: "model", Initialization.heGlorot)
    layers = try c.optional("layers")
    if layers != nil && c.contains(SpecKey("hidden")) {
      throw LearningError.invalidSpec(
        key: "model.hidden", message: "give either model.hidden or model.layers, not both")
    }
  }

  /// Encodes with the same keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(hidden, "hidden")
    try c.put(activation, "activation")
    try c.put(initialization, "init")
    try c.put(layers, "layers")
  }

  /// Checks the layer widths.
  func validate() throws {
    try require(
      hidden.allSatisfy { $0 >= 1 }, "model.hidden", "every hidden width must be at least 1")
    guard let layers else { return }
    for (index, layer) in layers.enumerated() { try layer.validate(index: index) }
    // Feature maps first, then dense layers: a dense layer has no feature maps after it.
    if let firstDense = layers.firstIndex(where: { $0.type == .dense }),
      let late = layers[firstDense...].firstIndex(where: {
        [.conv2d, .maxpool, .avgpool].contains($0.type)
      })
    {
      throw LearningError.invalidSpec(
        key: "model.layers",
        message: "layer \(late + 1) (\(layers[late].type.rawValue)) comes after a dense layer;"
          + " convolutions and pooling come first, then dense layers")
    }
  }

  /// The dense widths of the layer-list form (or `hidden`).
  public var denseWidths: [Int] {
    guard let layers else { return hidden }
    return layers.filter { $0.type == .dense }.map(\.units)
  }

  /// Whether the model has a convolutional stage (conv2d, pooling, or dropout before the
  /// first dense layer).
  public var isConvolutional: Bool {
    guard let layers else { return false }
    return layers.contains { [.conv2d, .maxpool, .avgpool].contains($0.type) }
  }

  /// "model.key" -> value for run params.
  var flattened: [String: String] {
    var out = [
      "model.hidden": denseWidths.map(String.init).joined(separator: ","),
      "model.activation": activation.rawValue,
    ]
    if let layers { out["model.layers"] = layers.map(\.summary).joined(separator: ",") }
    // Only when not the default: older runs (before the key) read as the default.
    if initialization != .heGlorot { out["model.init"] = initialization.rawValue }
    return out
  }
}
