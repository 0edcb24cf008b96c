import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// `track runs` at size: a page by default with a note of how many more, and every logged
/// metric (a learner run's `train_loss` too) filterable, sortable and shown (issue 11).
@Suite(.serialized) struct ListingPageTests {
  func fixture(runs count: Int) throws -> TrackBinary {
    let track = try TrackBinary()
    let store = try SQLiteStore(path: track.database)
    for index in 0..<count {
      let run = try store.startRun(name: "r\(index)", experiment: nil, params: ["i": .number(Double(index))])
      try run.log("train_loss", value: Double(index) / 100, step: 1)
      try run.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
      try run.recordMatrixRow(trainedThrough: 1, scores: [0.9], metric: "accuracy")
      try run.finish()
    }
    return track
  }

  @Test func aListingShowsAPageAndSaysHowManyMore() throws {
    let track = try fixture(runs: 60)
    defer { track.remove() }
    let page = try track("runs", "--format", "csv")
    #expect(page.status == 0, "\(page.stderr)")
    #expect(page.stdout.split(separator: "\n").count == 51)  // header + 50
    #expect(page.stderr.contains("showing 50 of 60 runs"), "\(page.stderr)")
    #expect(page.stderr.contains("--all"))
    let all = try track("runs", "--all", "--format", "csv")
    #expect(all.stdout.split(separator: "\n").count == 61)
    #expect(all.stderr.isEmpty)
    let limited = try track("runs", "--limit", "5", "--format", "csv")
    #expect(limited.stdout.split(separator: "\n").count == 6)
    #expect(limited.stderr.isEmpty, "an explicit --limit is what was asked for")
  }

  @Test func epochMetricsOfMatrixRunsAreFilterableSortableAndShown() throws {
    let track = try fixture(runs: 4)
    defer { track.remove() }
    let filtered = try track(
      "runs", "--where", "train_loss < 0.02", "--sort", "-train_loss", "--columns", "name,acc,train_loss",
      "--format", "csv")
    #expect(filtered.status == 0, "\(filtered.stderr)")
    #expect(filtered.stdout == "name,acc,train_loss\nr1,0.9,0.01\nr0,0.9,0\n", "\(filtered.stdout)")
    let json = try track("runs", "--limit", "1", "--format", "json")
    #expect(json.stdout.contains("\"train_loss\": 0.03"), "\(json.stdout)")
    let typo = try track("runs", "--where", "train_los < 1")
    #expect(typo.status == 2)
    #expect(typo.stderr.contains("did you mean 'train_loss'"), "\(typo.stderr)")
  }
}
