import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// `track runs` sorting and key checks on a real store, through the built binary.
@Suite(.serialized) struct RunsListingTests {
  /// Three finished runs with a `score` metric and a learning-rate parameter.
  func fixture() throws -> TrackBinary {
    let track = try TrackBinary()
    let store = try SQLiteStore(path: track.database)
    for (name, score, lr) in [("low", 0.2, 0.1), ("high", 0.9, 0.01), ("mid", 0.5, 0.05)] {
      let logger = try store.startRun(
        name: name, experiment: "listing", params: ["optimizer.lr": .number(lr)])
      try logger.log("score", value: score, step: 0)
      try logger.finish(.finished)
    }
    return track
  }

  /// The names column of a CSV listing, in order.
  func names(_ result: CommandResult) -> [String] {
    result.stdout.split(separator: "\n").dropFirst().map(String.init)
  }

  @Test func documentedDescendingSortParses() throws {
    let track = try fixture()
    defer { track.remove() }
    // `--sort -acc` is the form docs/cli.md and `track runs --help` show.
    let descending = try track("runs", "--sort", "-score", "--columns", "name", "--format", "csv")
    #expect(descending.status == 0, "\(descending.stderr)")
    #expect(names(descending) == ["high", "mid", "low"])
    let joined = try track("runs", "--sort=-score", "--columns", "name", "--format", "csv")
    #expect(names(joined) == ["high", "mid", "low"])
    let byParam = try track(
      "runs", "--sort", "-optimizer.lr", "--limit", "2", "--columns", "name", "--format", "csv")
    #expect(names(byParam) == ["low", "mid"])
  }

  @Test func unknownSortOrFilterKeysAreUsageErrors() throws {
    let track = try fixture()
    defer { track.remove() }
    let sort = try track("runs", "--sort", "-scor")
    #expect(sort.status == 2)
    #expect(sort.stdout.isEmpty)
    #expect(sort.stderr.contains("--sort: no run has a field, parameter or metric 'scor'"))
    #expect(sort.stderr.contains("did you mean 'score'?"))
    let filter = try track("runs", "--where", "optimizer.lrr < 0.1 and status = finished")
    #expect(filter.status == 2)
    #expect(filter.stderr.contains("'optimizer.lrr'"))
    #expect(filter.stderr.contains("did you mean 'optimizer.lr'?"))
    // Known keys, prefixed keys and tags still work.
    let good = try track(
      "runs", "--where", "params.optimizer.lr < 0.1 and metric.score > 0 and tag.x != y",
      "--sort", "name", "--columns", "name", "--format", "csv")
    #expect(good.status == 0, "\(good.stderr)")
  }

  @Test func allDigitUUIDPrefixesResolveWhenNoRunHasThatId() throws {
    let track = try fixture()
    defer { track.remove() }
    let store = try SQLiteStore(path: track.database)
    // Add runs until a UUID starts with six digits (6% of UUIDs do).
    var digits: (prefix: String, name: String)?
    for index in 0..<200 where digits == nil {
      let logger = try store.startRun(name: "u\(index)", experiment: nil, params: [:])
      try logger.finish(.finished)
      let uuid = try store.run(logger.id).uuid
      let prefix = String(uuid.prefix(6))
      if prefix.allSatisfy(\.isNumber), Int(prefix)! > 10_000 {
        digits = (prefix, "u\(index)")
      }
    }
    let found = try #require(digits)
    let byUUID = try track("show", found.prefix, "--format", "json")
    #expect(byUUID.status == 0, "\(byUUID.stderr)")
    #expect(byUUID.stdout.contains("\"name\": \"\(found.name)\""))
    #expect(try track("show", "999999").status == 3)
  }
}
