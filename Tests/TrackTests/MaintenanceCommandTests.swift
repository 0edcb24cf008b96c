import Foundation
import Testing
import TestSupport
import Tracking
@testable import TrackingSQLite

/// `init`, `check`, `gc` and `rm` from the binary: formats, `check --full`, and `rm` asking
/// before it deletes.
@Suite(.serialized) struct MaintenanceCommandTests {
  func fixture() throws -> TrackBinary {
    let track = try TrackBinary()
    let store = try SQLiteStore(path: track.database)
    for name in ["keep", "drop"] {
      let logger = try store.startRun(name: name, experiment: nil, params: [:])
      try logger.log("loss", value: 0.5, step: 0)
      try logger.finish(.finished)
    }
    return track
  }

  func object(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
  }

  @Test func rmWithoutATerminalRefusesUnlessToldYes() throws {
    let track = try fixture()
    defer { track.remove() }
    let refused = try track("rm", "drop")
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("pass --yes to delete"), "\(refused.stderr)")
    #expect(refused.stdout.isEmpty)
    #expect(try track("show", "drop").status == 0)

    let dry = try track("rm", "drop", "--dry-run")
    #expect(dry.status == 0)
    #expect(dry.stdout == "Would remove run #2 drop\n")
    #expect(try track("show", "drop").status == 0)
    let dryJSON = try object(try track("rm", "drop", "--dry-run", "--format", "json").stdout)
    #expect(dryJSON["dry_run"] as? Bool == true)
    #expect((dryJSON["runs"] as? [[String: Any]])?.first?["name"] as? String == "drop")

    let removed = try track("rm", "drop", "--yes", "--format", "csv")
    #expect(removed.status == 0, "\(removed.stderr)")
    #expect(removed.stdout.hasPrefix("id,uuid,name,removed\n2,"))
    #expect(removed.stdout.hasSuffix(",drop,true\n"))
    #expect(try track("show", "drop").status == 3)
  }

  @Test func rmOnATerminalAsksFirst() throws {
    let script = URL(fileURLWithPath: "/usr/bin/script")
    guard FileManager.default.isExecutableFile(atPath: script.path) else { return }
    let track = try fixture()
    defer { track.remove() }
    // script(1) gives track a terminal; the answer comes through it.
    func rm(answer: String) throws -> CommandResult {
      let command = [CommandRunner.product("track").path, "rm", "drop", "--db", track.database]
        .map { "'\($0)'" }.joined(separator: " ")
      return try CommandRunner.run(
        script, ["-qec", command, "/dev/null"], environment: ["NO_COLOR": "1"],
        input: answer + "\n")
    }
    let declined = try rm(answer: "n")
    #expect(declined.status == 0)
    #expect(declined.stdout.contains("Delete run #2 drop"), "\(declined.stdout)")
    #expect(declined.stdout.contains("Nothing deleted."))
    #expect(try track("show", "drop").status == 0)
    let accepted = try rm(answer: "y")
    #expect(accepted.status == 0)
    #expect(accepted.stdout.contains("Removed run #2 drop"), "\(accepted.stdout)")
    #expect(try track("show", "drop").status == 3)
  }

  @Test func checkGcAndInitTakeAFormat() throws {
    let track = try fixture()
    defer { track.remove() }
    let check = try object(try track("check", "--format", "json").stdout)
    #expect(check["ok"] as? Bool == true && check["full"] as? Bool == false)
    #expect(check["runs"] as? Int == 2)
    #expect((check["problems"] as? [Any])?.isEmpty == true)
    let full = try track("check", "--full")
    #expect(full.status == 0)
    #expect(full.stdout.contains("OK") && full.stdout.contains("(full integrity check)"))
    let csv = try track("check", "--full", "--format", "csv").stdout
    #expect(csv.hasPrefix("field,value\nok,true\nfull,true\n"), "\(csv)")

    let gc = try object(try track("gc", "--format", "json").stdout)
    #expect(gc["blobs_removed"] as? Int == 0)
    #expect(gc["file_size_after"] is Int)
    #expect(try track("gc", "--format", "md").stdout.hasPrefix("| field | value |\n"))

    let initialized = try object(try track("init", "--format", "json").stdout)
    #expect(initialized["created"] as? Bool == false)
    #expect(initialized["schema_version"] is Int)
    #expect(initialized["stale_after_seconds"] as? Double == 60)
  }

  /// Opening a file of an older schema says on stderr that it is being upgraded (migration 9
  /// rewrites every point: 51 s for 10 M points, silent before), once.
  @Test func upgradingAnOlderFileSaysSo() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    do {
      let database = try Database(path: track.database, readOnly: false, create: true)
      try database.executeScript("PRAGMA journal_mode = WAL")
      try Migrator(migrations: Array(EmbeddedMigrations.all.prefix(8))).migrate(database)
    }
    let upgraded = try track("init")
    #expect(upgraded.status == 0, "\(upgraded.stderr)")
    #expect(
      upgraded.stderr.contains(
        "upgrading \(track.database) from schema version 8 to \(EmbeddedMigrations.all.count)"),
      "\(upgraded.stderr)")
    let again = try track("init")
    #expect(again.status == 0 && !again.stderr.contains("upgrading"), "\(again.stderr)")
  }

  @Test func helpListsEveryExitCode() throws {
    let help = try CommandRunner.run(CommandRunner.product("track"), ["--help"]).stdout
    for code in ["0 ok", "1 a failed check", "2 usage", "3 unknown", "4 database", "5 experiment",
      "6 other runtime failure", "130 interrupted"]
    {
      let words = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      #expect(words.contains(code), "\(code)")
    }
  }
}
