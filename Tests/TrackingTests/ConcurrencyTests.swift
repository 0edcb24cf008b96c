import Foundation
import Testing
import TestSupport

@testable import Tracking
@testable import TrackingSQLite

/// Several processes writing one file at once: all succeed and every row is stored.
struct ConcurrencyTests {
  @Test func fourProcessesLogIntoOneFile() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("shared.db")
    let workers = 4
    let points = 20_000
    let stress = CommandRunner.product("tracking-stress")
    // All start together on a file that does not exist yet: creation and migration race too.
    var processes: [(Process, Pipe)] = []
    for worker in 0..<workers {
      let process = Process()
      process.executableURL = stress
      process.arguments = [path, String(worker), String(points)]
      let errors = Pipe()
      process.standardError = errors
      try process.run()
      processes.append((process, errors))
    }
    for (worker, (process, errors)) in processes.enumerated() {
      let message = String(
        decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "worker \(worker): \(message)")
      #expect(!message.contains("locked"), "worker \(worker): \(message)")
    }
    let store = try SQLiteStore(path: path, readOnly: true)
    let runs = try store.runs(sort: [RunSort(key: "name")])
    #expect(runs.map(\.name) == (0..<workers).map { "stress-\($0)" })
    #expect(runs.allSatisfy { $0.status == .finished })
    #expect(
      try store.query("SELECT count(*) FROM metrics").rows
        == [[.integer(Int64(workers * points))]])
    for run in runs {
      let worker = Int(run.name.dropFirst("stress-".count))!
      let stats = try store.query(
        """
        SELECT count(*), count(DISTINCT step), min(value), max(value) FROM metrics
        WHERE run_id = \(run.id)
        """
      )
      #expect(
        stats.rows == [
          [
            .integer(Int64(points)), .integer(Int64(points)), .real(Double(worker * 1_000_000)),
            .real(Double(worker * 1_000_000 + points - 1)),
          ]
        ])
      #expect(run.summary == ["value": Double(worker * 1_000_000 + points - 1)])
    }
    #expect(try store.check().isOK)
  }

  @Test func aProcessThatExitsWithoutFinishStillWritesItsBufferedPoints() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("forgotten.db")
    let process = Process()
    process.executableURL = CommandRunner.product("tracking-stress")
    // 1,000 points stay under the flush size, and exit comes before the 1 s interval.
    process.arguments = [path, "7", "1000", "--exit-without-finish"]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let store = try SQLiteStore(path: path, readOnly: true)
    #expect(try store.query("SELECT count(*) FROM metrics").rows == [[.integer(1000)]])
    #expect(try store.runs().map(\.status) == [.running])  // no finish: crashed once stale
  }
}
