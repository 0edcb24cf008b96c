import Testing
import TestSupport
import Tracking

/// Asserts that `body` throws a `TrackingError` with `code`; returns it for more checks.
@discardableResult
func expectTrackingError<T>(
  _ code: TrackingError.Code, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws -> T
) -> TrackingError? {
  expectError(code, of: TrackingError.self, code: \.code, sourceLocation: sourceLocation, body)
}
