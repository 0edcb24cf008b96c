import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

@testable import track

/// Output that must fit the terminal: the progress line, and `show` of a long stream.
@Suite(.serialized) struct TerminalWidthTests {
  @Test(arguments: [40, 60, 80, 120])
  func theProgressLineNeverWraps(width: Int) {
    let parts = [
      "task 32/32", "epoch 10/10", "batch 1234/1234", "\u{0}", "loss 0.1234", "ETA 12m05s",
    ]
    let line = ProgressDisplay.fit(parts, fraction: 0.5, width: width)
    #expect(line.count < width, "\(line)")
    #expect(line.hasPrefix("task 32/32"))
    #expect(line.contains("50%"))
    if width >= 120 { #expect(line.contains("batch 1234/1234") && line.contains("ETA 12m05s")) }
    if width >= 60 { #expect(line.contains("loss 0.1234")) }
  }

  @Test func heatmapColumnsAreNamedByShortTaskNames() {
    let plain = Terminal(isInteractive: false, usesColor: false, width: 100)
    let rows: [Int: [Double]] = [0: [0.1, 0.2], 1: [0.9, 0.3], 2: [0.8, 0.9]]
    let named = Heatmap.table(
      rows: rows, taskCount: 2, terminal: plain, taskNames: ["1986", "1987"])
    #expect(named.columns.map(\.title) == ["after", "1986", "1987"])
    #expect(named.rows.map { $0[0].text } == ["baseline", "1986", "1987"])
    let long = Heatmap.table(
      rows: rows, taskCount: 2, terminal: plain,
      taskNames: ["classes 0 and 1 of fashion", "classes 2 and 3 of fashion"])
    #expect(long.columns.map(\.title) == ["after", "task 1", "task 2"])
  }

  /// A 32-task run with tasks named by year, as a time-series stream.
  func longRun() throws -> TrackBinary {
    let track = try TrackBinary()
    let store = try SQLiteStore(path: track.database)
    let logger = try store.startRun(name: "years", experiment: nil, params: [:])
    try logger.recordTasks(
      (1...32).map {
        TaskRecord(index: $0, name: String(1985 + $0), trainSize: 10, testSize: 5, classes: [])
      })
    for row in 0...32 {
      try logger.recordMatrixRow(
        trainedThrough: row, scores: (1...32).map { -Double($0 + row) / 1000 }, metric: "neg_mse")
    }
    try logger.finish(.finished)
    return track
  }

  @Test func showFitsAThirtyTwoTaskMatrixInTheTerminal() throws {
    let track = try longRun()
    defer { track.remove() }
    let show = try track("show", "years", environment: ["COLUMNS": "60"])
    #expect(show.status == 0, "\(show.stderr)")
    let lines = show.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let start = lines.firstIndex { $0.hasPrefix("Matrix R[i][j]") } ?? 0
    let matrix = lines[(start + 1)...].prefix { !$0.isEmpty }
    #expect(matrix.count > 30)
    for line in matrix where !line.hasPrefix("(tasks") {
      #expect(line.count <= 60, "\(line)")
    }
    #expect(matrix.first?.contains("1986") == true)
    #expect(show.stdout.contains("of 32 shown"))
    #expect(show.stdout.contains("track matrix 1 --format csv"))
    // Wide enough, everything shows and nothing is said.
    let wide = try track("show", "years", environment: ["COLUMNS": "400"])
    #expect(wide.stdout.contains("2017") && !wide.stdout.contains("of 32 shown"))
  }
}
