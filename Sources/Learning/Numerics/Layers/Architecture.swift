/// The shape of an `MLP`: layer widths and the activation after each dense layer.
///
/// `sizes` = [input, hidden…, output]; `activations[i]` follows dense layer i, so there is
/// one fewer activation than sizes. Classifiers end in `.identity` (logits).
public struct Architecture: Sendable, Equatable, Codable {
  /// Widths from input to output.
  public var sizes: [Int]
  /// Activation after each dense layer (`sizes.count − 1` of them).
  public var activations: [Activation]

  /// An architecture with explicit per-layer activations.
  public init(sizes: [Int], activations: [Activation]) {
    self.sizes = sizes
    self.activations = activations
  }

  /// `input → hidden… → output` with `hidden` activation between layers and `output` last.
  public init(
    input: Int, hidden: [Int], output: Int, activation: Activation = .relu,
    outputActivation: Activation = .identity
  ) {
    sizes = [input] + hidden + [output]
    activations = Array(repeating: activation, count: hidden.count) + [outputActivation]
  }

  /// Number of parameters (weights and biases) of all layers.
  public var parameterCount: Int {
    zip(sizes, sizes.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 }
  }

  /// Checks that there are at least two sizes, all positive, and one activation per layer.
  public func validate() throws {
    guard sizes.count >= 2 else {
      throw ModelError(.invalidArchitecture,
                       "an MLP needs at least an input and an output size, got \(sizes)")
    }
    if let bad = sizes.firstIndex(where: { $0 <= 0 }) {
      throw ModelError(.invalidArchitecture,
                       "layer width at position \(bad) is \(sizes[bad]); widths must be > 0")
    }
    // Counted in Double: a product of user-given widths must not overflow `Int`.
    let count = zip(sizes, sizes.dropFirst()).reduce(0.0) { $0 + (Double($1.0) + 1) * Double($1.1) }
    guard count * 4 <= MemoryBudget.bytes else {
      throw ModelError(.invalidArchitecture,
                       "widths \(sizes) make \(count) parameters, \(MemoryBudget.describe(count * 4)) "
                         + "of weights alone, more than the \(MemoryBudget.describe(MemoryBudget.bytes)) "
                         + "an experiment may plan for here; use smaller layers")
    }
    guard activations.count == sizes.count - 1 else {
      throw ModelError(.invalidArchitecture,
                       "\(sizes.count - 1) layers need \(sizes.count - 1) activations, "
                         + "got \(activations.count)")
    }
  }
}
