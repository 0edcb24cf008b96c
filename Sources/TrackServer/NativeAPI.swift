import Foundation
import Tracking

/// track's own endpoints, for what MLflow's API has no words for: a run's continual-learning
/// stream (its tasks) and its accuracy matrix, row by row, after which the store computes
/// ACC, BWT, FWT and forgetting as it does for the built-in learner. Paths below
/// `/api/2.0/track/`; run ids are MLflow's.
///
/// - `POST runs/tasks` `{"run_id", "tasks": [{"index", "name", "train_size", "test_size",
///   "classes"}]}`
/// - `POST runs/matrix-row` `{"run_id", "trained_through", "scores": [...], "metric"}`:
///   row 0 is the baseline (before training); `scores[j-1]` is the score on task j.
/// - `GET runs/matrix?run_id=...&metric=...` → `{"metric", "tasks", "rows", "summary"}`.
final class NativeAPI: Sendable {
  let store: any TrackStore
  let mlflow: MLflowAPI

  init(store: any TrackStore, mlflow: MLflowAPI) {
    self.store = store
    self.mlflow = mlflow
  }

  static let endpoints: [String: @Sendable (NativeAPI, Fields) throws -> [UInt8]] = [
    "POST runs/tasks": { try $0.recordTasks($1) },
    "POST runs/matrix-row": { try $0.recordMatrixRow($1) },
    "GET runs/matrix": { try $0.matrix($1) },
  ]

  func recordTasks(_ fields: Fields) throws -> [UInt8] {
    let run = try mlflow.findRun(fields)
    let items = try fields.objects("tasks")
    guard !items.isEmpty else { throw MLflowError.missing("tasks") }
    guard items.count <= 10_000 else {
      throw MLflowError.invalid("tasks", "\(items.count) tasks", "at most 10,000")
    }
    var tasks: [TaskRecord] = []
    for (position, item) in items.enumerated() {
      let index = Int(try item.int64("index") ?? Int64(position + 1))
      guard index >= 1 else {
        throw MLflowError.invalid("tasks[\(position)].index", String(index), "tasks count from 1")
      }
      let classes = try item.strings("classes").map { text -> Int in
        guard let value = Int(text) else {
          throw MLflowError.invalid("tasks[\(position)].classes", text, "expected integers")
        }
        return value
      }
      tasks.append(
        TaskRecord(
          index: index, name: try item.string("name") ?? "task \(index)",
          trainSize: Int(try item.int64("train_size") ?? 0),
          testSize: Int(try item.int64("test_size") ?? 0), classes: classes))
    }
    try store.recordTasks(tasks, run: run.id)
    return Array("{}".utf8)
  }

  func recordMatrixRow(_ fields: Fields) throws -> [UInt8] {
    let run = try mlflow.findRun(fields)
    guard let row = try fields.int64("trained_through") else {
      throw MLflowError.missing("trained_through")
    }
    guard row >= 0, row <= 10_000 else {
      throw MLflowError.invalid("trained_through", String(row), "0 (the baseline) to 10,000")
    }
    guard case .array(let items)? = fields["scores"], !items.isEmpty, items.count <= 10_000 else {
      throw MLflowError.invalid("scores", "\(fields["scores"].map { "\($0)" } ?? "missing")",
        "expected an array of 1 to 10,000 numbers")
    }
    let scores = try items.enumerated().map { index, item -> Double in
      switch item {
      case .number(let value): return value
      case .null: return .nan
      case .string(let text) where text == "NaN": return .nan
      default: throw MLflowError.invalid("scores[\(index)]", "\(item)", "expected a number")
      }
    }
    let metric = try fields.string("metric") ?? "accuracy"
    try store.recordMatrixRow(
      run: run.id, trainedThrough: Int(row), scores: scores, metric: metric)
    try store.appendMetrics([], to: run.id, heartbeat: Date())
    return try matrixBody(run: run, metric: metric)
  }

  func matrix(_ fields: Fields) throws -> [UInt8] {
    let run = try mlflow.findRun(fields)
    return try matrixBody(run: run, metric: try fields.string("metric"))
  }

  private func matrixBody(run: Run, metric: String?) throws -> [UInt8] {
    let matrix = try store.matrix(of: run.id, metric: metric)
    var out = JSONWriter()
    out.raw("{\"metric\":")
    out.string(matrix.metric)
    out.raw(",\"tasks\":[")
    for (index, task) in try store.tasks(of: run.id).enumerated() {
      if index > 0 { out.comma() }
      out.raw("{\"index\":")
      out.integer(Int64(task.index))
      out.raw(",\"name\":")
      out.string(task.name)
      out.raw("}")
    }
    out.raw("],\"rows\":[")
    for (position, row) in matrix.rows.keys.sorted().enumerated() {
      if position > 0 { out.comma() }
      out.raw("{\"trained_through\":")
      out.integer(Int64(row))
      out.raw(",\"scores\":[")
      for (index, value) in (matrix.rows[row] ?? []).enumerated() {
        if index > 0 { out.comma() }
        if value.isFinite { out.double(value) } else { out.raw("null") }
      }
      out.raw("]}")
    }
    out.raw("],\"summary\":{")
    let summary: [(StaticString, Double?)] = [
      ("acc", matrix.accuracy), ("bwt", matrix.backwardTransfer), ("fwt", matrix.forwardTransfer),
      ("forgetting", matrix.forgetting),
    ]
    for (index, (name, value)) in summary.enumerated() {
      out.key(name, first: index == 0)
      if let value, value.isFinite { out.double(value) } else { out.raw("null") }
    }
    out.raw("}}")
    return out.bytes
  }
}
