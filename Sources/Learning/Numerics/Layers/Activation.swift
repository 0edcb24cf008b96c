import Foundation

/// The elementwise nonlinearity after a dense layer (the ReLU, Tanh and Sigmoid layers).
///
/// Activations work in place on the layer output and their derivatives are written in
/// terms of that output y = f(z), so a layer keeps one buffer per batch, not two:
/// ReLU′ = [y > 0], tanh′ = 1 − y², sigmoid′ = y (1 − y).
public enum Activation: String, Sendable, CaseIterable, Codable {
  /// No nonlinearity (the output layer producing logits).
  case identity
  /// max(0, z).
  case relu
  /// tanh(z).
  case tanh
  /// 1 / (1 + e^−z).
  case sigmoid

  /// Stable numeric code used in checkpoints.
  var code: UInt8 {
    switch self {
    case .identity: return 0
    case .relu: return 1
    case .tanh: return 2
    case .sigmoid: return 3
    }
  }

  init?(code: UInt8) {
    switch code {
    case 0: self = .identity
    case 1: self = .relu
    case 2: self = .tanh
    case 3: self = .sigmoid
    default: return nil
    }
  }

  /// y ← f(y) over `count` elements, in place.
  public func apply(_ y: UnsafeMutablePointer<Float>, count: Int) {
    switch self {
    case .identity:
      return
    case .relu:
      for i in 0..<count { y[i] = y[i] > 0 ? y[i] : 0 }
    case .tanh:
      for i in 0..<count { y[i] = Foundation.tanhf(y[i]) }
    case .sigmoid:
      for i in 0..<count {
        // Split by sign so e^x never overflows.
        let z = y[i]
        if z >= 0 {
          y[i] = 1 / (1 + Foundation.expf(-z))
        } else {
          let e = Foundation.expf(z)
          y[i] = e / (1 + e)
        }
      }
    }
  }

  /// g ← g ⊙ f′ expressed through the outputs y = f(z), in place (the backward pass).
  public func backward(
    _ g: UnsafeMutablePointer<Float>, outputs y: UnsafePointer<Float>, count: Int
  ) {
    switch self {
    case .identity:
      return
    case .relu:
      for i in 0..<count { g[i] = y[i] > 0 ? g[i] : 0 }
    case .tanh:
      for i in 0..<count { g[i] = g[i] * (1 - y[i] * y[i]) }
    case .sigmoid:
      for i in 0..<count { g[i] = g[i] * (y[i] * (1 - y[i])) }
    }
  }
}
