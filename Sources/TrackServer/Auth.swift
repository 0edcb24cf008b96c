import Crypto
import Foundation

/// Who may call the server: nobody needs to sign in (loopback only), one bearer token, or
/// users with read-only or read-write roles from a users file. Secrets are compared in
/// constant time (as SHA-256 digests) and never logged.
public enum ServerAuth: Sendable {
  case none
  /// `Authorization: Bearer TOKEN` (MLflow's `MLFLOW_TRACKING_TOKEN`), or basic auth with
  /// the token as password.
  case token(String)
  /// Basic auth (`MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`) against a users file.
  case users([ServerUser])

  /// True when requests must authenticate.
  public var isRequired: Bool {
    if case .none = self { return false }
    return true
  }

  /// What a request may do.
  enum Access { case read, write }

  /// The access an `Authorization` header grants; nil: not authenticated.
  func access(authorization: String?) -> Access? {
    switch self {
    case .none: return .write
    case .token(let token):
      guard let authorization else { return nil }
      if let bearer = authorization.dropPrefixText("Bearer ") {
        return ServerAuth.equal(bearer, token) ? .write : nil
      }
      if let (_, password) = ServerAuth.basic(authorization) {
        return ServerAuth.equal(password, token) ? .write : nil
      }
      return nil
    case .users(let users):
      guard let authorization, let (name, password) = ServerAuth.basic(authorization) else {
        return nil
      }
      // Every user is compared, so timing does not tell which names exist.
      var granted: Access? = nil
      for user in users {
        let nameMatches = ServerAuth.equal(name, user.name)
        let passwordMatches = user.matches(password: password)
        if nameMatches && passwordMatches { granted = user.canWrite ? .write : .read }
      }
      return granted
    }
  }

  private static func basic(_ header: String) -> (String, String)? {
    guard let encoded = header.dropPrefixText("Basic "),
      let data = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespaces)),
      let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
    else { return nil }
    return (String(text[..<colon]), String(text[text.index(after: colon)...]))
  }

  /// Compares two secrets in time independent of where they differ.
  static func equal(_ left: String, _ right: String) -> Bool {
    let a = Array(SHA256.hash(data: Data(left.utf8)))
    let b = Array(SHA256.hash(data: Data(right.utf8)))
    var difference: UInt8 = 0
    for index in 0..<a.count { difference |= a[index] ^ b[index] }
    return difference == 0
  }
}

/// One line of a users file: `NAME:ROLE:PASSWORD`, ROLE `read` or `write`, PASSWORD as
/// plain text or `sha256:HEX` (the SHA-256 of the password). `#` starts a comment.
public struct ServerUser: Sendable, Equatable {
  public var name: String
  public var canWrite: Bool
  /// SHA-256 of the password.
  var passwordDigest: [UInt8]

  func matches(password: String) -> Bool {
    let digest = Array(SHA256.hash(data: Data(password.utf8)))
    var difference: UInt8 = 0
    for index in 0..<digest.count { difference |= digest[index] ^ passwordDigest[index] }
    return difference == 0
  }

  /// Reads a users file; errors name the line and what is wrong (never the password).
  public static func load(path: String) throws -> [ServerUser] {
    guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) })
    else {
      throw ServerError("cannot read the users file '\(path)'; check the path and permissions")
    }
    var users: [ServerUser] = []
    for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard parts.count == 3, !parts[0].isEmpty, !parts[2].isEmpty else {
        throw ServerError(
          "\(path):\(offset + 1): expected NAME:ROLE:PASSWORD (ROLE read or write)")
      }
      let role = parts[1].lowercased()
      guard role == "read" || role == "write" else {
        throw ServerError(
          "\(path):\(offset + 1): role '\(parts[1])' is neither read nor write")
      }
      let secret = String(parts[2])
      let digest: [UInt8]
      if let hex = secret.dropPrefixText("sha256:") {
        guard hex.count == 64, let bytes = ServerUser.bytes(hex: hex) else {
          throw ServerError("\(path):\(offset + 1): sha256: needs 64 hexadecimal digits")
        }
        digest = bytes
      } else {
        digest = Array(SHA256.hash(data: Data(secret.utf8)))
      }
      if users.contains(where: { $0.name == String(parts[0]) }) {
        throw ServerError("\(path):\(offset + 1): user '\(parts[0])' is listed twice")
      }
      users.append(ServerUser(name: String(parts[0]), canWrite: role == "write", passwordDigest: digest))
    }
    guard !users.isEmpty else { throw ServerError("the users file '\(path)' lists no users") }
    return users
  }

  private static func bytes(hex: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
      bytes.append(byte)
      index = next
    }
    return bytes
  }
}

/// A server setup problem (bad flags, an unreadable users file): said before it starts.
public struct ServerError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}
