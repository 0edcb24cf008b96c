import Foundation

/// A stored checkpoint of a run; load its bytes with `Store.loadBlob(_:)`.
public struct CheckpointRecord: Equatable, Sendable {
  /// Storage id.
  public var id: Int64
  /// The run it belongs to.
  public var run: RunID
  /// Task after which it was taken.
  public var task: Int
  /// Epoch, when taken mid-task.
  public var epoch: Int?
  /// "weights", "optimizer", ...
  public var kind: String
  /// SHA-256 of the blob (lowercase hex).
  public var sha256: String
  /// Blob size in bytes.
  public var size: Int
  /// When it was saved.
  public var createdAt: Date

  /// Creates the value (backends build it from their rows).
  public init(
    id: Int64,
    run: RunID,
    task: Int,
    epoch: Int? = nil,
    kind: String,
    sha256: String,
    size: Int,
    createdAt: Date
  ) {
    self.id = id
    self.run = run
    self.task = task
    self.epoch = epoch
    self.kind = kind
    self.sha256 = sha256
    self.size = size
    self.createdAt = createdAt
  }
}
