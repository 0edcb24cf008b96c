import Foundation

/// The network (`model:` section): a multi-layer perceptron.
public struct ModelSpec: Codable, Equatable {
  /// Nonlinearity between hidden layers.
  public enum Activation: String, Codable, CaseIterable { case relu, tanh, sigmoid }

  /// Widths of the hidden layers (default [256, 256]).
  public var hidden: [Int]
  /// Nonlinearity after each hidden layer (default relu).
  public var activation: Activation

  /// The keys this section accepts.
  public static let keys = ["hidden", "activation"]

  /// A model section with every default.
  public init(hidden: [Int] = [256, 256], activation: Activation = .relu) {
    self.hidden = hidden
    self.activation = activation
  }

  /// Decodes with defaults for every key.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    self.init(
      hidden: try c.value("hidden", [256, 256]),
      activation: try c.choice("activation", section: "model", Activation.relu))
  }

  /// Encodes with the same keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(hidden, "hidden")
    try c.put(activation, "activation")
  }

  /// Checks the layer widths.
  func validate() throws {
    try require(
      hidden.allSatisfy { $0 >= 1 }, "model.hidden", "every hidden width must be at least 1")
  }

  /// "model.key" -> value for run params.
  var flattened: [String: String] {
    [
      "model.hidden": hidden.map(String.init).joined(separator: ","),
      "model.activation": activation.rawValue,
    ]
  }
}
