/// The resumable state of an optimizer: its kind, step count and per-parameter buffers
/// (each in the layout of the model's parameters).
public struct OptimizerState: Sendable, Equatable {
  /// Which optimizer the state belongs to.
  public enum Kind: UInt8, Sendable {
    /// `SGD`: one buffer, the momentum (empty when momentum is 0).
    case sgd = 1
    /// `Adam`: two buffers, first and second moments.
    case adam = 2
  }

  /// The optimizer kind.
  public var kind: Kind
  /// Steps taken (Adam's bias correction depends on it).
  public var stepCount: Int
  /// State buffers, each `parameterCount` long.
  public var buffers: [[Float]]

  /// Creates a state value.
  public init(kind: Kind, stepCount: Int, buffers: [[Float]]) {
    self.kind = kind
    self.stepCount = stepCount
    self.buffers = buffers
  }

  func check(kind expected: Kind, bufferCount: Int, parameterCount: Int) throws {
    guard kind == expected else {
      throw ModelError(.shapeMismatch,
                       "optimizer state is for \(kind), cannot restore into \(expected)")
    }
    guard buffers.count == bufferCount,
          buffers.allSatisfy({ $0.count == parameterCount })
    else {
      throw ModelError(.shapeMismatch,
                       "\(expected) state needs \(bufferCount) buffers of \(parameterCount) "
                         + "floats, got \(buffers.map(\.count))")
    }
  }
}
