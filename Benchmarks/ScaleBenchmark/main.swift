// scale-benchmark: builds a store the size issue 11 measured (10,000 runs, each with 10
// params, 3 tags, a 5-task matrix, and 1,000 metric points: 10,000,000 points) through the
// Swift API, then prints its size per point. Benchmarks/scale.sh times whole `track`
// processes on it.
// Usage: scale-benchmark PATH [RUNS] [POINTS_PER_RUN]
import Foundation
import Tracking
import TrackingSQLite

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
  FileHandle.standardError.write(Data("usage: scale-benchmark PATH [RUNS] [POINTS_PER_RUN]\n".utf8))
  exit(2)
}
let path = arguments[1]
let runCount = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
let pointsPerRun = arguments.count > 3 ? Int(arguments[3]) ?? 1_000 : 1_000
let keys = ["train_loss", "train_accuracy", "test_accuracy", "learning_rate"]

let store = try SQLiteStore(path: path)
let started = Date()
var generator = SystemRandomNumberGenerator()
for index in 0..<runCount {
  let strategy = ["naive", "replay", "ewc", "lwf", "agem"][index % 5]
  let params: [String: ParamValue] = [
    "optimizer.lr": .number([0.001, 0.01, 0.1][index % 3]), "optimizer.type": .text("sgd"),
    "strategy.type": .text(strategy), "model.hidden": .text("256,256"),
    "training.epochs": .number(Double(1 + index % 5)), "training.batch_size": .number(32),
    "seed": .number(Double(index)), "scenario.tasks": .number(5),
    "scenario.type": .text("class-incremental"), "data.source": .text("fashion-mnist"),
  ]
  let run = try store.startRun(
    name: "sweep-\(strategy)-\(index)", experiment: "scale", params: params)
  try run.setTag("spec", "Examples/split-fashion-mnist-\(strategy).yaml")
  try run.setTag("owner", "bench")
  try run.setTag("batch", String(index / 100))
  var points: [MetricPoint] = []
  points.reserveCapacity(pointsPerRun)
  let now = Date()
  for point in 0..<pointsPerRun {
    points.append(
      MetricPoint(
        key: keys[point & 3], value: Double.random(in: 0..<1, using: &generator),
        step: point >> 2, epoch: 1 + (point >> 2) / 50, task: 1 + (point >> 2) / 50 % 5,
        wallTime: now.addingTimeInterval(Double(point) * 0.01)))
  }
  try run.log(batch: points)
  for row in 0...5 {
    try run.recordMatrixRow(
      trainedThrough: row,
      scores: (1...5).map { task in task <= row ? 0.9 - 0.1 * Double(row - task) : 0.1 },
      metric: "accuracy")
  }
  try run.finish()
  if index % 1_000 == 999 {
    FileHandle.standardError.write(Data("\(index + 1) runs, \(Int(Date().timeIntervalSince(started))) s\n".utf8))
  }
}
let seconds = Date().timeIntervalSince(started)
let total = runCount * pointsPerRun
print("built: \(runCount) runs, \(total) points in \(String(format: "%.1f", seconds)) s")
let names = SQLiteStore.pointObjects.map { "'\($0)'" }.joined(separator: ", ")
let bytes = try store.query(
  "SELECT sum(pgsize) FROM dbstat WHERE name IN (\(names))"
).rows[0][0].doubleValue ?? 0
print("bytes_per_point: \(String(format: "%.1f", bytes / Double(max(total, 1)))) B")
