import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// CSV is for programs: numbers unrounded (shortest round-trip decimal), durations in
/// seconds, and every column holds one kind of thing.
@Suite(.serialized) struct CSVOutputTests {
  func fixture() throws -> TrackBinary {
    let track = try TrackBinary()
    let store = try SQLiteStore(path: track.database)
    for (name, score) in [("a", 0.123456789), ("b", 0.987654321)] {
      let logger = try store.startRun(
        name: name, experiment: nil, params: ["strategy.type": .text(name)])
      try logger.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
      try logger.recordMatrixRow(trainedThrough: 1, scores: [score], metric: "accuracy")
      try logger.log("loss", value: 1.0 / 3.0, step: 0)
      try logger.finish(.finished)
    }
    return track
  }

  @Test func runsShowAndMetricsCarryRawNumbersAndSeconds() throws {
    let track = try fixture()
    defer { track.remove() }
    // Real times here: a duration must be a number of seconds, not "176ms".
    let real = ["TRACK_STABLE_TIMES": "0"]
    let runs = try track("runs", "--format", "csv", "--columns", "name,duration,acc", environment: real)
    let rows = runs.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
    #expect(rows.count == 2)
    for row in rows { #expect(Double(String(row[1])) != nil, "\(row)") }
    #expect(runs.stdout.contains(",0.987654321\n") && runs.stdout.contains(",0.123456789\n"))
    let created = try track("runs", "--format", "csv", "--columns", "created").stdout
    #expect(created.hasSuffix("\n2000-01-01T00:00:00Z\n"))

    let show = try track("show", "a", "--format", "csv", environment: real).stdout
    let duration = show.split(separator: "\n").first { $0.hasPrefix("run,duration,") }
    #expect(duration.flatMap { Double(String($0.dropFirst("run,duration,".count))) } != nil)
    #expect(show.contains("summary,acc,0.123456789\n"))
    #expect(show.contains("metric,loss,0.3333333333333333\n"))
    #expect(show.contains("run,knowledge base,0\n"))

    let metrics = try track("metrics", "a", "--format", "csv").stdout
    #expect(metrics.contains("loss,1,0.3333333333333333,0.3333333333333333,0.3333333333333333"))
  }

  @Test func diffPutsTheParameterChangeInItsOwnColumn() throws {
    let track = try fixture()
    defer { track.remove() }
    let csv = try track("diff", "a", "b", "--format", "csv").stdout
    #expect(csv.hasPrefix("section,key,run,value,delta,relative,change\n"))
    #expect(csv.contains("param,strategy.type,b,b,,,changed\n"), "\(csv)")
    #expect(csv.contains("summary,acc,b,0.987654321,"), "\(csv)")
  }
}
