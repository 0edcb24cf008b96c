import CKernels

/// A fully connected layer y = f(x·W + b) inside an `MLP`'s parameter buffer.
///
/// W is stored row-major as `inputSize` × `outputSize` (x·W needs no transpose in the
/// forward product), immediately followed by the `outputSize` biases. The same offsets
/// address the gradient buffer and every optimizer state buffer.
public struct Dense: Sendable, Equatable {
  /// Width of the input.
  public let inputSize: Int
  /// Width of the output.
  public let outputSize: Int
  /// Nonlinearity applied to the output.
  public let activation: Activation
  /// Offset of W in the flat parameter buffer.
  public let weightOffset: Int
  /// Offset of b in the flat parameter buffer.
  public var biasOffset: Int { weightOffset + inputSize * outputSize }
  /// Number of parameters (weights and biases).
  public var parameterCount: Int { (inputSize + 1) * outputSize }

  /// Whether this layer runs on the narrow-input kernels (`CKernels`): at most 16
  /// inputs and a ReLU or no activation. There BLAS packs more than it multiplies, and
  /// bias, product and activation are one pass (10→64→1 regression: see Benchmarks/).
  var usesNarrowKernels: Bool {
    inputSize <= Int(NARROW_MAX_INPUT) && (activation == .relu || activation == .identity)
  }

  /// Writes y = f(x·W + b) for `batch` rows.
  func forward(
    input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, batch: Int,
    parameters: UnsafePointer<Float>, threads: Int = 1
  ) {
    if usesNarrowKernels {
      // Rows are independent: shared out by rows, bit-identical at any thread count.
      let inputs = inputSize, outputs = outputSize
      let relu: Int32 = activation == .relu ? 1 : 0
      let w = parameters + weightOffset, b = parameters + biasOffset
      let shared = Workers.threads(threads, forWork: batch * inputs * outputs)
      Workers.forEachSlice(of: batch, alignment: 8, threads: shared) { rows in
        narrow_dense_forward(
          x + rows.lowerBound * inputs, rows.count, inputs, w, b, outputs,
          y + rows.lowerBound * outputs, relu)
      }
      return
    }
    Dense.broadcast(parameters + biasOffset, into: y, rows: batch, columns: outputSize)
    BLAS.gemm(
      transposeA: false, transposeB: false, m: batch, n: outputSize, k: inputSize, alpha: 1,
      a: x, lda: inputSize, b: parameters + weightOffset, ldb: outputSize,
      beta: 1, c: y, ldc: outputSize, threads: threads)
    activation.apply(y, count: batch * outputSize)
  }

  /// Given dL/dy in `gradOutput` (overwritten with dL/dz unless this is a narrow first
  /// layer), accumulates dL/dW and dL/db into `gradients` and, when `gradInput` is given,
  /// writes dL/dx there.
  func backward(
    input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
    gradOutput g: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
    batch: Int, parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
    threads: Int = 1
  ) {
    if gradInput == nil && usesNarrowKernels {
      // g is left as dL/dy (nothing after the first layer reads it). Shared out by columns,
      // each summed over the rows in order: bit-identical at any thread count.
      let relu: Int32 = activation == .relu ? 1 : 0
      let outputs = outputSize
      let dw = gradients + weightOffset, db = gradients + biasOffset
      let shared = Workers.threads(threads, forWork: batch * inputSize * outputs)
      Workers.forEachSlice(of: outputs, alignment: 8, threads: shared) { c in
        narrow_dense_backward(
          x, batch, inputSize, g + c.lowerBound, y + c.lowerBound, c.count, outputs, relu,
          dw + c.lowerBound, db + c.lowerBound)
      }
      return
    }
    activation.backward(
      g, outputs: y, rows: batch, columns: outputSize, biasGradient: gradients + biasOffset)
    BLAS.gemm(
      transposeA: true, transposeB: false, m: inputSize, n: outputSize, k: batch, alpha: 1,
      a: x, lda: inputSize, b: g, ldb: outputSize,
      beta: 1, c: gradients + weightOffset, ldc: outputSize, threads: threads)
    if let gradInput {
      BLAS.gemm(
        transposeA: false, transposeB: true, m: batch, n: inputSize, k: outputSize, alpha: 1,
        a: g, lda: outputSize, b: parameters + weightOffset, ldb: outputSize,
        beta: 0, c: gradInput, ldc: inputSize, threads: threads)
    }
  }

  /// Copies `bias` into every row (one vectorized loop; a memcpy per row costs more in
  /// call overhead than in bandwidth for narrow layers).
  @inline(never)
  static func broadcast(
    _ bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, columns: Int
  ) {
    if columns == 1 {
      let b = bias[0]
      for r in 0..<rows { y[r] = b }
      return
    }
    if columns % 4 == 0 {
      // Explicit SIMD4: the scalar loop below stayed scalar in the release build.
      let source = UnsafeRawPointer(bias)
      for r in 0..<rows {
        let row = UnsafeMutableRawPointer(y + r * columns)
        var offset = 0
        while offset < columns * 4 {
          row.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self),
                         toByteOffset: offset, as: SIMD4<Float>.self)
          offset += 16
        }
      }
      return
    }
    for r in 0..<rows {
      let row = y + r * columns
      for c in 0..<columns { row[c] = bias[c] }
    }
  }
}
