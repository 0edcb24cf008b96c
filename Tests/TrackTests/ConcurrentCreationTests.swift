import Foundation
import Testing
import TestSupport

/// Many processes creating the same new store at once: every one succeeds and the file is a
/// sound track store (issue 10: 1 in 320 used to fail with "not a track store").
@Suite(.serialized) struct ConcurrentCreationTests {
  /// Processes per round and rounds (`TRACK_CREATION_ROUNDS` raises the rounds).
  static let processes = 8
  static let rounds = Int(ProcessInfo.processInfo.environment["TRACK_CREATION_ROUNDS"] ?? "") ?? 40

  @Test func eightProcessesCreateOneNewFile() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let track = CommandRunner.product("track")
    var failures: [String] = []
    for round in 0..<Self.rounds {
      let path = folder.path("new-\(round).db")
      let processes = try (0..<Self.processes).map { index -> (Process, URL) in
        let process = Process()
        process.executableURL = track
        // Alternate `init` (creates) with `gc` (opens an existing file for writing, and
        // migrates it when it is still empty), as parallel `track run`s and tools do.
        process.arguments = index % 2 == 0 ? ["init", "--db", path] : ["gc", "--db", path]
        let errors = folder.url.appendingPathComponent("err-\(round)-\(index)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        return (process, errors)
      }
      for (process, _) in processes { try process.run() }
      for (index, (process, errors)) in processes.enumerated() {
        process.waitUntilExit()
        let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        // `gc` before any process created the file says there is none (exit 4, "no track
        // database"); anything else is a failure.
        let missing = index % 2 == 1 && text.contains("no track database")
        if process.terminationStatus != 0 && !missing {
          failures.append("round \(round) process \(index): \(process.terminationStatus) \(text)")
        }
      }
      let check = try CommandRunner.run(track, ["check", "--db", path])
      if check.status != 0 { failures.append("round \(round): check \(check.stdout)\(check.stderr)") }
    }
    #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(5))")
  }
}
