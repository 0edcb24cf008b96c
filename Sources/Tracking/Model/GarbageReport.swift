/// What `Store.collectGarbage()` removed.
public struct GarbageReport: Equatable, Sendable {
  /// Blobs no checkpoint or knowledge entry referenced any more.
  public var blobsRemoved: Int
  /// Their total size.
  public var bytesRemoved: Int
  /// File size before, in bytes.
  public var fileSizeBefore: Int
  /// File size after vacuuming, in bytes.
  public var fileSizeAfter: Int

  /// Creates the value (backends build it from their rows).
  public init(
    blobsRemoved: Int,
    bytesRemoved: Int,
    fileSizeBefore: Int,
    fileSizeAfter: Int
  ) {
    self.blobsRemoved = blobsRemoved
    self.bytesRemoved = bytesRemoved
    self.fileSizeBefore = fileSizeBefore
    self.fileSizeAfter = fileSizeAfter
  }
}
