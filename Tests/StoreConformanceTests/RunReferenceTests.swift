import Testing
import Tracking

/// `resolveRun`: ids, names, UUID prefixes, `latest`, `latest~N`, ambiguous and unknown names.
struct RunReferenceTests {
  @Test(arguments: Backend.all) func resolvesReferences(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    try SweepFixture.record(in: store)
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
    #expect(try store.resolveRun(gamma.uuid).name == "gamma")
    #expect(try store.resolveRun(gamma.uuid.uppercased()).name == "gamma")
    #expect(try store.run(gamma.id).uuid == gamma.uuid)
    expectTrackingError(.runNotFound) { try store.resolveRun("nobody") }
    expectTrackingError(.runNotFound) { try store.resolveRun("999") }
    expectTrackingError(.runNotFound) { try store.run(999) }
  }

  /// A name several runs share means the newest (a CI gate naming a spec's run keeps working
  /// on its second run), `NAME~N` the one N before it (issue 11; it was `.ambiguousRun`).
  @Test(arguments: Backend.all) func aSharedNameMeansTheNewest(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    try SweepFixture.record(in: store)
    let first = try store.resolveRun("beta")
    let twin = try store.startRun(name: "beta", experiment: nil, params: [:])
    try twin.finish()
    #expect(try store.resolveRun("beta").id == twin.id)
    #expect(try store.resolveRun("beta~1").id == first.id)
    expectTrackingError(.runNotFound) { try store.resolveRun("beta~2") }
    #expect(try store.resolveRun(String(twin.id)).id == twin.id)  // an id still finds it
    #expect(try store.resolveRun(twin.uuid).id == twin.id)
  }
}
