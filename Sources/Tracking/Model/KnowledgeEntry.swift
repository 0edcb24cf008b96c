import Foundation

/// One replay-memory sample of a run's knowledge base.
public struct KnowledgeEntry: Equatable, Sendable {
  /// Storage id; nil until stored.
  public var id: Int64?
  /// Sample features (opaque bytes, e.g. little-endian Float32).
  public var features: Data
  /// Class label or regression target.
  public var target: Double
  /// 1-based task the sample came from.
  public var task: Int
  /// The run that first added the sample (nil until stored).
  public var sourceRun: RunID?
  /// When it was first added (nil until stored).
  public var addedAt: Date?
  /// The model's outputs for the sample when it was stored (opaque bytes, little-endian
  /// Float32; DER++ keeps them), nil when the strategy keeps none. Backends store it as
  /// given and read it back unchanged (SQLite: `knowledge.logits`, migration 8).
  public var logits: Data?

  /// Creates an entry to add.
  public init(
    id: Int64? = nil, features: Data, target: Double, task: Int, sourceRun: RunID? = nil,
    addedAt: Date? = nil, logits: Data? = nil
  ) {
    self.logits = logits
    self.id = id
    self.features = features
    self.target = target
    self.task = task
    self.sourceRun = sourceRun
    self.addedAt = addedAt
  }
}
