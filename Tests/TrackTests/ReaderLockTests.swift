import Foundation
import Testing
import TestSupport

/// Readers that follow docs/schema.md (the sqlite3 shell, read-only, with the documented
/// `.timeout`) never see "database is locked" while writers come and go. A closing writer no
/// longer checkpoints and deletes the WAL under the file's exclusive lock (issue 11: 18 errors
/// in 1,204 reads across 15 runs); the timeout covers the next writer's WAL recovery, a few
/// milliseconds under the same lock.
@Suite(.serialized) struct ReaderLockTests {
  @Test func readersNeverSeeLockedWhileWritersClose() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    #expect(try track("init").status == 0)
    let sqlite3 = URL(fileURLWithPath: "/usr/bin/sqlite3")
    final class Tally: @unchecked Sendable {
      // @unchecked: every field is read and written under `lock`.
      let lock = NSLock()
      var reads = 0
      var locked: [String] = []
      var done = false
    }
    let tally = Tally()
    let database = track.database
    let reader = Thread {
      while true {
        tally.lock.lock()
        let done = tally.done
        tally.lock.unlock()
        if done { break }
        let result = try? CommandRunner.run(
          sqlite3, ["-readonly", "-cmd", ".timeout 2000", database, "SELECT count(*) FROM runs"])
        tally.lock.lock()
        tally.reads += 1
        if let result, result.status != 0 { tally.locked.append(result.stderr) }
        tally.lock.unlock()
      }
    }
    reader.start()
    for _ in 0..<8 {
      let run = try track("run", "Examples/synthetic-smoke.yaml", "--plain")
      #expect(run.status == 0, "\(run.stderr)")
    }
    tally.lock.lock()
    tally.done = true
    tally.lock.unlock()
    while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
    #expect(tally.reads > 50)
    #expect(tally.locked.isEmpty, "\(tally.locked.count) of \(tally.reads) reads failed: \(tally.locked.prefix(3))")
  }
}
