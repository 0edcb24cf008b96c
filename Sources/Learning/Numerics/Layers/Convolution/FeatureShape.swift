/// The shape of one sample's feature maps: `channels` planes of `height` × `width`, stored
/// channel-major (CHW: plane after plane, each row-major), the layout of a Fashion-MNIST row
/// (1 × 28 × 28). A dense layer after convolutions reads the CHW values as its input row,
/// so flattening moves nothing.
public struct FeatureShape: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  /// Planes (image channels, or a convolution's filters).
  public var channels: Int
  /// Rows of each plane.
  public var height: Int
  /// Columns of each plane.
  public var width: Int

  /// A shape of `channels` planes of `height` × `width`.
  public init(channels: Int, height: Int, width: Int) {
    (self.channels, self.height, self.width) = (channels, height, width)
  }

  /// Values per sample: channels × height × width.
  public var count: Int { channels * height * width }
  /// Values per plane.
  public var planeSize: Int { height * width }

  /// "1×28×28".
  public var description: String { "\(channels)×\(height)×\(width)" }
}

/// Output size along one axis of a sliding window: ⌊(size + 2·padding − window) / stride⌋ + 1,
/// or nil when the window does not fit once.
func slidingOutputSize(_ size: Int, window: Int, stride: Int, padding: Int) -> Int? {
  let span = size + 2 * padding - window
  guard window >= 1, stride >= 1, padding >= 0, span >= 0 else { return nil }
  return span / stride + 1
}
