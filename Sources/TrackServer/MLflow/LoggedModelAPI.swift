import Foundation
import Tracking

/// MLflow 3's logged models (`/api/2.0/mlflow/logged-models`): what `log_model` and autolog
/// create before uploading a model's files. The files go to the source run's artifacts under
/// `models/ID/`; a model without a source run cannot hold files here.
final class LoggedModelAPI: Sendable {
  let store: any TrackStore
  let mlflow: MLflowAPI

  init(store: any TrackStore, mlflow: MLflowAPI) {
    self.store = store
    self.mlflow = mlflow
  }

  /// Routes `METHOD rest` below `logged-models`; nil when no endpoint matches.
  func handler(method: String, rest: String) -> (@Sendable (Fields) throws -> [UInt8])? {
    let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let id = parts[0]
    if parts.count == 1 {
      switch method {
      case "POST" where id.isEmpty: return { fields in try self.create(fields) }
      case "POST" where id == "search": return { fields in try self.search(fields) }
      case "GET": return { _ in try self.get(id) }
      case "PATCH": return { fields in try self.finalize(id, fields) }
      case "DELETE": return { _ in try self.delete(id) }
      default: return nil
      }
    }
    if parts.count == 2, parts[1] == "tags", method == "PATCH" || method == "POST" {
      return { fields in try self.setTags(id, fields) }
    }
    if parts.count == 2, parts[1] == "params", method == "POST" {
      return { fields in try self.logParams(id, fields) }
    }
    if parts.count == 3, parts[1] == "tags", method == "DELETE" {
      let key = parts[2]
      return { _ in try self.deleteTag(id, key) }
    }
    return nil
  }

  func create(_ fields: Fields) throws -> [UInt8] {
    let experimentText = try fields.requiredString("experiment_id")
    guard let experimentID = Int64(experimentText) else {
      throw MLflowError(.resourceDoesNotExist, "Could not find experiment with ID \(experimentText)")
    }
    var run: RunID? = nil
    if let runID = try fields.string("source_run_id"), !runID.isEmpty {
      guard let found = try store.run(uuid: runID) else {
        throw MLflowError(.resourceDoesNotExist, "Run with id=\(runID) not found")
      }
      run = found.id
    }
    let now = Date()
    let model = LoggedModelRecord(
      id: "m-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""),
      run: run, experimentID: experimentID, name: try fields.string("name") ?? "model",
      modelType: try fields.string("model_type"), status: "LOGGED_MODEL_PENDING",
      createdAt: now, updatedAt: now, params: try pairs(fields, "params"),
      tags: try pairs(fields, "tags"))
    do {
      try store.saveLoggedModel(model)
    } catch let error as TrackingError where error.code == .experimentNotFound {
      throw MLflowError(.resourceDoesNotExist, "Could not find experiment with ID \(experimentText)")
    }
    return body(model)
  }

  func get(_ id: String) throws -> [UInt8] { body(try model(id)) }

  func finalize(_ id: String, _ fields: Fields) throws -> [UInt8] {
    var model = try model(id)
    model.status = try fields.requiredString("status")
    model.updatedAt = Date()
    try store.saveLoggedModel(model)
    return body(model)
  }

  func delete(_ id: String) throws -> [UInt8] {
    _ = try model(id)
    try store.deleteLoggedModel(id: id)
    return Array("{}".utf8)
  }

  func setTags(_ id: String, _ fields: Fields) throws -> [UInt8] {
    var model = try model(id)
    for (key, value) in try pairs(fields, "tags") { model.tags[key] = value }
    model.updatedAt = Date()
    try store.saveLoggedModel(model)
    return Array("{}".utf8)
  }

  func deleteTag(_ id: String, _ key: String) throws -> [UInt8] {
    var model = try model(id)
    let key = key.removingPercentEncoding ?? key
    model.tags[key] = nil
    model.updatedAt = Date()
    try store.saveLoggedModel(model)
    return Array("{}".utf8)
  }

  func logParams(_ id: String, _ fields: Fields) throws -> [UInt8] {
    var model = try model(id)
    for (key, value) in try pairs(fields, "params") { model.params[key] = value }
    model.updatedAt = Date()
    try store.saveLoggedModel(model)
    return Array("{}".utf8)
  }

  func search(_ fields: Fields) throws -> [UInt8] {
    let experiments = try fields.strings("experiment_ids").compactMap { Int64($0) }
    let models = try store.loggedModels(experiments: experiments)
    let (page, next) = try mlflow.paginate(models, fields: fields, defaultSize: 100, limit: 10000)
    var out = JSONWriter()
    out.raw("{\"models\":[")
    for (index, model) in page.enumerated() {
      if index > 0 { out.comma() }
      write(model, into: &out)
    }
    out.raw("]")
    if let next {
      out.key("next_page_token")
      out.string(next)
    }
    out.raw("}")
    return out.bytes
  }

  func model(_ id: String) throws -> LoggedModelRecord {
    guard let model = try store.loggedModel(id: id) else {
      throw MLflowError(.resourceDoesNotExist, "Logged model with ID '\(id)' not found.")
    }
    return model
  }

  private func pairs(_ fields: Fields, _ name: String) throws -> [String: String] {
    var values: [String: String] = [:]
    for item in try fields.objects(name) {
      values[try item.requiredString("key")] = try item.string("value") ?? ""
    }
    return values
  }

  private func body(_ model: LoggedModelRecord) -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"model\":")
    write(model, into: &out)
    out.raw("}")
    return out.bytes
  }

  func write(_ model: LoggedModelRecord, into out: inout JSONWriter) {
    out.raw("{\"info\":{\"model_id\":")
    out.string(model.id)
    out.raw(",\"experiment_id\":")
    out.string(String(model.experimentID))
    out.raw(",\"name\":")
    out.string(model.name)
    out.raw(",\"creation_timestamp_ms\":")
    out.integer(MLflowIDs.milliseconds(model.createdAt))
    out.raw(",\"last_updated_timestamp_ms\":")
    out.integer(MLflowIDs.milliseconds(model.updatedAt))
    out.raw(",\"artifact_uri\":")
    out.string("mlflow-artifacts:/\(model.experimentID)/models/\(model.id)/artifacts")
    out.raw(",\"status\":")
    out.string(model.status)
    if let type = model.modelType {
      out.raw(",\"model_type\":")
      out.string(type)
    }
    if let run = model.run, let found = try? store.run(run) {
      out.raw(",\"source_run_id\":")
      out.string(MLflowIDs.runID(found))
    }
    out.raw(",\"tags\":")
    mlflow.writeTags(model.tags, into: &out)
    out.raw("},\"data\":{\"params\":")
    mlflow.writeTags(model.params, into: &out)
    out.raw(",\"metrics\":[]}}")
  }
}
