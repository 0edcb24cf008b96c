import Foundation
import Learning

/// Loads an `ExperimentSpec` from a file with `--set` overrides, every key validated.
public enum SpecLoader {
  /// Reads `path`, applies `overrides` ("key.path=value"), rejects unknown keys and wrong
  /// types with the file and line, and checks the values.
  public static func load(path: String, overrides: [String] = []) throws -> ExperimentSpec {
    var document = try SpecDocument.load(path: path)
    return try load(document: &document, overrides: overrides)
  }

  /// The same for an already parsed document.
  public static func load(document: inout SpecDocument, overrides: [String]) throws -> ExperimentSpec {
    let allowed = ExperimentSpec.allowedKeys
    try document.validateKeys(allowed)
    for override in overrides { try document.apply(override: override, allowedKeys: allowed) }
    let spec: ExperimentSpec
    do {
      spec = try document.decode(ExperimentSpec.self)
    } catch let error as LearningError {
      throw describe(error, in: document)
    }
    try validate(spec, in: document)
    return spec
  }

  /// Runs the spec's own value checks, naming the line of the offending key.
  public static func validate(_ spec: ExperimentSpec, in document: SpecDocument) throws {
    do {
      try spec.validate()
    } catch let error as LearningError {
      throw describe(error, in: document)
    }
  }

  /// Checks that the files and folders the data section names exist (relative paths are
  /// read from the current directory), so a wrong path is a spec error before any run is
  /// recorded rather than a `failed` run.
  public static func checkDataPaths(_ spec: ExperimentSpec, in document: SpecDocument) throws {
    var named: [(key: String, path: String)] = []
    if let path = spec.data.path { named.append(("path", path)) }
    for file in spec.data.files ?? [] { named.append(("files", file)) }
    let directory = FileManager.default.currentDirectoryPath
    for (key, path) in named where !FileManager.default.fileExists(atPath: path) {
      var message = "\(document.location(of: ["data", key])): 'data.\(key)' names '\(path)', "
        + "which does not exist"
      if !path.hasPrefix("/") { message += " (relative to the current directory \(directory))" }
      message += "; fix the path, or create or fetch the data first"
      if path.hasPrefix("Examples/data/") { message += " (Examples/fetch-prices.sh)" }
      throw SpecError(.fileNotFound, message)
    }
  }

  /// Reads what the data section names far enough to know the model it implies (an IDX
  /// header, the CSV cells) and checks that data and model, so a file the learner cannot use
  /// or a model too large for memory is a spec error before any run is recorded. Call after
  /// `checkDataPaths`.
  public static func checkData(_ spec: ExperimentSpec, in document: SpecDocument) throws {
    do {
      try DataShape.check(spec)
    } catch let error as LearningError {
      guard case .invalidData = error else { throw describe(error, in: document) }
      throw SpecError(.invalidData, "\(error)")
    }
  }

  /// A learner error about a key, as a `SpecError` pointing at the key's line.
  public static func describe(_ error: LearningError, in document: SpecDocument) -> Error {
    guard case .invalidSpec(let key, let message) = error else { return error }
    let path = key.split(separator: ".").map(String.init)
    return SpecError(.invalidValue, "\(document.location(of: path)): '\(key)' \(message)")
  }
}
