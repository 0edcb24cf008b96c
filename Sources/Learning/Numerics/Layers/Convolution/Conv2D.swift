/// A 2-D convolution y = f(W ∗ x + b) over CHW feature maps, inside a model's flat parameter
/// buffer (the same offsets address gradients and optimizer state, as for `Dense`).
///
/// W is stored row-major as `filters` × (channels · kernel · kernel), in (channel, kernel row,
/// kernel column) order, then the `filters` biases. Each sample is unfolded into a column
/// matrix (im2col: one row per (channel, kernel row, kernel column), one column per output
/// position, zeros where the window reaches into the padding), so the convolution is one
/// `sgemm`: y (filters × positions) = W · columns. The backward pass uses the same unfolding:
/// dW += dz · columnsᵀ, dcolumns = Wᵀ · dz folded back (col2im, adding overlapping windows).
///
/// ```swift
/// let conv = try Conv2D(input: .init(channels: 1, height: 28, width: 28), filters: 32,
///                       kernel: 3, stride: 1, padding: 1, activation: .relu, weightOffset: 0)
/// // conv.output == 32×28×28; conv.workspaceCount floats of scratch per call
/// ```
public struct Conv2D: Sendable, Equatable {
  /// The feature maps of one input sample.
  public let input: FeatureShape
  /// The feature maps of one output sample (one plane per filter).
  public let output: FeatureShape
  /// Number of filters (output channels).
  public var filters: Int { output.channels }
  /// Side of the square kernel.
  public let kernel: Int
  /// Step of the window, in pixels, along both axes.
  public let stride: Int
  /// Zeros added on every side.
  public let padding: Int
  /// Nonlinearity applied to the output.
  public let activation: Activation
  /// Offset of W in the flat parameter buffer.
  public let weightOffset: Int

  /// Creates a layer; throws `ModelError(.invalidArchitecture)` when the kernel does not fit
  /// the padded input or a size is not positive.
  public init(
    input: FeatureShape, filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
    activation: Activation = .relu, weightOffset: Int
  ) throws {
    guard input.count > 0, filters >= 1, kernel >= 1, stride >= 1, padding >= 0,
      let height = slidingOutputSize(input.height, window: kernel, stride: stride, padding: padding),
      let width = slidingOutputSize(input.width, window: kernel, stride: stride, padding: padding)
    else {
      throw ModelError(
        .invalidArchitecture,
        "a \(kernel)×\(kernel) convolution (stride \(stride), padding \(padding)) with \(filters)"
          + " filters does not fit input \(input); sizes must be positive and the kernel at most"
          + " the padded input")
    }
    self.input = input
    output = FeatureShape(channels: filters, height: height, width: width)
    (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
    self.activation = activation
    self.weightOffset = weightOffset
  }

  /// Values of one unfolded window: channels × kernel × kernel.
  public var patchSize: Int { input.channels * kernel * kernel }
  /// Offset of b in the flat parameter buffer.
  public var biasOffset: Int { weightOffset + filters * patchSize }
  /// Number of parameters (weights and biases).
  public var parameterCount: Int { filters * (patchSize + 1) }
  /// Scratch floats `forward` and `backward` need: one sample's columns (and, backward,
  /// their gradient).
  public var workspaceCount: Int { 2 * patchSize * output.planeSize }

  /// Writes y = f(W ∗ x + b) for `batch` samples of `input.count` floats at `x`.
  func forward(
    input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, batch: Int,
    parameters: UnsafePointer<Float>, workspace: UnsafeMutablePointer<Float>
  ) {
    let positions = output.planeSize
    let w = parameters + weightOffset, b = parameters + biasOffset
    for n in 0..<batch {
      let yn = y + n * output.count
      unfold(x + n * input.count, into: workspace)
      for f in 0..<filters {
        let plane = yn + f * positions
        let bias = b[f]
        for i in 0..<positions { plane[i] = bias }
      }
      BLAS.gemm(
        transposeA: false, transposeB: false, m: filters, n: positions, k: patchSize, alpha: 1,
        a: w, lda: patchSize, b: workspace, ldb: positions, beta: 1, c: yn, ldc: positions)
    }
    activation.apply(y, count: batch * output.count)
  }

  /// Given dL/dy in `gradOutput` (overwritten with dL/dz), accumulates dL/dW and dL/db into
  /// `gradients` and, when `gradInput` is given, writes dL/dx there.
  func backward(
    input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
    gradOutput g: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
    batch: Int, parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
    workspace: UnsafeMutablePointer<Float>
  ) {
    activation.backward(g, outputs: y, count: batch * output.count)
    let positions = output.planeSize
    let w = parameters + weightOffset
    let dw = gradients + weightOffset, db = gradients + biasOffset
    let columns = workspace, columnGradient = workspace + patchSize * positions
    for n in 0..<batch {
      let gn = UnsafePointer(g + n * output.count)
      for f in 0..<filters {
        let plane = gn + f * positions
        var sum: Float = 0
        for i in 0..<positions { sum += plane[i] }
        db[f] += sum
      }
      unfold(x + n * input.count, into: columns)
      // dW (filters × patch) += dz (filters × positions) · columnsᵀ.
      BLAS.gemm(
        transposeA: false, transposeB: true, m: filters, n: patchSize, k: positions, alpha: 1,
        a: gn, lda: positions, b: columns, ldb: positions, beta: 1, c: dw, ldc: patchSize)
      guard let gradInput else { continue }
      // dcolumns (patch × positions) = Wᵀ · dz, then folded back onto the input.
      BLAS.gemm(
        transposeA: true, transposeB: false, m: patchSize, n: positions, k: filters, alpha: 1,
        a: w, lda: patchSize, b: gn, ldb: positions, beta: 0, c: columnGradient,
        ldc: positions)
      fold(columnGradient, into: gradInput + n * input.count)
    }
  }

  /// im2col of one sample: row (c, i, j) of `columns` holds, for every output position
  /// (oy, ox), x[c][oy·stride − padding + i][ox·stride − padding + j], or 0 in the padding.
  func unfold(_ x: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>) {
    let (oh, ow) = (output.height, output.width)
    var row = columns
    for c in 0..<input.channels {
      let plane = x + c * input.planeSize
      for i in 0..<kernel {
        for j in 0..<kernel {
          // Output columns whose input column ox·stride − padding + j lies inside the plane:
          // zeros before and after, a plain (strided) copy between, no test per value.
          let (first, end) = columnRange(j)
          for oy in 0..<oh {
            let iy = oy * stride - padding + i
            let out = row + oy * ow
            guard iy >= 0 && iy < input.height, first < end else {
              out.update(repeating: 0, count: ow)
              continue
            }
            if first > 0 { out.update(repeating: 0, count: first) }
            if end < ow { (out + end).update(repeating: 0, count: ow - end) }
            let source = plane + iy * input.width - padding + j
            if stride == 1 {
              (out + first).update(from: source + first, count: end - first)
            } else {
              for ox in first..<end { out[ox] = source[ox * stride] }
            }
          }
          row += oh * ow
        }
      }
    }
  }

  /// The output columns [first, end) that kernel column `j` maps inside the input plane.
  @inline(__always)
  private func columnRange(_ j: Int) -> (Int, Int) {
    // ox·stride − padding + j ≥ 0  ⇔  ox ≥ ⌈(padding − j) / stride⌉;
    // ox·stride − padding + j < width  ⇔  ox < ⌈(width + padding − j) / stride⌉.
    func ceilDiv(_ a: Int, _ b: Int) -> Int { a <= 0 ? 0 : (a + b - 1) / b }
    let first = min(output.width, ceilDiv(padding - j, stride))
    let end = min(output.width, ceilDiv(input.width + padding - j, stride))
    return (first, max(first, end))
  }

  /// col2im: writes dx for one sample, each input pixel the sum of the column entries that
  /// read it (`unfold`'s transpose).
  func fold(_ columns: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
    dx.update(repeating: 0, count: input.count)
    let (oh, ow) = (output.height, output.width)
    var row = columns
    for c in 0..<input.channels {
      let plane = dx + c * input.planeSize
      for i in 0..<kernel {
        for j in 0..<kernel {
          for oy in 0..<oh {
            let iy = oy * stride - padding + i
            guard iy >= 0 && iy < input.height else { continue }
            let target = plane + iy * input.width
            let source = row + oy * ow
            for ox in 0..<ow {
              let ix = ox * stride - padding + j
              if ix >= 0 && ix < input.width { target[ix] += source[ox] }
            }
          }
          row += oh * ow
        }
      }
    }
  }
}
