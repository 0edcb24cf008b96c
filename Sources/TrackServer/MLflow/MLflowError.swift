import Foundation
import Tracking

/// An error in MLflow's shape: `{"error_code": "...", "message": "..."}` with the HTTP status
/// MLflow's server gives that code, so MLflow's clients raise their usual exceptions.
struct MLflowError: Error, Sendable {
  /// MLflow's error codes (`databricks.ErrorCode`) that this server answers with.
  enum Code: String, Sendable {
    case invalidParameterValue = "INVALID_PARAMETER_VALUE"
    case resourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST"
    case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
    case invalidState = "INVALID_STATE"
    case badRequest = "BAD_REQUEST"
    case endpointNotFound = "ENDPOINT_NOT_FOUND"
    case unauthenticated = "UNAUTHENTICATED"
    case permissionDenied = "PERMISSION_DENIED"
    case requestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"
    case temporarilyUnavailable = "TEMPORARILY_UNAVAILABLE"
    case internalError = "INTERNAL_ERROR"

    /// The HTTP status MLflow's server sends with the code.
    var status: Int {
      switch self {
      case .invalidParameterValue, .resourceAlreadyExists, .invalidState, .badRequest: return 400
      case .resourceDoesNotExist, .endpointNotFound: return 404
      case .unauthenticated: return 401
      case .permissionDenied: return 403
      case .requestLimitExceeded: return 429
      case .temporarilyUnavailable: return 503
      case .internalError: return 500
      }
    }
  }

  var code: Code
  var message: String
  /// Overrides the code's usual status (413 for an oversized body, 405 for a wrong method).
  var status: Int?

  init(_ code: Code, _ message: String, status: Int? = nil) {
    self.code = code
    self.message = message
    self.status = status
  }

  /// MLflow's message for a missing required field.
  static func missing(_ field: String) -> MLflowError {
    MLflowError(.invalidParameterValue, "Missing value for required parameter '\(field)'.")
  }

  /// MLflow's message for a field with a bad value.
  static func invalid(_ field: String, _ value: String, _ why: String? = nil) -> MLflowError {
    let shown = value.count > 100 ? String(value.prefix(100)) + "…" : value
    let reason = why.map { ": \($0)" } ?? "."
    return MLflowError(
      .invalidParameterValue,
      "Invalid value \"\(shown)\" for parameter '\(field)' supplied\(reason)")
  }

  /// The MLflow reading of a store error.
  init(_ error: TrackingError) {
    switch error.code {
    case .runNotFound, .experimentNotFound, .artifactNotFound, .blobNotFound:
      self.init(.resourceDoesNotExist, error.message)
    case .experimentExists:
      self.init(.resourceAlreadyExists, error.message)
    case .invalidName, .invalidValue, .paramConflict, .invalidFilter, .ambiguousRun,
      .invalidQuery, .writeInQuery:
      self.init(.invalidParameterValue, error.message)
    case .readOnly:
      self.init(.permissionDenied, error.message)
    case .busy:
      self.init(.temporarilyUnavailable, error.message)
    case .runNotActive:
      self.init(.invalidState, error.message)
    case .notADatabase, .notATrackStore, .newerSchema, .cannotOpen, .blobCorrupt, .storage:
      self.init(.internalError, error.message)
    }
  }

  /// The response body.
  var body: [UInt8] {
    var out = JSONWriter()
    out.raw("{")
    out.key("error_code", first: true)
    out.string(code.rawValue)
    out.key("message")
    out.string(message)
    out.raw("}")
    return out.bytes
  }
}
