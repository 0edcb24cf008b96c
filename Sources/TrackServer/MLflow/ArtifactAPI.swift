import Foundation
import Tracking

/// MLflow's proxied artifact API (`mlflow-artifacts:` URIs): files are kept in the store,
/// content-addressed like every blob and verified on read. A path below the artifact root is
/// `EXPERIMENT/RUN/artifacts/RELATIVE`; the relative part is checked (no `..`, no absolute
/// path, no NUL) before anything is read or written.
///
/// Size policy: a file of up to `maximumFileSize` (256 MiB) is stored in the store; a
/// larger one is refused with 413 and MLflow's RESOURCE_EXHAUSTED-style message, so a store
/// never holds a half-written file.
final class ArtifactAPI: Sendable {
  static let maximumFileSize = 256 * 1024 * 1024
  let store: any TrackStore

  init(store: any TrackStore) { self.store = store }

  /// A run and a relative path inside its artifacts.
  struct Location {
    var run: Run
    var path: String
  }

  /// Reads `EXPERIMENT/RUN/artifacts[/RELATIVE]`, or a logged model's
  /// `EXPERIMENT/models/MODEL/artifacts[/RELATIVE]` (the source run's `models/MODEL/...`).
  func locate(_ fullPath: String, allowRoot: Bool) throws -> Location {
    var parts = fullPath.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
      .map(String.init)
    var base = ""
    let run: Run
    if parts.count >= 2, parts[1] == "models" {
      parts = fullPath.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
        .map(String.init)
      guard parts.count >= 4, parts[3] == "artifacts" else { throw malformed(fullPath) }
      guard let model = try store.loggedModel(id: parts[2]) else {
        throw MLflowError(.resourceDoesNotExist, "Logged model with ID '\(parts[2].prefix(64))' not found.")
      }
      guard let source = model.run, let found = try? store.run(source) else {
        throw MLflowError(
          .invalidParameterValue,
          "Logged model '\(model.id)' has no source run; its files are kept with a run here.")
      }
      run = found
      base = "models/\(model.id)"
      parts = [parts[0], parts[1], "artifacts"] + (parts.count == 5 ? [parts[4]] : [])
    } else {
      guard parts.count >= 3, parts[2] == "artifacts" else { throw malformed(fullPath) }
      guard let found = try store.run(uuid: parts[1]), String(found.experimentID) == parts[0] else {
        throw MLflowError(
          .resourceDoesNotExist,
          "Run with id=\(parts[1].prefix(64)) not found in experiment \(parts[0].prefix(20))")
      }
      run = found
    }
    let relative = parts.count == 4 ? parts[3] : ""
    if relative.isEmpty {
      guard allowRoot else {
        throw MLflowError(.invalidParameterValue, "An artifact needs a file path below artifacts/.")
      }
      return Location(run: run, path: base)
    }
    let trimmed = allowRoot && relative.hasSuffix("/") ? String(relative.dropLast()) : relative
    do {
      try ArtifactRecord.validate(path: trimmed)
    } catch let error as TrackingError {
      throw MLflowError(.invalidParameterValue, error.message)
    }
    return Location(run: run, path: base.isEmpty ? trimmed : base + "/" + trimmed)
  }

  private func malformed(_ path: String) -> MLflowError {
    MLflowError(
      .invalidParameterValue,
      "Artifact path '\(path.prefix(200))' is not EXPERIMENT_ID/RUN_ID/artifacts/PATH.")
  }

  func upload(_ fullPath: String, data: [UInt8]) throws -> [UInt8] {
    let location = try locate(fullPath, allowRoot: false)
    if location.run.deletedAt != nil {
      throw MLflowError(
        .invalidParameterValue,
        "The run \(MLflowIDs.runID(location.run)) must be in the 'active' state. Current state is deleted.")
    }
    _ = try store.saveArtifact(run: location.run.id, path: location.path, data: Data(data))
    return Array("{}".utf8)
  }

  func download(_ fullPath: String) throws -> Data {
    let location = try locate(fullPath, allowRoot: false)
    let record: ArtifactRecord
    do {
      record = try store.artifact(of: location.run.id, path: location.path)
    } catch let error as TrackingError where error.code == .artifactNotFound {
      throw MLflowError(.resourceDoesNotExist, "File \(location.path) not found")
    }
    return try store.loadBlob(record.sha256)
  }

  /// The direct children (files and folders) of a folder of a run's artifacts.
  func list(run: Run, folder: String) throws -> [(path: String, isDirectory: Bool, size: Int64)] {
    let prefix = folder.isEmpty ? "" : folder + "/"
    var entries: [(path: String, isDirectory: Bool, size: Int64)] = []
    var folders: Set<String> = []
    for record in try store.artifacts(of: run.id, prefix: prefix.isEmpty ? nil : prefix) {
      let rest = record.path.dropFirst(prefix.count)
      if let slash = rest.firstIndex(of: "/") {
        let name = prefix + rest[..<slash]
        if folders.insert(name).inserted { entries.append((name, true, 0)) }
      } else {
        entries.append((record.path, false, record.size))
      }
    }
    return entries
  }

  /// `GET mlflow-artifacts/artifacts?path=...`: paths relative to the folder listed.
  func listProxied(_ fullPath: String) throws -> [UInt8] {
    let location = try locate(fullPath, allowRoot: true)
    let entries = try list(run: location.run, folder: location.path)
    let base = location.path.isEmpty ? "" : location.path + "/"
    var out = JSONWriter()
    out.raw("{\"files\":[")
    for (index, entry) in entries.enumerated() {
      if index > 0 { out.comma() }
      writeEntry(String(entry.path.dropFirst(base.count)), entry.isDirectory, entry.size, &out)
    }
    out.raw("]}")
    return out.bytes
  }

  /// `GET mlflow/artifacts/list?run_id=...&path=...`: paths relative to the run's root.
  func listForRun(_ run: Run, path: String?) throws -> [UInt8] {
    let folder = (path ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    if !folder.isEmpty {
      do { try ArtifactRecord.validate(path: folder) } catch let error as TrackingError {
        throw MLflowError(.invalidParameterValue, error.message)
      }
    }
    let entries = try list(run: run, folder: folder)
    var out = JSONWriter()
    out.raw("{\"root_uri\":")
    out.string(MLflowIDs.artifactURI(run))
    out.raw(",\"files\":[")
    for (index, entry) in entries.enumerated() {
      if index > 0 { out.comma() }
      writeEntry(entry.path, entry.isDirectory, entry.size, &out)
    }
    out.raw("]}")
    return out.bytes
  }

  private func writeEntry(_ path: String, _ isDirectory: Bool, _ size: Int64, _ out: inout JSONWriter) {
    out.raw("{\"path\":")
    out.string(path)
    out.raw(",\"is_dir\":")
    out.raw(isDirectory ? "true" : "false")
    if !isDirectory {
      out.raw(",\"file_size\":")
      out.integer(size)
    }
    out.raw("}")
  }
}
