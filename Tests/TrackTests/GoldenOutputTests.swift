import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// Golden outputs of `runs`, `show` and `diff` in every format, from the real binary on a
/// database written through the Tracking API with fixed values (times printed stable).
@Suite(.serialized) struct GoldenOutputTests {
  /// Writes two runs with params, a 3-task matrix, metrics and a checkpoint into `store`;
  /// returns their uuids.
  static func makeFixture(in store: SQLiteStore) throws -> [String] {
    func write(
      name: String, params: [String: ParamValue], matrix: [[Double]], loss: [Double]
    ) throws -> String {
      let logger = try store.startRun(
        name: name, experiment: "golden", params: params, command: "fixture")
      try logger.recordTasks(
        (1...3).map {
          TaskRecord(
            index: $0, name: "task \($0)", trainSize: 100, testSize: 20,
            classes: [2 * $0 - 2, 2 * $0 - 1])
        })
      for (index, row) in matrix.enumerated() {
        try logger.recordMatrixRow(trainedThrough: index, scores: row, metric: "accuracy")
      }
      for (step, value) in loss.enumerated() {
        try logger.log("train.loss", value: value, step: step, epoch: step % 2, task: step / 2 + 1)
      }
      try logger.log("test.accuracy", value: matrix.last?.reduce(0, +) ?? 0, step: 5)
      _ = try logger.saveCheckpoint(
        task: 3, epoch: nil, kind: "weights", data: Data(name.utf8))
      try logger.finish(.finished)
      return logger.uuid
    }
    let naive = try write(
      name: "naive",
      params: [
        "strategy.type": .text("naive"), "optimizer.lr": .number(0.05),
        "training.epochs": .number(2), "note": .text("lower bound"),
      ],
      matrix: [[0.1, 0.12, 0.09], [0.95, 0, 0], [0.4, 0.92, 0], [0.2, 0.3, 0.9]],
      loss: [1.2, 0.8, 1.1, 0.7, 1.0, 0.6])
    let replay = try write(
      name: "replay",
      params: [
        "strategy.type": .text("replay"), "optimizer.lr": .number(0.05),
        "training.epochs": .number(3), "strategy.memory_size": .number(100),
      ],
      matrix: [[0.1, 0.12, 0.09], [0.94, 0, 0], [0.8, 0.9, 0], [0.75, 0.8, 0.88]],
      loss: [1.2, 0.9, 1.3, 0.8, 1.2, 0.7])
    return [naive, replay]
  }

  /// Runs `arguments` and returns stdout with the run uuids replaced by placeholders.
  func output(_ track: TrackBinary, _ uuids: [String], _ arguments: String...) throws -> String {
    let result = try track.run(arguments)
    #expect(result.status == 0, "\(arguments): \(result.stderr)")
    var text = result.stdout
    for (index, uuid) in uuids.enumerated() {
      text = text.replacingOccurrences(of: uuid, with: "<uuid-\(index + 1)>")
    }
    return text
  }

  @Test func runsShowAndDiffMatchTheGoldenFilesInEveryFormat() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let store = try SQLiteStore(path: track.database)
    let uuids = try GoldenOutputTests.makeFixture(in: store)
    for format in ["table", "json", "csv", "md"] {
      GoldenFile.check(try output(track, uuids, "runs", "--format", format), "runs.\(format)")
      GoldenFile.check(
        try output(track, uuids, "show", "replay", "--format", format), "show.\(format)")
      GoldenFile.check(
        try output(track, uuids, "diff", "naive", "replay", "--format", format),
        "diff.\(format)")
    }
    GoldenFile.check(
      try output(
        track, uuids, "runs", "--where", "acc > 0.5", "--columns", "id,name,strategy.type,acc,bwt"),
      "runs-filtered.table")
    GoldenFile.check(
      try output(track, uuids, "diff", "naive", "replay", "--only", "params"), "diff-params.table")
  }

  /// `runs --group-by`: n and mean ± sd per group, in every format. Three seeds of two
  /// strategies (one seed of one strategy lacks a metric) and a run without the key.
  @Test func groupedRunsMatchTheGoldenFilesInEveryFormat() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let store = try SQLiteStore(path: track.database)
    let cells: [(String, Double, [Double])] = [
      ("replay", 100, [0.9, 0.8, 0.7]), ("replay", 100, [0.92, 0.84, 0.7]),
      ("replay", 100, [0.88, 0.81, 0.73]), ("replay", 500, [0.95, 0.9, 0.85]),
      ("naive", 0, [0.0, 0.1, 0.95]), ("naive", 0, [0.0, 0.15, 0.9]),
    ]
    for (index, (strategy, memory, last)) in cells.enumerated() {
      var params: [String: ParamValue] = ["strategy.type": .text(strategy), "seed": .number(Double(index))]
      if memory > 0 { params["strategy.memory_size"] = .number(memory) }
      let logger = try store.startRun(
        name: "\(strategy)-\(index)", experiment: "golden", params: params, command: "fixture")
      try logger.recordTasks(
        (1...3).map { TaskRecord(index: $0, name: "t\($0)", trainSize: 10, testSize: 5, classes: []) })
      let rows: [[Double]] = [[0.1, 0.1, 0.1], [0.96, 0, 0], [0.9, 0.93, 0], last]
      for (task, row) in rows.enumerated() {
        try logger.recordMatrixRow(trainedThrough: task, scores: row, metric: "accuracy")
      }
      if index != 2 {
        try logger.log("stream_accuracy", value: last.reduce(0, +) / 3, step: 3, epoch: 1, task: 3)
      }
      try logger.finish(.finished)
    }
    for format in ["table", "json", "csv", "md"] {
      GoldenFile.check(
        try output(
          track, [], "runs", "--group-by", "strategy.type,strategy.memory_size", "--columns",
          "stream_accuracy", "--format", format),
        "runs-grouped.\(format)")
      GoldenFile.check(
        try output(
          track, [], "diff", "--group", "strategy.type = naive", "--group",
          "strategy.type = replay and strategy.memory_size = 100", "--format", format),
        "diff-groups.\(format)")
    }
  }
}
