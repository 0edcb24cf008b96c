import Foundation

/// The network (`model:` section): a multi-layer perceptron.
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

  /// The keys this section accepts.
  public static let keys = ["hidden", "activation", "init"]

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
  }

  /// Encodes with the same keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(hidden, "hidden")
    try c.put(activation, "activation")
    try c.put(initialization, "init")
  }

  /// Checks the layer widths.
  func validate() throws {
    try require(
      hidden.allSatisfy { $0 >= 1 }, "model.hidden", "every hidden width must be at least 1")
  }

  /// "model.key" -> value for run params.
  var flattened: [String: String] {
    var out = [
      "model.hidden": hidden.map(String.init).joined(separator: ","),
      "model.activation": activation.rawValue,
    ]
    // Only when not the default: older runs (before the key) read as the default.
    if initialization != .heGlorot { out["model.init"] = initialization.rawValue }
    return out
  }
}
