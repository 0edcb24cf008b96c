import Foundation

extension RunRequest {
  /// `text` with the password of every URL in it (`scheme://user:password@host`) replaced by
  /// `***`: the command line a run records must not carry a database password
  /// (`--db postgres://track:secret@host/db`) to everyone who reads the store.
  ///
  /// ```swift
  /// RunRequest.redactingURLPasswords("track run a.yaml --db postgres://u:pw@h/db")
  /// // "track run a.yaml --db postgres://u:***@h/db"
  /// ```
  public static func redactingURLPasswords(_ text: String) -> String {
    guard text.contains("://") else { return text }
    let pattern = #"([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*):[^\s@/]*@"#
    guard let expression = try? NSRegularExpression(pattern: pattern) else { return text }
    let range = NSRange(text.startIndex..., in: text)
    return expression.stringByReplacingMatches(
      in: text, range: range, withTemplate: "$1:***@")
  }
}
