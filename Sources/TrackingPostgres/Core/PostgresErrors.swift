import Foundation
import PostgresNIO
import Tracking

/// Turns postgres-nio's errors into `TrackingError`s with codes like the SQLite backend's:
/// what failed, on which server and database (never the password), and what to do.
enum PostgresErrors {
  /// The SQLSTATE of a server error ("23505"), if the error came from the server.
  static func sqlState(_ error: any Error) -> String? {
    (error as? PSQLError)?.serverInfo?[.sqlState]
  }

  /// The server's own message, else a short description of the client-side failure.
  static func serverMessage(_ error: any Error) -> String {
    if let error = error as? PSQLError {
      if let message = error.serverInfo?[.message] { return message }
      if let underlying = error.underlying { return "\(error.code): \(underlying)" }
      switch error.code {
      case .clientClosedConnection, .serverClosedConnection, .uncleanShutdown:
        return "the connection was closed"
      default:
        return "\(error.code)"
      }
    }
    return "\(error)"
  }

  /// Whether the connection itself failed (closed, reset, refused), not the statement.
  static func isConnectionLoss(_ error: any Error) -> Bool {
    if error is ConnectionClosed { return true }
    guard let error = error as? PSQLError else { return false }
    switch error.code {
    case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
      return true
    default:
      // 57P01..57P03: the server is shutting down or restarting.
      return error.serverInfo?[.sqlState].map { $0.hasPrefix("57P") } ?? false
    }
  }

  /// A failure to connect or log in.
  static func connecting(_ error: any Error, url: PostgresURL) -> TrackingError {
    let place = url.redacted
    let detail = serverMessage(error)
    switch sqlState(error) {
    case "28P01", "28000":
      return TrackingError(
        .cannotOpen,
        "PostgreSQL refused the login to \(place): \(detail). Check the user and password in "
          + "the URL (--db / TRACK_DB).", detail: detail)
    case "3D000":
      return TrackingError(
        .cannotOpen,
        "The database '\(url.database)' does not exist on \(url.host):\(url.port). Create it "
          + "(createdb \(url.database), or CREATE DATABASE) or fix the URL.", detail: detail)
    case "53300":
      return TrackingError(
        .busy,
        "PostgreSQL at \(url.host):\(url.port) has no free connection slot: \(detail). Try "
          + "again later or raise max_connections.", detail: detail)
    default:
      if detail.contains("CERTIFICATE_VERIFY_FAILED") || detail.contains("handshakeFailed") {
        return TrackingError(
          .cannotOpen,
          "The TLS handshake with \(url.host):\(url.port) failed"
            + (detail.contains("CERTIFICATE_VERIFY_FAILED")
              ? ": its certificate is not signed by an authority this machine trusts, or "
                + "does not name \(url.host). With sslmode=verify-full it must be; "
                + "sslmode=require encrypts without checking it."
              : ". Check the server's TLS setup and sslmode in \(place)."),
          detail: detail)
      }
      if let error = error as? PSQLError, error.code == .sslUnsupported {
        return TrackingError(
          .cannotOpen,
          "The server \(url.host):\(url.port) does not offer TLS, and \(place) requires it. "
            + "Enable ssl on the server or drop sslmode from the URL.", detail: detail)
      }
      return TrackingError(
        .cannotOpen,
        "Cannot connect to PostgreSQL at \(url.host):\(url.port) (\(place)): \(detail). Check "
          + "that the server runs and accepts TCP connections there, and the URL "
          + "(--db / TRACK_DB).", detail: detail)
    }
  }

  /// A statement that failed.
  static func statement(_ error: any Error, sql: String, url: PostgresURL) -> TrackingError {
    let message = serverMessage(error)
    let detail = "SQLSTATE \(sqlState(error) ?? "none"); statement: \(sql.prefix(300))"
    if isConnectionLoss(error) {
      return TrackingError(
        .cannotOpen,
        "The connection to PostgreSQL at \(url.redacted) was lost (\(message)). Check that "
          + "the server is up and reachable.", detail: detail)
    }
    switch sqlState(error) {
    case "40001", "40P01", "55P03":
      return TrackingError(
        .busy, "PostgreSQL at \(url.redacted) could not finish a write: \(message).",
        detail: detail)
    case "25006":
      return TrackingError(
        .readOnly, "The store \(url.redacted) is open read-only: \(message).", detail: detail)
    default:
      return TrackingError(
        .storage, "PostgreSQL at \(url.redacted) failed: \(message).", detail: detail)
    }
  }
}
