import Testing

/// Asserts that `body` throws an `E` whose code (read by `code`) is `expected`; returns the
/// error for more checks. Test targets wrap it for their error type:
///
/// ```swift
/// func expectTrackingError<T>(_ code: TrackingError.Code, _ body: () throws -> T)
///   -> TrackingError?
/// { expectError(code, of: TrackingError.self, code: \.code, body) }
/// ```
@discardableResult
public func expectError<E: Error, Code: Equatable, T>(
  _ expected: Code, of type: E.Type, code: (E) -> Code,
  sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) -> E? {
  do {
    _ = try body()
    Issue.record(
      "expected \(E.self).\(expected), but nothing was thrown", sourceLocation: sourceLocation)
  } catch let error as E {
    #expect(code(error) == expected, "\(error)", sourceLocation: sourceLocation)
    return error
  } catch {
    Issue.record("expected \(E.self).\(expected), got \(error)", sourceLocation: sourceLocation)
  }
  return nil
}
