/// Max or average pooling over each plane of CHW feature maps: a `size` × `size` window
/// moved by `stride` (no padding; a window that would leave the plane is not taken, as in
/// PyTorch's default `ceil_mode=False`). No parameters.
public struct Pooling2D: Sendable, Equatable {
  /// What a window keeps.
  public enum Kind: String, Sendable, Codable, CaseIterable {
    /// The largest value (the first one on ties); its gradient goes to that one input.
    case max
    /// The mean; its gradient is shared evenly by the window's inputs.
    case average
  }

  /// Max or average.
  public let kind: Kind
  /// The feature maps of one input sample.
  public let input: FeatureShape
  /// The feature maps of one output sample (the same channels, smaller planes).
  public let output: FeatureShape
  /// Side of the square window.
  public let size: Int
  /// Step of the window.
  public let stride: Int

  /// Creates a layer; throws `ModelError(.invalidArchitecture)` when the window does not fit.
  public init(_ kind: Kind, input: FeatureShape, size: Int, stride: Int? = nil) throws {
    let step = stride ?? size
    guard input.count > 0,
      let height = slidingOutputSize(input.height, window: size, stride: step, padding: 0),
      let width = slidingOutputSize(input.width, window: size, stride: step, padding: 0)
    else {
      throw ModelError(
        .invalidArchitecture,
        "a \(size)×\(size) \(kind.rawValue) pooling (stride \(step)) does not fit input \(input)")
    }
    self.kind = kind
    self.input = input
    output = FeatureShape(channels: input.channels, height: height, width: width)
    self.size = size
    self.stride = step
  }

  /// Writes the pooled maps of `batch` samples. For max pooling, `argmax` (one Int32 per
  /// output value) receives the index in the sample's input of each window's maximum, for
  /// `backward`; average pooling ignores it.
  func forward(
    input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, batch: Int,
    argmax: UnsafeMutablePointer<Int32>
  ) {
    let scale = 1 / Float(size * size)
    for n in 0..<batch {
      let xn = x + n * input.count, yn = y + n * output.count
      let an = argmax + n * output.count
      for c in 0..<input.channels {
        let plane = c * input.planeSize
        for oy in 0..<output.height {
          for ox in 0..<output.width {
            let o = c * output.planeSize + oy * output.width + ox
            let top = oy * stride, left = ox * stride
            switch kind {
            case .max:
              var best = plane + top * input.width + left
              for i in 0..<size {
                for j in 0..<size {
                  let index = plane + (top + i) * input.width + left + j
                  // NaN wins, so a diverging run shows NaN.
                  if xn[index] > xn[best] || xn[index].isNaN && !xn[best].isNaN { best = index }
                }
              }
              yn[o] = xn[best]
              an[o] = Int32(best)
            case .average:
              var sum: Float = 0
              for i in 0..<size {
                for j in 0..<size { sum += xn[plane + (top + i) * input.width + left + j] }
              }
              yn[o] = sum * scale
            }
          }
        }
      }
    }
  }

  /// Writes dL/dx for `batch` samples from dL/dy (and, for max pooling, the forward pass's
  /// `argmax`).
  func backward(
    gradOutput g: UnsafePointer<Float>, gradInput dx: UnsafeMutablePointer<Float>, batch: Int,
    argmax: UnsafePointer<Int32>
  ) {
    dx.update(repeating: 0, count: batch * input.count)
    let scale = 1 / Float(size * size)
    for n in 0..<batch {
      let gn = g + n * output.count, dn = dx + n * input.count
      switch kind {
      case .max:
        let an = argmax + n * output.count
        for o in 0..<output.count { dn[Int(an[o])] += gn[o] }
      case .average:
        for c in 0..<input.channels {
          let plane = c * input.planeSize
          for oy in 0..<output.height {
            for ox in 0..<output.width {
              let share = gn[c * output.planeSize + oy * output.width + ox] * scale
              let top = oy * stride, left = ox * stride
              for i in 0..<size {
                for j in 0..<size { dn[plane + (top + i) * input.width + left + j] += share }
              }
            }
          }
        }
      }
    }
  }
}
