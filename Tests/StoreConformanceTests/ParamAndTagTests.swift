import Testing
import Tracking

/// Params are immutable once stored; tags can be set and replaced at any time.
struct ParamAndTagTests {
  @Test(arguments: Backend.all) func paramsAreImmutable(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "p", experiment: nil, params: ["lr": .number(0.01)])
    try run.logParam("lr", .number(0.01))  // same value: fine
    try run.logParam("epochs", ParamValue(parsing: "5"))
    let error = expectTrackingError(.paramConflict) { try run.logParam("lr", .number(0.1)) }
    #expect(error?.message.contains("'lr'") == true)
    #expect(error?.message.contains("0.01") == true)
    expectTrackingError(.paramConflict) { try run.logParam("epochs", .text("five")) }
    expectTrackingError(.paramConflict) {
      try store.logParam(run: run.id, key: "lr", value: .text("0.1"))
    }
    try run.finish()
    #expect(try store.params(of: run.id).map(\.value) == [.number(5), .number(0.01)])
  }

  @Test(arguments: Backend.all) func paramValuesKeepTheirKind(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let values: [String: ParamValue] = [
      "a.number": .number(-2.5), "b.text": .text("sgd"), "c.digits": .text("007"),
    ]
    let run = try store.startRun(name: "kinds", experiment: nil, params: values)
    try run.finish()
    #expect(try store.params(of: run.id).map(\.key) == ["a.number", "b.text", "c.digits"])
    #expect(
      Dictionary(uniqueKeysWithValues: try store.params(of: run.id).map { ($0.key, $0.value) })
        == values)
  }

  @Test(arguments: Backend.all) func tagsAreSetAndReplaced(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "t", experiment: nil, params: [:])
    try run.setTag("owner", "ada")
    try run.setTag("device", "cpu")
    try run.setTag("owner", "grace")
    try run.finish()
    try run.setTag("reviewed", "yes")  // tags stay editable after the run ended
    #expect(try store.tags(of: run.id) == ["owner": "grace", "device": "cpu", "reviewed": "yes"])
    try store.setTag(run: run.id, key: "device", value: "gpu")
    #expect(try store.tags(of: run.id)["device"] == "gpu")
  }
}
