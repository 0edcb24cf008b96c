import Foundation
import Testing
import Tracking

/// `runs(where:sort:limit:)`: the filter language over params, metrics, tags and summaries,
/// sorts with missing values last, limits.
struct RunListingTests {
  @Test(arguments: Backend.all) func filtersCompareNumbersAsNumbers(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    try SweepFixture.record(in: store)
    func names(_ filter: String, sort: [RunSort] = []) throws -> [String] {
      try SweepFixture.names(store, filter, sort: sort)
    }
    let byName = [RunSort(key: "name")]
    #expect(try names("acc > 0.8", sort: byName) == ["beta", "gamma"])
    #expect(try names("acc > 0.8 and status = finished") == ["beta"])
    #expect(try names("optimizer.lr = 0.01", sort: byName) == ["beta", "gamma"])
    #expect(try names("optimizer.lr < 0.05", sort: byName) == ["beta", "delta", "gamma"])
    #expect(try names("param.optimizer.lr >= 0.1") == ["alpha"])
    #expect(try names("tag.device = gpu and not acc > 0.8") == ["delta"])
    #expect(
      try names("(name = alpha or name = 'delta') and experiment = sweep", sort: byName)
        == ["alpha", "delta"])
    #expect(try names("val_loss <= 0.25") == ["delta"])
    #expect(try names("metric.val_loss = 0.25") == ["delta"])
    #expect(try names("optimizer.type = \"sgd\"").count == 4)
    #expect(try names("status != finished") == ["gamma"])
    #expect(try names("name = nobody").isEmpty)
    // '; DROP TABLE runs' is just a value: a backend never pastes values into its queries.
    #expect(try names("name = '; DROP TABLE runs; --'").isEmpty)
    #expect(try store.runs().count == 4)
  }

  @Test(arguments: Backend.all) func summaryKeysOfARunWithoutAMatrixAreItsLatestMetrics(
    _ backend: Backend
  ) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    try SweepFixture.record(in: store)
    let epsilon = try store.startRun(name: "epsilon", experiment: nil, params: [:])
    try epsilon.log("acc", value: 0.3, step: 0)
    try epsilon.log("acc", value: 0.7, step: 1)
    try epsilon.finish()
    // What `track runs` shows (the summary) is what filters and sorts compare.
    #expect(try store.runs(where: RunFilter.parse("name = epsilon"))[0].summary["acc"] == 0.7)
    #expect(try SweepFixture.names(store, "acc > 0.6 and acc < 0.8") == ["epsilon"])
    #expect(
      try store.runs(sort: [RunSort(key: "acc", descending: true)]).map(\.name)
        == ["beta", "gamma", "epsilon", "alpha", "delta"])
  }

  @Test(arguments: Backend.all) func sortAndLimit(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    try SweepFixture.record(in: store)
    #expect(try store.runs().map(\.name) == ["delta", "gamma", "beta", "alpha"])  // newest first
    #expect(
      try store.runs(sort: [RunSort(key: "acc", descending: true)]).map(\.name)
        == ["beta", "gamma", "alpha", "delta"])  // missing values last
    #expect(
      try store.runs(sort: [RunSort(key: "acc")]).map(\.name)
        == ["alpha", "gamma", "beta", "delta"])  // last either way
    #expect(
      try store.runs(
        sort: [try RunSort.parse("optimizer.lr"), try RunSort.parse("-name")],
        limit: 3
      ).map(\.name) == ["delta", "gamma", "beta"])
    #expect(
      try store.runs(sort: [try RunSort.parse("tag.device:desc"), RunSort(key: "name")])
        .map(\.name) == ["beta", "delta", "alpha", "gamma"])
    #expect(try store.runs(limit: 0).isEmpty)
    #expect(try store.runs(limit: 2).map(\.name) == ["delta", "gamma"])
    // A page further on: the store skips the first rows, in the same order.
    #expect(try store.runs(where: nil, sort: [], limit: 2, offset: 1).map(\.name) == ["gamma", "beta"])
    #expect(try store.runs(where: nil, sort: [], limit: nil, offset: 3).map(\.name) == ["alpha"])
    #expect(
      try store.runs(where: nil, sort: [RunSort(key: "acc", descending: true)], limit: 10, offset: 2)
        .map(\.name) == ["alpha", "delta"])
    #expect(try store.runs(where: nil, sort: [], limit: 5, offset: 9).isEmpty)
    expectTrackingError(.invalidValue) { try store.runs(where: nil, sort: [], limit: 1, offset: -1) }
    #expect(
      try store.runs(where: RunFilter.parse("tag.device = cpu"), sort: [], limit: 1)
        .map(\.name) == ["gamma"])
    let delta = try store.runs(where: RunFilter.parse("name = delta"))[0]
    #expect(delta.summary == ["val_loss": 0.25])
    #expect(delta.params["optimizer.lr"] == .number(0.001))
    #expect(delta.params["optimizer.type"] == .text("sgd"))
    #expect(delta.experiment == "sweep")
    #expect(delta.status == .finished)
    #expect(delta.duration != nil)
    #expect(delta.id == (try store.resolveRun("delta").id))
  }

  @Test(arguments: Backend.all) func anEmptyStoreListsNothing(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    #expect(try store.runs().isEmpty)
    #expect(try store.runs(where: RunFilter.parse("acc > 0"), sort: [RunSort(key: "acc")]).isEmpty)
    expectTrackingError(.runNotFound) { try store.resolveRun("latest") }
    #expect(try store.check().isOK)
    #expect(try store.check().runCount == 0)
  }
}
