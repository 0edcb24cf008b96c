// postgres-benchmark: metric logging into a PostgreSQL store through the Tracking API, run by
// Benchmarks/postgres.sh in a release build (which times psql's COPY of the same rows beside
// it). Prints `name: value unit` lines.
//
// Usage:
//   postgres-benchmark log URL POINTS        one run, log(batch:) of 1,000 points at a time
//   postgres-benchmark writer URL POINTS     one writer of the concurrency measurement
//   postgres-benchmark rows FILE POINTS      the CSV of the rows `log` writes (for COPY)
import Foundation
import Tracking
import TrackingPostgres

let arguments = CommandLine.arguments
guard arguments.count == 4, let points = Int(arguments[3]) else {
  FileHandle.standardError.write(
    Data("usage: postgres-benchmark log|writer URL POINTS | rows FILE POINTS\n".utf8))
  exit(2)
}
let keys = ["loss", "accuracy", "learning_rate", "grad_norm"]

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The point `index` of a run, the same in every mode.
func point(_ index: Int, at time: Date) -> MetricPoint {
  MetricPoint(
    key: keys[index & 3], value: Double(index) * 0.001, step: index >> 2, epoch: index >> 12,
    wallTime: time)
}

/// Logs `points` into a new run of the store at `url`, 1,000 per `log(batch:)`.
func log(url: String, name: String) throws -> Double {
  let store = try PostgresStore(url: url)
  let run = try store.startRun(name: name, experiment: "benchmark", params: [:])
  let batchSize = 1_000
  return try seconds {
    var batch: [MetricPoint] = []
    batch.reserveCapacity(batchSize)
    let now = Date()
    for index in 0..<points {
      batch.append(point(index, at: now))
      if batch.count == batchSize {
        try run.log(batch: batch)
        batch.removeAll(keepingCapacity: true)
      }
    }
    try run.log(batch: batch)
    try run.finish()
  }
}

switch arguments[1] {
case "log":
  let elapsed = try log(url: arguments[2], name: "batched")
  print("track_batched_postgres: \(Int((Double(points) / elapsed).rounded())) points/s")
  print("track_batched_postgres_seconds: \(String(format: "%.3f", elapsed)) s")
case "writer":
  let elapsed = try log(url: arguments[2], name: "writer-\(ProcessInfo.processInfo.processIdentifier)")
  print("writer_seconds: \(String(format: "%.3f", elapsed)) s")
case "rows":
  // run_id, key_id, step, seq, epoch, task, value, wall_ms: what `log` stores, for COPY.
  var text = ""
  text.reserveCapacity(points * 32)
  for index in 0..<points {
    text += "1,\((index & 3) + 1),\(index >> 2),0,\(index >> 12),,\(Double(index) * 0.001),"
      + "\(index / 1000)\n"
  }
  try text.write(toFile: arguments[2], atomically: true, encoding: .utf8)
default:
  FileHandle.standardError.write(Data("unknown mode \(arguments[1])\n".utf8))
  exit(2)
}
