import Foundation

/// A fresh folder under the system temporary directory, removed by `remove()`.
///
/// ```swift
/// let folder = try TemporaryFolder()
/// defer { folder.remove() }
/// let store = try SQLiteStore(path: folder.path("track.db"))
/// ```
public struct TemporaryFolder: Sendable {
  /// Its location.
  public let url: URL

  /// Creates a new, empty folder named after `label` (the calling test by default), so that a
  /// folder left behind by a crash says which test made it.
  public init(_ label: String = #function) throws {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    try self.init(prefix: "track-tests-\(safe)")
  }

  /// Creates a new, empty folder whose name starts with `prefix`.
  public init(prefix: String) throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// A path inside the folder.
  public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  /// Writes `text` to `name` inside the folder and returns its path.
  @discardableResult
  public func write(_ name: String, _ text: String) throws -> String {
    let file = url.appendingPathComponent(name)
    try Data(text.utf8).write(to: file)
    return file.path
  }

  /// Deletes the folder and everything in it, even after a test made it read-only.
  public func remove() {
    _ = try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    try? FileManager.default.removeItem(at: url)
  }
}

/// The earlier name of `TemporaryFolder`, still used by the CLI tests.
public typealias TemporaryDirectory = TemporaryFolder
