import Foundation

/// A coding key built from any string, so sections decode with explicit snake_case names.
struct SpecKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(_ string: String) { stringValue = string }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { return nil }
}

extension KeyedDecodingContainer where K == SpecKey {
  /// Decodes `key` when present, else returns `fallback` (every spec field has a default).
  func value<T: Decodable>(_ key: String, _ fallback: T) throws -> T {
    try decodeIfPresent(T.self, forKey: SpecKey(key)) ?? fallback
  }

  /// Decodes an optional `key`.
  func optional<T: Decodable>(_ key: String) throws -> T? {
    try decodeIfPresent(T.self, forKey: SpecKey(key))
  }
}

extension KeyedEncodingContainer where K == SpecKey {
  /// Encodes `value` under the snake_case `key`, skipping nil.
  mutating func put<T: Encodable>(_ value: T?, _ key: String) throws {
    try encodeIfPresent(value, forKey: SpecKey(key))
  }
}

/// Formats a number for params without a trailing ".0" for whole values.
func specText(_ value: Double) -> String {
  if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
  return String(value)
}

/// Throws `invalidSpec` unless `condition` holds.
func require(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
  if !condition { throw LearningError.invalidSpec(key: key, message: message()) }
}

extension KeyedDecodingContainer where K == SpecKey {
  /// Decodes a named choice, rejecting unknown names with the allowed ones listed.
  func choice<T: RawRepresentable & CaseIterable>(
    _ key: String, section: String, _ fallback: T?
  ) throws -> T where T.RawValue == String {
    let path = section.isEmpty ? key : "\(section).\(key)"
    let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
    guard let name = try decodeIfPresent(String.self, forKey: SpecKey(key)) else {
      if let fallback { return fallback }
      throw LearningError.invalidSpec(key: path, message: "missing; use one of \(allowed)")
    }
    guard let value = T(rawValue: name) else {
      throw LearningError.invalidSpec(
        key: path, message: "unknown value '\(name)'; use one of \(allowed)")
    }
    return value
  }
}
