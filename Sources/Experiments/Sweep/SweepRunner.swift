import Foundation
import Tracking

/// Runs the cells of a sweep as separate `track run` processes of the same binary, at most
/// `jobs` at once, all into one store: each process is an ordinary run (its own crash or
/// failure touches no other), tagged `sweep=NAME`. Cells a finished run of the sweep already
/// has (same name, tag and status finished) are skipped, so re-running a sweep completes it.
///
/// When `shouldStop` turns true no cell is started any more and each running process gets
/// SIGINT, so it stops after its current batch and is marked `killed` (as Ctrl-C on `track
/// run`); `run` returns once they all exited.
public final class SweepRunner {
  /// What the sweep reports as it goes.
  public enum Event {
    /// Cells skipped because a finished run of the sweep has them.
    case skipped([SweepPlan.Cell])
    /// A process started for a cell.
    case started(SweepPlan.Cell)
    /// A cell's process ended: its exit status, wall seconds, and the end of its standard
    /// error when it did not succeed.
    case ended(SweepPlan.Cell, status: Int32, seconds: Double, errorTail: String)
  }

  /// How a sweep ended.
  public struct Outcome: Equatable, Sendable {
    public var finished = 0
    public var failed = 0
    public var interrupted = 0
    public var skipped = 0
    public var notStarted = 0
  }

  private let plan: SweepPlan
  private let executable: URL
  private let arguments: (SweepPlan.Cell) -> [String]
  private let jobs: Int
  private let shouldStop: () -> Bool
  private let events: (Event) -> Void

  /// `arguments(cell)` are the `track` arguments of one cell (`run SPEC --set … --db …`).
  public init(
    plan: SweepPlan, executable: URL, jobs: Int, arguments: @escaping (SweepPlan.Cell) -> [String],
    shouldStop: @escaping () -> Bool = { false }, events: @escaping (Event) -> Void = { _ in }
  ) {
    self.plan = plan
    self.executable = executable
    self.jobs = max(1, jobs)
    self.arguments = arguments
    self.shouldStop = shouldStop
    self.events = events
  }

  /// The names of the cells a finished run tagged with the sweep already has in `store`.
  public static func finishedNames(of plan: SweepPlan, in store: any TrackStore) throws
    -> Set<String>
  {
    let quoted = plan.name.contains("'") ? "\"\(plan.name)\"" : "'\(plan.name)'"
    let filter = try RunFilter.parse("tag.sweep = \(quoted) and status = finished")
    return Set(try store.runs(where: filter, sort: [], limit: nil).map(\.name))
  }

  /// Runs every cell not in `finished`; returns the counts.
  public func run(skipping finished: Set<String>) throws -> Outcome {
    var outcome = Outcome()
    let skipped = plan.cells.filter { finished.contains($0.name) }
    outcome.skipped = skipped.count
    if !skipped.isEmpty { events(.skipped(skipped)) }
    var pending = plan.cells.filter { !finished.contains($0.name) }[...]
    let ended = DispatchSemaphore(value: 0)
    var running: [(cell: SweepPlan.Cell, process: Process, log: URL, start: Date)] = []
    var interruptSent = false
    let logs = FileManager.default.temporaryDirectory
      .appendingPathComponent("track-sweep-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: logs) }
    while !pending.isEmpty || !running.isEmpty {
      let stopping = shouldStop()
      if stopping && !interruptSent {
        interruptSent = true
        for job in running where job.process.isRunning { job.process.interrupt() }
      }
      while !stopping, running.count < jobs, let cell = pending.first {
        pending.removeFirst()
        let log = logs.appendingPathComponent("\(running.count)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments(cell)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        running.append((cell, process, log, Date()))
        events(.started(cell))
      }
      if running.isEmpty { break }
      _ = ended.wait(timeout: .now() + 0.2)
      // Once per process, from one look at which have ended.
      let done = Set(running.indices.filter { !running[$0].process.isRunning })
      for index in done.sorted() {
        let job = running[index]
        job.process.waitUntilExit()
        let status = job.process.terminationStatus
        var tail = ""
        if status != 0 {
          let text = (try? String(contentsOf: job.log, encoding: .utf8)) ?? ""
          tail = text.split(separator: "\n").suffix(5).joined(separator: "\n")
        }
        switch status {
        case 0: outcome.finished += 1
        case 130: outcome.interrupted += 1
        default: outcome.failed += 1
        }
        events(.ended(job.cell, status: status, seconds: Date().timeIntervalSince(job.start),
                      errorTail: tail))
      }
      running = running.indices.filter { !done.contains($0) }.map { running[$0] }
      if stopping { outcome.notStarted = pending.count; pending.removeAll() }
    }
    return outcome
  }
}
