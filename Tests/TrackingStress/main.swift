// tracking-stress: one writer process for the concurrency test (TrackingTests/ConcurrencyTests).
// Usage: tracking-stress DB WORKER POINTS [--exit-without-finish]
// Logs POINTS metric points one call at a time into a run named "stress-WORKER", flushing every
// 100 points so that the writers really contend for the lock, then finishes. With
// --exit-without-finish it never flushes nor finishes and calls exit(0) (a forgotten finish).
import Foundation
import Tracking
import TrackingSQLite

let arguments = CommandLine.arguments
let exitWithoutFinish = arguments.count == 5 && arguments[4] == "--exit-without-finish"
guard arguments.count == 4 || exitWithoutFinish, let worker = Int(arguments[2]), let points = Int(arguments[3]) else {
  FileHandle.standardError.write(Data("usage: tracking-stress DB WORKER POINTS\n".utf8))
  exit(2)
}
do {
  let store = try SQLiteStore(path: arguments[1])
  let run = try store.startRun(
    name: "stress-\(worker)", experiment: "stress", params: ["worker": .number(Double(worker))])
  for step in 0..<points {
    try run.log("value", value: Double(worker * 1_000_000 + step), step: step)
    if exitWithoutFinish { continue }
    if step % 100 == 99 { try run.flush() }
    if step % 5_000 == 0 { try run.setTag("progress", String(step)) }
  }
  if exitWithoutFinish { exit(0) }
  try run.finish()
} catch {
  FileHandle.standardError.write(Data("tracking-stress \(worker): \(error)\n".utf8))
  exit(1)
}
