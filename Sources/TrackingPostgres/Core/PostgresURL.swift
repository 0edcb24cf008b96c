import Foundation
import Tracking

/// Where a PostgreSQL store is: `postgres://user[:password]@host[:port]/database[?sslmode=…]`
/// (or `postgresql://`), as libpq and MLflow spell it.
///
/// ```swift
/// let url = try PostgresURL(parsing: "postgres://track:secret@db.lab:5432/runs")
/// url.redacted  // "postgres://track@db.lab:5432/runs": what messages and `location` show
/// ```
public struct PostgresURL: Sendable, Equatable {
  /// How the connection uses TLS (`sslmode`, as libpq names the modes track supports).
  public enum TLSMode: String, Sendable, CaseIterable {
    /// Plain TCP (the default, as on a loopback or private network).
    case disable
    /// TLS when the server offers it, without checking its certificate.
    case prefer
    /// TLS or no connection, without checking the server's certificate (libpq's `require`).
    case require
    /// TLS or no connection, with the certificate checked against the system's roots and
    /// the host name.
    case verifyFull = "verify-full"
  }

  /// The role to log in as.
  public var user: String
  /// The password, if the URL has one. Never printed: `redacted` leaves it out.
  public var password: String?
  /// The server's host name or address.
  public var host: String
  /// The server's port (5432 unless given).
  public var port: Int
  /// The database on the server.
  public var database: String
  /// TLS, from `?sslmode=`.
  public var tls: TLSMode

  /// Whether `location` names a PostgreSQL store (a `postgres://` or `postgresql://` URL)
  /// rather than a file.
  public static func isPostgres(_ location: String) -> Bool {
    let lowered = location.lowercased()
    return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
  }

  /// Parses a URL; `.cannotOpen` says what is wrong with it (without echoing a password).
  public init(parsing text: String) throws {
    func invalid(_ problem: String) -> TrackingError {
      TrackingError(
        .cannotOpen,
        "The PostgreSQL URL \(PostgresURL.redact(text)) is not valid: \(problem). Write it as "
          + "postgres://user[:password]@host[:port]/database[?sslmode=require].")
    }
    guard PostgresURL.isPostgres(text), let components = URLComponents(string: text) else {
      throw invalid("it does not parse as a URL")
    }
    guard let host = components.host, !host.isEmpty else { throw invalid("it names no host") }
    guard let user = components.user, !user.isEmpty else {
      throw invalid("it names no user (postgres://USER@host/database)")
    }
    let database = String(components.path.drop(while: { $0 == "/" }))
    guard !database.isEmpty, !database.contains("/") else {
      throw invalid("it names no database (postgres://user@host/DATABASE)")
    }
    self.user = user
    self.password = components.password
    self.host = host
    self.port = components.port ?? 5432
    self.database = database.removingPercentEncoding ?? database
    self.tls = .disable
    for item in components.queryItems ?? [] {
      guard item.name == "sslmode" else {
        throw invalid("track does not know the option '\(item.name)' (it knows sslmode)")
      }
      guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
        throw invalid(
          "sslmode '\(item.value ?? "")' is not one of "
            + TLSMode.allCases.map(\.rawValue).joined(separator: ", "))
      }
      tls = mode
    }
  }

  /// The URL without its password: what `location`, messages and logs show.
  public var redacted: String {
    var text = "postgres://\(user)@\(host):\(port)/\(database)"
    if tls != .disable { text += "?sslmode=\(tls.rawValue)" }
    return text
  }

  /// `text` with any password between `//user:` and `@` replaced by `***`, for a URL that
  /// did not parse.
  static func redact(_ text: String) -> String {
    guard let scheme = text.range(of: "://"),
      let at = text[scheme.upperBound...].firstIndex(of: "@"),
      let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
    else { return text }
    return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
  }
}
