import Foundation

/// The checked-out (or exported) source tree the tests were built from.
public enum SourceTree {
  /// The repository root (where `Package.swift`, `Migrations/` and `docs/` are).
  public static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
