import CKernels

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
    let planes = batch * input.channels
    let (width, outWidth) = (input.width, output.width)
    if kind == .average {
      let scale = 1 / Float(size * size)
      for p in 0..<planes {
        let xp = x + p * input.planeSize, yp = y + p * output.planeSize
        for oy in 0..<output.height {
          for ox in 0..<outWidth {
            let corner = xp + oy * stride * width + ox * stride
            var sum: Float = 0
            for i in 0..<size {
              for j in 0..<size { sum += corner[i * width + j] }
            }
            yp[oy * outWidth + ox] = sum * scale
          }
        }
      }
      return
    }
    if size == 2 && stride == 2 {
      // The common case in C (CKernels' PoolKernels.h): AVX2 eight windows at a time; Swift's
      // SIMD types compile to SSE on baseline x86-64 and this was 20 % of a CNN's profile.
      max_pool_2x2(x, planes, input.channels, input.height, input.width, y, argmax)
      return
    }
    for p in 0..<planes {
      // Indices are within the sample (its planes of this batch row): p % channels planes in.
      let base = (p % input.channels) * input.planeSize
      let xp = x + p * input.planeSize, yp = y + p * output.planeSize
      let ap = argmax + p * output.planeSize
      for oy in 0..<output.height {
        for ox in 0..<outWidth {
          let start = oy * stride * width + ox * stride
          var best = start
          var value = xp[start]
          for i in 0..<size {
            for j in 0..<size {
              let index = start + i * width + j
              let v = xp[index]
              // The first maximum wins; NaN wins over numbers, so a diverging run shows NaN.
              // Selects, not branches: on real activations the comparison is a coin toss.
              let take = value == value && !(v <= value)
              best = take ? index : best
              value = take ? v : value
            }
          }
          yp[oy * outWidth + ox] = value
          ap[oy * outWidth + ox] = Int32(base + best)
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
