import Testing
import Tracking

/// `~` matches a pattern (`*` any text, `?` one character), on names, params and tags
/// (issue 11: `--where` had no pattern match).
struct PatternFilterTests {
  @Test(arguments: Backend.all) func patternsMatchNamesParamsAndTags(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    try SweepFixture.record(in: store)
    let sort = [RunSort(key: "name")]
    #expect(try SweepFixture.names(store, "name ~ '*ta'", sort: sort) == ["beta", "delta"])
    #expect(try SweepFixture.names(store, "name ~ ?amma", sort: sort) == ["gamma"])
    #expect(try SweepFixture.names(store, "tag.device ~ 'g*' and not name ~ 'b*'") == ["delta"])
    #expect(try SweepFixture.names(store, "optimizer.type ~ 's?d'").count == 4)
    #expect(try SweepFixture.names(store, "name ~ 'A*'").isEmpty)  // case-sensitive
    #expect(throws: TrackingError.self) { try RunFilter.parse("name ~") }
    // `~` inside a word stays part of it.
    #expect(try RunFilter.parse("name = latest~1").expression == .compare(field: "name", .equal, .text("latest~1")))
  }
}
