/// A multilayer perceptron with explicit forward and backward passes.
///
/// All parameters live in ONE contiguous `Vector` (`parameters`), each `Dense` layer
/// addressing its W and b by offset; `gradients` has the same layout. A training step:
///
/// ```swift
/// let model = try MLP(architecture: .init(input: 784, hidden: [256], output: 10), seed: 1)
/// let optimizer = SGD(parameterCount: model.parameterCount, learningRate: 0.01)
/// model.zeroGradients()
/// let logits = model.forward(batch.pointer, batchSize: batch.rows)
/// let loss = SoftmaxCrossEntropy.loss(logits: logits, labels: labels,
///                                     gradient: model.outputGradient)
/// model.backward(model.outputGradient)       // accumulates into model.gradients
/// optimizer.step(model)
/// ```
///
/// Workspaces (activations, gradients per layer) are sized for the largest batch seen and
/// reused, so the step allocates nothing after the first batch of the largest size. Large
/// batches run through all layers in blocks of `blockRows` rows that stay in cache.
/// Call `reserve(batchSize:)` up front to move even that allocation out of the loop.
public final class MLP {
  /// Layer widths and activations.
  public let architecture: Architecture
  /// The dense layers, input first.
  public let layers: [Dense]
  /// The convolutional stage before the dense layers (empty for a plain MLP); its
  /// parameters come first in `parameters`.
  let featureLayers: [FeatureStage]
  /// Whether `forward` is training: dropout drops only then (evaluation and teachers: off).
  /// `ContinualExperiment` sets it around each epoch's steps.
  public var isTraining = false
  /// Draws the dropout masks (seeded with the model).
  private var dropoutRandom: SeededGenerator
  /// featureOutputs[i] is the output of feature layer i for the whole batch; the last one is
  /// the first dense layer's input.
  private var featureOutputs: [Matrix] = []
  /// featureGradients[i] is dL/d(input of feature layer i + 1) (the output of layer i).
  private var featureGradients: [Matrix] = []
  /// Scratch of the convolutions (im2col columns and their gradient).
  private var featureWorkspace = Vector(count: 0)
  /// Per pooling layer: the input index of each window's maximum.
  private var poolIndices: [[Int32]] = []
  /// Per dropout layer: the scaled mask of the last training forward pass.
  private var dropoutMasks: [[Float]] = []
  /// All weights and biases, layer after layer (W row-major in × out, then b).
  public let parameters: Vector
  /// dL/dθ in the layout of `parameters`; `backward` adds to it.
  public let gradients: Vector

  /// activations[i] is the output of layer i for the whole batch (kept for backward).
  private var activations: [Matrix] = []
  /// dL/d(output) for the whole batch: the losses write it.
  private var lossGradient = Matrix(rows: 0, columns: 0)
  /// blockGradients[i] is dL/d(activations[i]) for one block of rows (hidden layers only).
  private var blockGradients: [Matrix] = []
  /// The input of the last forward pass (not copied; see `forward`).
  private var input: UnsafePointer<Float>?
  /// Keeps the input matrix of the last `forward(_: Matrix)` alive until the next forward.
  private var inputOwner: Matrix?
  /// Rows processed together through all layers, so a block's activations and gradients
  /// stay in the L2 cache between layers (one block for the usual batch sizes).
  public let blockRows: Int
  /// Rows of the last forward pass.
  public private(set) var batchSize = 0
  /// Whether the last forward pass dropped (its masks are what backward must apply).
  private var lastForwardTrained = false
  /// Threads each forward and backward pass is shared between (1, the default, keeps all
  /// work on the calling thread), clamped to 1...`BLAS.maximumThreadCount`. A property of
  /// the model, not of the process, so that experiments running side by side keep their
  /// own; results repeat bit for bit for a given thread count.
  public var threadCount = 1 {
    didSet { threadCount = Workers.clamped(threadCount) }
  }

  /// Creates a model with He (ReLU layers) or Glorot (others) initialisation from `seed`.
  public convenience init(architecture: Architecture, seed: UInt64) throws {
    try architecture.validate()
    self.init(validated: architecture, seed: seed)
  }

  private init(validated architecture: Architecture, seed: UInt64) {
    self.architecture = architecture
    var offset = 0
    var stage: [FeatureStage] = []
    if let shape = architecture.inputShape, !architecture.features.isEmpty {
      // Validated: every layer fits what reaches it.
      stage = FeatureStage.make(architecture.features, input: shape, offset: &offset)
    }
    featureLayers = stage
    dropoutRandom = SeededGenerator(seed: seed ^ 0xD70F_0A7)
    var layers: [Dense] = []
    for i in 0..<(architecture.sizes.count - 1) {
      let layer = Dense(
        inputSize: architecture.sizes[i], outputSize: architecture.sizes[i + 1],
        activation: architecture.activations[i], weightOffset: offset)
      layers.append(layer)
      offset += layer.parameterCount
    }
    self.layers = layers
    // About 256 KiB for the widest hidden block, in multiples of 16 rows (64-byte aligned).
    let widest = architecture.sizes.dropFirst().max() ?? 1
    blockRows = max(16, (65_536 / widest) / 16 * 16)
    parameters = Vector(count: offset)
    gradients = Vector(count: offset)
    reinitialize(seed: seed)
    reserve(batchSize: 1)
  }

  /// Creates a model with the given parameter values (e.g. from a checkpoint).
  public convenience init(architecture: Architecture, parameters values: [Float]) throws {
    try self.init(architecture: architecture, seed: 0)
    guard values.count == parameterCount else {
      throw ModelError(.shapeMismatch,
                       "architecture \(architecture.sizes) has \(parameterCount) parameters, "
                         + "got \(values.count)")
    }
    parameters.copy(from: values)
  }

  /// Total number of weights and biases.
  public var parameterCount: Int { parameters.count }
  /// Width of the input (of the convolutional stage when there is one).
  public var inputSize: Int { architecture.inputCount }
  /// Width of the output (number of classes for a classifier).
  public var outputSize: Int { architecture.sizes[architecture.sizes.count - 1] }

  /// The output of the last forward pass (`batchSize` × `outputSize`).
  public var output: Matrix { activations[activations.count - 1] }
  /// Workspace for dL/d(output) sized like `output`: losses write here, `backward` reads.
  public var outputGradient: Matrix { lossGradient }

  /// Draws fresh parameters from `seed` as PyTorch's `nn.Linear.reset_parameters` does:
  /// `kaiming_uniform_(W, a=√5)`, whose bound gain·√(3/fan_in) with gain = √(2/(1+a²)) is
  /// 1/√fan_in, and biases U(±1/√fan_in) (the same distributions, not PyTorch's bits).
  public func reinitializeLikePyTorch(seed: UInt64) {
    var random = SeededGenerator(seed: seed)
    for case .convolution(let conv) in featureLayers {
      let bound = 1 / Float(conv.patchSize).squareRoot()
      let w = parameters.pointer + conv.weightOffset
      for i in 0..<conv.parameterCount { w[i] = random.nextFloat(in: -bound, bound) }
    }
    for layer in layers {
      let bound = 1 / Float(layer.inputSize).squareRoot()
      let w = parameters.pointer + layer.weightOffset
      for i in 0..<(layer.inputSize * layer.outputSize) { w[i] = random.nextFloat(in: -bound, bound) }
      let b = parameters.pointer + layer.biasOffset
      for i in 0..<layer.outputSize { b[i] = random.nextFloat(in: -bound, bound) }
    }
  }

  /// Draws fresh parameters from `seed`: He-normal N(0, 2/in) for layers followed by ReLU,
  /// Glorot-uniform U(±√(6/(in+out))) otherwise; biases 0.
  public func reinitialize(seed: UInt64) {
    var random = SeededGenerator(seed: seed)
    parameters.fill(0)
    for case .convolution(let conv) in featureLayers {
      // He normal over the window's fan-in for ReLU, Glorot uniform otherwise; biases 0.
      let w = parameters.pointer + conv.weightOffset
      let n = conv.filters * conv.patchSize
      if conv.activation == .relu {
        let std = (2 / Float(conv.patchSize)).squareRoot()
        for i in 0..<n { w[i] = std * random.nextGaussian() }
      } else {
        let fanOut = conv.filters * conv.kernel * conv.kernel
        let limit = (6 / Float(conv.patchSize + fanOut)).squareRoot()
        for i in 0..<n { w[i] = random.nextFloat(in: -limit, limit) }
      }
    }
    for layer in layers {
      let w = parameters.pointer + layer.weightOffset
      let n = layer.inputSize * layer.outputSize
      if layer.activation == .relu {
        let std = (2 / Float(layer.inputSize)).squareRoot()
        for i in 0..<n { w[i] = std * random.nextGaussian() }
      } else {
        let limit = (6 / Float(layer.inputSize + layer.outputSize)).squareRoot()
        for i in 0..<n { w[i] = random.nextFloat(in: -limit, limit) }
      }
    }
  }

  /// Sizes the workspaces for batches of up to `batchSize` rows (allocates only if larger
  /// than what is already there).
  public func reserve(batchSize capacity: Int) {
    if let first = activations.first, first.rowCapacity >= capacity { return }
    let widths = Array(architecture.sizes.dropFirst())
    activations = widths.map { Matrix(rows: 0, columns: $0, rowCapacity: capacity) }
    lossGradient = Matrix(rows: 0, columns: outputSize, rowCapacity: capacity)
    let blockCapacity = min(capacity, blockRows)
    blockGradients = widths.dropLast().map {
      Matrix(rows: blockCapacity, columns: $0, rowCapacity: blockCapacity)
    }
    guard !featureLayers.isEmpty else { return }
    featureOutputs = featureLayers.map {
      Matrix(rows: 0, columns: $0.output.count, rowCapacity: capacity)
    }
    featureGradients = featureLayers.map {
      Matrix(rows: 0, columns: $0.output.count, rowCapacity: capacity)
    }
    featureWorkspace = Vector(count: featureLayers.map(\.workspaceCount).max() ?? 0)
    poolIndices = featureLayers.compactMap {
      if case .pooling(let pool) = $0 { return [Int32](repeating: 0, count: capacity * pool.output.count) }
      return nil
    }
    dropoutMasks = featureLayers.compactMap {
      if case .dropout(let dropout) = $0 { return [Float](repeating: 0, count: capacity * dropout.size) }
      return nil
    }
  }

  /// Runs the network on `batchSize` rows of `inputSize` floats at `input`; returns the
  /// output (a workspace overwritten by the next forward pass).
  ///
  /// The input is not copied (a copy costs ~5 % of a step): the memory must stay alive and
  /// unchanged until `backward` has run. `forward(_: Matrix)` keeps its matrix alive itself.
  @discardableResult
  public func forward(_ input: UnsafePointer<Float>, batchSize: Int) -> Matrix {
    reserve(batchSize: batchSize)
    self.batchSize = batchSize
    self.input = input
    inputOwner = nil
    for m in activations { m.setRows(batchSize) }
    lossGradient.setRows(batchSize)
    let p = UnsafePointer(parameters.pointer)
    let denseInput = featureLayers.isEmpty ? input : forwardFeatures(input, batchSize: batchSize)
    let denseWidth = architecture.sizes[0]
    var start = 0
    while start < batchSize {
      let rows = min(blockRows, batchSize - start)
      var x = denseInput + start * denseWidth
      for (i, layer) in layers.enumerated() {
        let y = activations[i].pointer + start * layer.outputSize
        layer.forward(input: x, output: y, batch: rows, parameters: p, threads: threadCount)
        x = UnsafePointer(y)
      }
      start += rows
    }
    return activations[activations.count - 1]
  }

  /// Runs the network on the rows of `input` (`input.columns` must equal `inputSize`).
  @discardableResult
  public func forward(_ input: Matrix) -> Matrix {
    precondition(input.columns == inputSize,
                 "forward: input has \(input.columns) columns, the model expects \(inputSize)")
    let output = forward(input.pointer, batchSize: input.rows)
    inputOwner = input
    return output
  }

  /// Back-propagates dL/d(output) (`batchSize` × `outputSize`, from the last forward pass)
  /// and ADDS dL/dθ to `gradients`, so several losses can be summed before a step.
  /// `gradient` may be `outputGradient` itself; its contents are consumed.
  public func backward(_ gradient: Matrix) {
    precondition(gradient.rows == batchSize && gradient.columns == outputSize,
                 "backward: gradient is \(gradient.rows)x\(gradient.columns), expected "
                   + "\(batchSize)x\(outputSize) from the last forward pass")
    guard let input else { return }
    if gradient !== lossGradient {
      lossGradient.pointer.update(from: gradient.pointer, count: gradient.count)
    }
    let p = UnsafePointer(parameters.pointer)
    let g = gradients.pointer
    let last = layers.count - 1
    let hasFeatures = !featureLayers.isEmpty
    let denseInput = hasFeatures ? UnsafePointer(featureOutputs[featureOutputs.count - 1].pointer) : input
    let denseWidth = architecture.sizes[0]
    var start = 0
    while start < batchSize {
      let rows = min(blockRows, batchSize - start)
      for i in stride(from: last, through: 0, by: -1) {
        let layer = layers[i]
        let x = i == 0 ? denseInput + start * denseWidth
          : UnsafePointer(activations[i - 1].pointer + start * layer.inputSize)
        let gradOutput = i == last ? lossGradient.pointer + start * outputSize
          : blockGradients[i].pointer
        // With a convolutional stage the first dense layer hands dL/dx back to it.
        let gradInput = i > 0 ? blockGradients[i - 1].pointer
          : hasFeatures ? featureGradients[featureGradients.count - 1].pointer + start * denseWidth : nil
        layer.backward(
          input: x, output: activations[i].pointer + start * layer.outputSize,
          gradOutput: gradOutput, gradInput: gradInput,
          batch: rows, parameters: p, gradients: g, threads: threadCount)
      }
      start += rows
    }
    if hasFeatures { backwardFeatures(input) }
  }

  /// Runs the convolutional stage on the whole batch; returns the first dense layer's input.
  private func forwardFeatures(_ input: UnsafePointer<Float>, batchSize: Int) -> UnsafePointer<Float> {
    let p = UnsafePointer(parameters.pointer)
    var x = input
    var pool = 0, drop = 0
    for (i, layer) in featureLayers.enumerated() {
      featureOutputs[i].setRows(batchSize)
      featureGradients[i].setRows(batchSize)
      let y = featureOutputs[i].pointer
      switch layer {
      case .convolution(let conv):
        conv.forward(input: x, output: y, batch: batchSize, parameters: p,
                     workspace: featureWorkspace.pointer)
      case .pooling(let layer):
        poolIndices[pool].withUnsafeMutableBufferPointer {
          layer.forward(input: x, output: y, batch: batchSize, argmax: $0.baseAddress!)
        }
        pool += 1
      case .dropout(let layer):
        dropoutMasks[drop].withUnsafeMutableBufferPointer {
          layer.forward(input: x, output: y, batch: batchSize, training: isTraining,
                        mask: $0.baseAddress!, random: &dropoutRandom)
        }
        drop += 1
      }
      x = UnsafePointer(y)
    }
    lastForwardTrained = isTraining
    return x
  }

  /// Back-propagates from dL/d(stage output) (`featureGradients.last`, written by the first
  /// dense layer) through the stage, adding the convolutions' dL/dθ to `gradients`.
  private func backwardFeatures(_ input: UnsafePointer<Float>) {
    let p = UnsafePointer(parameters.pointer)
    var pool = poolIndices.count, drop = dropoutMasks.count
    for i in stride(from: featureLayers.count - 1, through: 0, by: -1) {
      let x = i == 0 ? input : UnsafePointer(featureOutputs[i - 1].pointer)
      let g = featureGradients[i].pointer
      let gradInput = i > 0 ? featureGradients[i - 1].pointer : nil
      switch featureLayers[i] {
      case .convolution(let conv):
        conv.backward(
          input: x, output: featureOutputs[i].pointer, gradOutput: g, gradInput: gradInput,
          batch: batchSize, parameters: p, gradients: gradients.pointer,
          workspace: featureWorkspace.pointer)
      case .pooling(let layer):
        pool -= 1
        guard let gradInput else { continue }
        poolIndices[pool].withUnsafeBufferPointer {
          layer.backward(gradOutput: g, gradInput: gradInput, batch: batchSize,
                         argmax: $0.baseAddress!)
        }
      case .dropout(let layer):
        drop -= 1
        guard let gradInput else { continue }
        dropoutMasks[drop].withUnsafeBufferPointer {
          layer.backward(gradOutput: g, gradInput: gradInput, batch: batchSize,
                         training: lastForwardTrained, mask: $0.baseAddress!)
        }
      }
    }
  }

  /// Back-propagates `outputGradient` (where the losses wrote).
  public func backward() { backward(outputGradient) }

  /// Sets every gradient to zero (before accumulating the next step's losses).
  public func zeroGradients() { gradients.fill(0) }

  /// A view of layer `index`'s weights (inputSize × outputSize) in `parameters`.
  public func weights(ofLayer index: Int) -> Matrix {
    let layer = layers[index]
    return Matrix(viewing: parameters, offset: layer.weightOffset,
                  rows: layer.inputSize, columns: layer.outputSize)
  }

  /// A view of layer `index`'s biases (1 × outputSize) in `parameters`.
  public func biases(ofLayer index: Int) -> Matrix {
    let layer = layers[index]
    return Matrix(viewing: parameters, offset: layer.biasOffset, rows: 1,
                  columns: layer.outputSize)
  }

  /// An independent model with the same architecture and parameters (e.g. LwF's frozen
  /// teacher) and thread count; workspaces and gradients are its own.
  public func copy() -> MLP {
    let clone = MLP(validated: architecture, seed: 0)
    clone.parameters.copy(from: parameters)
    clone.threadCount = threadCount
    return clone
  }
}
