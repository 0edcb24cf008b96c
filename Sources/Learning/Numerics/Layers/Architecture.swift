/// One layer of the convolutional stage before the dense layers (`Architecture.features`).
public enum FeatureLayer: Sendable, Equatable, Codable {
  /// `Conv2D`: square kernel, stride and zero padding on every side.
  case convolution(filters: Int, kernel: Int, stride: Int, padding: Int, activation: Activation)
  /// `Pooling2D` keeping each window's maximum.
  case maxPool(size: Int, stride: Int)
  /// `Pooling2D` keeping each window's mean.
  case averagePool(size: Int, stride: Int)
  /// `Dropout` while training, the identity when evaluating.
  case dropout(rate: Float)
}

/// The shape of an `MLP`: an optional convolutional stage (`features` over CHW inputs of
/// `inputShape`), then dense layer widths and the activation after each dense layer.
///
/// `sizes` = [input, hidden…, output]; `activations[i]` follows dense layer i, so there is
/// one fewer activation than sizes. Classifiers end in `.identity` (logits). With a
/// convolutional stage, `sizes[0]` is the number of values it hands the first dense layer
/// (its last feature maps, flattened in CHW order).
public struct Architecture: Sendable, Equatable, Codable {
  /// Widths from input to output.
  public var sizes: [Int]
  /// Activation after each dense layer (`sizes.count − 1` of them).
  public var activations: [Activation]
  /// The convolutional stage, input first (empty for a plain MLP).
  public var features: [FeatureLayer] = []
  /// The shape of one input sample when there is a convolutional stage.
  public var inputShape: FeatureShape?

  /// An architecture with explicit per-layer activations.
  public init(sizes: [Int], activations: [Activation]) {
    self.sizes = sizes
    self.activations = activations
  }

  /// A convolutional stage over inputs of `input`, then `hidden` dense layers and `output`.
  /// Throws `ModelError(.invalidArchitecture)` when a layer does not fit what reaches it.
  public init(
    input: FeatureShape, features: [FeatureLayer], hidden: [Int], output: Int,
    activation: Activation = .relu
  ) throws {
    let shapes = try Architecture.featureShapes(input: input, features: features)
    self.init(input: shapes.last!.count, hidden: hidden, output: output, activation: activation)
    self.features = features
    inputShape = input
  }

  /// The shape entering each feature layer, then the shape leaving the last one.
  static func featureShapes(input: FeatureShape, features: [FeatureLayer]) throws -> [FeatureShape] {
    var shapes = [input]
    for layer in features {
      let shape = shapes[shapes.count - 1]
      switch layer {
      case .convolution(let filters, let kernel, let stride, let padding, let activation):
        shapes.append(try Conv2D(
          input: shape, filters: filters, kernel: kernel, stride: stride, padding: padding,
          activation: activation, weightOffset: 0).output)
      case .maxPool(let size, let stride):
        shapes.append(try Pooling2D(.max, input: shape, size: size, stride: stride).output)
      case .averagePool(let size, let stride):
        shapes.append(try Pooling2D(.average, input: shape, size: size, stride: stride).output)
      case .dropout(let rate):
        _ = try Dropout(rate: rate, size: shape.count)
        shapes.append(shape)
      }
    }
    return shapes
  }

  /// The number of values one input sample has: `inputShape`'s, else `sizes[0]`.
  public var inputCount: Int { inputShape?.count ?? sizes[0] }

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
    featureParameterCount + zip(sizes, sizes.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 }
  }

  /// Parameters of the convolutional stage (its filters and biases come first in the buffer).
  var featureParameterCount: Int {
    guard let inputShape, !features.isEmpty else { return 0 }
    var channels = inputShape.channels
    var total = 0
    for case .convolution(let filters, let kernel, _, _, _) in features {
      total += filters * (channels * kernel * kernel + 1)
      channels = filters
    }
    // Pooling and dropout keep the channels; only convolutions change them.
    return total
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
    if !features.isEmpty {
      guard let inputShape else {
        throw ModelError(.invalidArchitecture, "a convolutional stage needs the input's shape")
      }
      let shapes = try Architecture.featureShapes(input: inputShape, features: features)
      guard shapes.last!.count == sizes[0] else {
        throw ModelError(
          .invalidArchitecture,
          "the convolutional stage hands \(shapes.last!) = \(shapes.last!.count) values to a"
            + " first dense layer of \(sizes[0]) inputs")
      }
    }
    guard activations.count == sizes.count - 1 else {
      throw ModelError(.invalidArchitecture,
                       "\(sizes.count - 1) layers need \(sizes.count - 1) activations, "
                         + "got \(activations.count)")
    }
  }
}
