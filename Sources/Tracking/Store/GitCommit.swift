import Foundation

/// Finds the commit checked out in the git work tree containing a folder, by reading `.git`
/// directly (no `git` process, no dependency on git being installed).
enum GitCommit {
  /// The full commit hash of HEAD, or nil outside a git work tree.
  static func head(from directory: URL) -> String? {
    var folder = directory.standardizedFileURL
    while true {
      let dotGit = folder.appendingPathComponent(".git")
      if let gitDirectory = gitDirectory(at: dotGit) { return resolveHead(gitDirectory) }
      let parent = folder.deletingLastPathComponent()
      if parent.path == folder.path { return nil }
      folder = parent
    }
  }

  /// `.git` is a folder, or (worktrees, submodules) a file saying "gitdir: PATH".
  private static func gitDirectory(at dotGit: URL) -> URL? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isDirectory) else {
      return nil
    }
    if isDirectory.boolValue { return dotGit }
    guard let text = try? String(contentsOf: dotGit, encoding: .utf8),
      text.hasPrefix("gitdir:")
    else { return nil }
    let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
    return URL(fileURLWithPath: path, relativeTo: dotGit.deletingLastPathComponent())
  }

  private static func resolveHead(_ gitDirectory: URL) -> String? {
    guard
      let head = try? String(
        contentsOf: gitDirectory.appendingPathComponent("HEAD"), encoding: .utf8)
    else { return nil }
    let line = head.trimmingCharacters(in: .whitespacesAndNewlines)
    guard line.hasPrefix("ref:") else { return isHash(line) ? line : nil }
    let ref = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
    // Linked worktrees keep refs in the common folder.
    var folders = [gitDirectory]
    if let common = try? String(
      contentsOf: gitDirectory.appendingPathComponent("commondir"), encoding: .utf8)
    {
      let path = common.trimmingCharacters(in: .whitespacesAndNewlines)
      folders.append(URL(fileURLWithPath: path, relativeTo: gitDirectory).standardizedFileURL)
    }
    for folder in folders {
      if let text = try? String(contentsOf: folder.appendingPathComponent(ref), encoding: .utf8) {
        let hash = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if isHash(hash) { return hash }
      }
      if let packed = try? String(
        contentsOf: folder.appendingPathComponent("packed-refs"), encoding: .utf8)
      {
        for entry in packed.split(separator: "\n") where entry.hasSuffix(" " + ref) {
          let hash = String(entry.prefix(while: { $0 != " " }))
          if isHash(hash) { return hash }
        }
      }
    }
    return nil
  }

  private static func isHash(_ text: String) -> Bool {
    (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
  }
}
