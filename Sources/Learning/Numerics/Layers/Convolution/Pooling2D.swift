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
      maxPoolPairs(x, y, planes: planes, argmax: argmax)
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

  /// Max pooling of 2 × 2 windows by 2 (the common case) with the window unrolled: the same
  /// choice as the general loop (first maximum, NaN wins), as selects.
  private func maxPoolPairs(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int,
    argmax: UnsafeMutablePointer<Int32>
  ) {
    let (width, outWidth) = (input.width, output.width)
    @inline(__always) func better(_ v: Float, than value: Float) -> Bool {
      value == value && !(v <= value)
    }
    for p in 0..<planes {
      let base = Int32((p % input.channels) * input.planeSize)
      let xp = x + p * input.planeSize, yp = y + p * output.planeSize
      let ap = argmax + p * output.planeSize
      for oy in 0..<output.height {
        let top = xp + 2 * oy * width, bottom = top + width
        let row = Int32(2 * oy * width)
        var ox = 0
        // Eight windows at once: 16 values of each input row, split into even and odd columns.
        while 2 * ox + 16 <= width && ox + 8 <= outWidth {
          let upper = UnsafeRawPointer(top + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
          let lower = UnsafeRawPointer(bottom + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
          let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14) &+ (row + Int32(2 * ox))
          var value = upper.evenHalf
          var best = lanes
          @inline(__always) func consider(_ candidate: SIMD8<Float>, _ offset: Int32) {
            let take = (value .== value) .& .!(candidate .<= value)
            value.replace(with: candidate, where: take)
            best.replace(with: lanes &+ offset, where: take)
          }
          consider(upper.oddHalf, 1)
          consider(lower.evenHalf, Int32(width))
          consider(lower.oddHalf, Int32(width + 1))
          UnsafeMutableRawPointer(yp + oy * outWidth + ox).storeBytes(of: value, as: SIMD8<Float>.self)
          UnsafeMutableRawPointer(ap + oy * outWidth + ox)
            .storeBytes(of: best &+ base, as: SIMD8<Int32>.self)
          ox += 8
        }
        while ox < outWidth {
          let left = 2 * ox
          var value = top[left]
          var best = row + Int32(left)
          let candidates = (top[left + 1], bottom[left], bottom[left + 1])
          let indices = (best + 1, best + Int32(width), best + Int32(width) + 1)
          var take = better(candidates.0, than: value)
          best = take ? indices.0 : best
          value = take ? candidates.0 : value
          take = better(candidates.1, than: value)
          best = take ? indices.1 : best
          value = take ? candidates.1 : value
          take = better(candidates.2, than: value)
          best = take ? indices.2 : best
          value = take ? candidates.2 : value
          yp[oy * outWidth + ox] = value
          ap[oy * outWidth + ox] = base + best
          ox += 1
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
