import Foundation

/// One item of `model.layers`: the layer-list form of a model (the `hidden` form stays
/// valid). Convolution, pooling and dropout come first (they see the images as CHW feature
/// maps), then dense layers; the output layer (one unit per class, or 1 for regression) is
/// added after the last item, as with `hidden`.
///
/// ```yaml
/// model:
///   layers:
///     - {type: conv2d, filters: 32, kernel: 3, padding: 1}
///     - {type: maxpool, size: 2}
///     - {type: flatten}
///     - {type: dense, units: 128}
///     - {type: dropout, rate: 0.25}
/// ```
public struct LayerSpec: Codable, Equatable {
  /// The kinds of layer a list can name.
  public enum Kind: String, Codable, CaseIterable, Sendable {
    case conv2d, maxpool, avgpool, flatten, dropout, dense
  }

  /// Which layer.
  public var type: Kind
  /// conv2d: number of filters.
  public var filters: Int
  /// conv2d: side of the square kernel (default 3).
  public var kernel: Int
  /// conv2d and pools: the window's step (default 1 for conv2d, the window's size for pools).
  public var stride: Int?
  /// conv2d: zeros added on every side (default 0).
  public var padding: Int
  /// maxpool, avgpool: side of the square window (default 2).
  public var size: Int
  /// dropout: share of values dropped while training (default 0.5).
  public var rate: Double
  /// dense: number of units.
  public var units: Int
  /// conv2d, dense: nonlinearity (default: the model's `activation`).
  public var activation: ModelSpec.Activation?

  /// The keys each kind accepts (besides `type`).
  static let keys: [Kind: [String]] = [
    .conv2d: ["filters", "kernel", "stride", "padding", "activation"],
    .maxpool: ["size", "stride"], .avgpool: ["size", "stride"], .flatten: [],
    .dropout: ["rate"], .dense: ["units", "activation"],
  ]

  /// A layer of `type` with every default.
  public init(type: Kind) {
    self.type = type
    filters = 0
    kernel = 3
    padding = 0
    size = 2
    rate = 0.5
    units = 0
  }

  /// Decodes one item; unknown keys for its kind are errors naming `model.layers`.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    self.init(type: try c.choice("type", section: "model.layers", nil as Kind?))
    let allowed = ["type"] + (LayerSpec.keys[type] ?? [])
    if let unknown = c.allKeys.map(\.stringValue).first(where: { !allowed.contains($0) }) {
      throw LearningError.invalidSpec(
        key: "model.layers",
        message: "a \(type.rawValue) layer has no key '\(unknown)'; it takes "
          + (allowed.dropFirst().isEmpty ? "none" : allowed.dropFirst().joined(separator: ", ")))
    }
    filters = try c.value("filters", filters)
    kernel = try c.value("kernel", kernel)
    stride = try c.optional("stride")
    padding = try c.value("padding", padding)
    size = try c.value("size", size)
    rate = try c.value("rate", rate)
    units = try c.value("units", units)
    if c.contains(SpecKey("activation")) {
      activation = try c.choice("activation", section: "model.layers", nil as ModelSpec.Activation?)
    }
  }

  /// Encodes the keys of its kind.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(type, "type")
    let keys = Set(LayerSpec.keys[type] ?? [])
    if keys.contains("filters") { try c.put(filters, "filters") }
    if keys.contains("kernel") { try c.put(kernel, "kernel") }
    if keys.contains("stride") { try c.put(stride, "stride") }
    if keys.contains("padding") { try c.put(padding, "padding") }
    if keys.contains("size") { try c.put(size, "size") }
    if keys.contains("rate") { try c.put(rate, "rate") }
    if keys.contains("units") { try c.put(units, "units") }
    if keys.contains("activation") { try c.put(activation, "activation") }
  }

  /// Checks this item's values (position `index` in the list).
  func validate(index: Int) throws {
    let key = "model.layers"
    let name = "layer \(index + 1) (\(type.rawValue))"
    switch type {
    case .conv2d:
      try require(filters >= 1, key, "\(name) needs filters ≥ 1 (got \(filters))")
      try require(kernel >= 1, key, "\(name) needs kernel ≥ 1 (got \(kernel))")
      try require(padding >= 0, key, "\(name) needs padding ≥ 0 (got \(padding))")
    case .maxpool, .avgpool:
      try require(size >= 1, key, "\(name) needs size ≥ 1 (got \(size))")
    case .dropout:
      try require(rate >= 0 && rate < 1, key, "\(name) needs a rate in [0, 1) (got \(rate))")
    case .dense:
      try require(units >= 1, key, "\(name) needs units ≥ 1 (got \(units))")
    case .flatten:
      break
    }
    if let stride { try require(stride >= 1, key, "\(name) needs stride ≥ 1 (got \(stride))") }
  }

  /// "conv2d(32,k3,s1,p1)" and the like, for the run's `model.layers` param.
  var summary: String {
    switch type {
    case .conv2d:
      return "conv2d(\(filters),k\(kernel),s\(stride ?? 1),p\(padding)"
        + (activation.map { ",\($0.rawValue)" } ?? "") + ")"
    case .maxpool, .avgpool: return "\(type.rawValue)(\(size),s\(stride ?? size))"
    case .flatten: return "flatten"
    case .dropout: return "dropout(\(specText(rate)))"
    case .dense: return "dense(\(units)" + (activation.map { ",\($0.rawValue)" } ?? "") + ")"
    }
  }
}
