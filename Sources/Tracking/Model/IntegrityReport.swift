/// What `StoreReading.check(full:)` found.
public struct IntegrityReport: Equatable, Sendable {
  /// One line per problem; empty when the store is sound.
  public var problems: [String]
  /// Blobs whose hash was verified.
  public var blobsChecked: Int
  /// Runs in the store.
  public var runCount: Int
  /// Schema version of the file.
  public var schemaVersion: Int

  /// True when nothing is wrong.
  public var isOK: Bool { problems.isEmpty }

  /// Creates the value (backends build it from their rows).
  public init(
    problems: [String],
    blobsChecked: Int,
    runCount: Int,
    schemaVersion: Int
  ) {
    self.problems = problems
    self.blobsChecked = blobsChecked
    self.runCount = runCount
    self.schemaVersion = schemaVersion
  }
}
