import Foundation
import Testing

@testable import Tracking
@testable import TrackingSQLite

/// Filters, sorts, limits and run references.
struct RunListingTests {
  /// Four runs: lr 0.1/0.01/0.01/0.001, acc 0.5/0.9/0.85/—, one failed, tags.
  func makeStore(_ folder: TemporaryFolder) throws -> SQLiteStore {
    let store = try SQLiteStore(path: folder.path("track.db"))
    let specs: [(String, Double, Double?, RunStatus, String)] = [
      ("alpha", 0.1, 0.5, .finished, "cpu"), ("beta", 0.01, 0.9, .finished, "gpu"),
      ("gamma", 0.01, 0.85, .failed, "cpu"), ("delta", 0.001, nil, .finished, "gpu"),
    ]
    for (name, lr, acc, status, device) in specs {
      let run = try store.startRun(
        name: name, experiment: "sweep",
        params: ["optimizer.lr": .number(lr), "optimizer.type": .text("sgd")])
      try run.setTag("device", device)
      if let acc {
        try run.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
        try run.recordMatrixRow(trainedThrough: 1, scores: [acc], metric: "accuracy")
      } else {
        try run.log("val_loss", value: 0.25, step: 3)
      }
      try run.finish(status)
    }
    return store
  }

  func names(_ store: SQLiteStore, _ filter: String, sort: [RunSort] = []) throws -> [String] {
    try store.runs(where: RunFilter.parse(filter), sort: sort).map(\.name)
  }

  @Test func filtersCompareNumbersAsNumbers() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try makeStore(folder)
    let byName = [RunSort(key: "name")]
    #expect(try names(store, "acc > 0.8", sort: byName) == ["beta", "gamma"])
    #expect(try names(store, "acc > 0.8 and status = finished") == ["beta"])
    #expect(try names(store, "optimizer.lr = 0.01", sort: byName) == ["beta", "gamma"])
    #expect(try names(store, "optimizer.lr < 0.05", sort: byName) == ["beta", "delta", "gamma"])
    #expect(try names(store, "param.optimizer.lr >= 0.1") == ["alpha"])
    #expect(try names(store, "tag.device = gpu and not acc > 0.8") == ["delta"])
    #expect(
      try names(
        store, "(name = alpha or name = 'delta') and experiment = sweep",
        sort: byName) == ["alpha", "delta"])
    #expect(try names(store, "val_loss <= 0.25") == ["delta"])
    #expect(try names(store, "metric.val_loss = 0.25") == ["delta"])
    #expect(try names(store, "optimizer.type = \"sgd\"").count == 4)
    #expect(try names(store, "status != finished") == ["gamma"])
    // '; DROP TABLE runs' is just a value: parameters are bound, never pasted.
    #expect(try names(store, "name = '; DROP TABLE runs; --'").isEmpty)
    #expect(try store.runs().count == 4)
  }

  @Test func summaryKeysOfARunWithoutAMatrixAreItsLatestMetrics() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try makeStore(folder)
    let epsilon = try store.startRun(name: "epsilon", experiment: nil, params: [:])
    try epsilon.log("acc", value: 0.3, step: 0)
    try epsilon.log("acc", value: 0.7, step: 1)
    try epsilon.finish()
    // What `track runs` shows (the summary) is what filters and sorts compare.
    #expect(try store.runs(where: RunFilter.parse("name = epsilon"))[0].summary["acc"] == 0.7)
    #expect(try names(store, "acc > 0.6 and acc < 0.8") == ["epsilon"])
    #expect(
      try store.runs(sort: [RunSort(key: "acc", descending: true)]).map(\.name)
        == ["beta", "gamma", "epsilon", "alpha", "delta"])
  }

  @Test func sortAndLimit() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try makeStore(folder)
    #expect(try store.runs().map(\.name) == ["delta", "gamma", "beta", "alpha"])  // newest first
    #expect(
      try store.runs(sort: [RunSort(key: "acc", descending: true)]).map(\.name)
        == ["beta", "gamma", "alpha", "delta"])  // missing values last
    #expect(
      try store.runs(sort: [RunSort(key: "acc")]).map(\.name)
        == ["alpha", "gamma", "beta", "delta"])
    #expect(
      try store.runs(
        sort: [try RunSort.parse("optimizer.lr"), try RunSort.parse("-name")],
        limit: 3
      ).map(\.name) == ["delta", "gamma", "beta"])
    #expect(
      try store.runs(sort: [try RunSort.parse("tag.device:desc"), RunSort(key: "name")])
        .map(\.name) == ["beta", "delta", "alpha", "gamma"])
    #expect(try store.runs(limit: 0).isEmpty)
    let delta = try store.runs(where: RunFilter.parse("name = delta"))[0]
    #expect(delta.summary == ["val_loss": 0.25])
    #expect(delta.params["optimizer.lr"] == .number(0.001))
    #expect(delta.duration != nil)
  }

  @Test func parseErrorsNameTheColumn() throws {
    let cases: [(String, Int)] = [
      ("acc >", 6), ("acc 0.8", 5), ("acc > 0.8 and", 14), ("(acc > 0.8", 11),
      ("acc > 0.8 status = x", 11), ("name = 'open", 8), ("acc ! 1", 5), ("", 1), ("acc > 1 $", 9),
    ]
    for (text, column) in cases {
      let error = expectTrackingError(.invalidFilter) { try RunFilter.parse(text) }
      #expect(
        error?.message.contains("column \(column):") == true, "\(text): \(error?.message ?? "")")
    }
    expectTrackingError(.invalidFilter) { try RunSort.parse("") }
  }

  @Test func resolvesReferences() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try makeStore(folder)
    let all = try store.runs()
    #expect(try store.resolveRun("latest").name == "delta")
    #expect(try store.resolveRun("latest~1").name == "gamma")
    #expect(try store.resolveRun("latest~3").name == "alpha")
    expectTrackingError(.runNotFound) { try store.resolveRun("latest~4") }
    expectTrackingError(.runNotFound) { try store.resolveRun("latest~x") }
    #expect(try store.resolveRun("beta").name == "beta")
    let gamma = all.first { $0.name == "gamma" }!
    #expect(try store.resolveRun(String(gamma.id)).name == "gamma")
    #expect(try store.resolveRun(String(gamma.uuid.prefix(8))).name == "gamma")
    #expect(try store.resolveRun(gamma.uuid.uppercased()).name == "gamma")
    expectTrackingError(.runNotFound) { try store.resolveRun("nobody") }
    expectTrackingError(.runNotFound) { try store.resolveRun("999") }

    // A UUID may start with digits: when no run has that id, the digits are a UUID prefix.
    let digits = try Database(path: folder.path("track.db"), readOnly: false, create: false)
    try digits.executeScript(
      "UPDATE runs SET uuid = '44088312-0000-4000-8000-000000000000' WHERE name = 'alpha'")
    #expect(try store.resolveRun("440883").name == "alpha")
    #expect(try store.resolveRun(String(gamma.id)).name == "gamma")  // an id still wins
    expectTrackingError(.runNotFound) { try store.resolveRun("4408839") }

    let twin = try store.startRun(name: "beta", experiment: nil, params: [:])
    try twin.finish()
    let error = expectTrackingError(.ambiguousRun) { try store.resolveRun("beta") }
    #expect(error?.message.contains("id \(twin.id)") == true)
    #expect(error?.message.contains("matches 2 runs") == true)
  }
}
