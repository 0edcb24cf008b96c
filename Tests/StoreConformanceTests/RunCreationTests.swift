import Foundation
import Testing
import Tracking

/// Creating and starting runs: names, experiments, params, what is recorded, validation.
struct RunCreationTests {
  @Test(arguments: Backend.all) func createsARunAndReadsItBack(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    #expect(!store.isReadOnly)
    #expect(!store.location.isEmpty)
    let run = try store.startRun(
      name: "baseline", experiment: "mnist",
      params: ["optimizer.lr": .number(0.01), "model": .text("mlp")], command: "track run x")
    #expect(try store.run(run.id).status == .running)
    try run.log("loss", value: 2.5, step: 0, epoch: 0)
    try run.log("loss", value: 1.5, step: 1, epoch: 0, task: 1)
    try run.setTag("owner", "ada")
    try run.finish()

    let stored = try store.run(run.id)
    #expect(stored.id == run.id)
    #expect(stored.name == "baseline")
    #expect(stored.experiment == "mnist")
    #expect(stored.status == .finished)
    #expect(stored.command == "track run x")
    #expect(stored.pid == Int(ProcessInfo.processInfo.processIdentifier))
    #expect(stored.host == ProcessInfo.processInfo.hostName)
    #expect(stored.endedAt != nil)
    #expect(stored.uuid == run.uuid)
    #expect(stored.continuedFrom == nil)
    #expect(
      try store.params(of: run.id) == [
        Param(key: "model", value: .text("mlp")), Param(key: "optimizer.lr", value: .number(0.01)),
      ])
    #expect(try store.tags(of: run.id) == ["owner": "ada"])
    let series = try store.metricSeries(of: run.id, key: "loss")
    #expect(series.map(\.value) == [2.5, 1.5])
    #expect(series.map(\.epoch) == [0, 0])
    #expect(series.map(\.task) == [nil, 1])
    #expect(try store.latestMetrics(of: run.id) == ["loss": 1.5])
    #expect(try store.metricKeys(of: run.id) == ["loss"])
  }

  @Test(arguments: Backend.all) func recordsWhatTheRequestSays(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let commit = String(repeating: "ab", count: 20)
    let run = try store.createRun(
      RunRequest(
        name: "given", experiment: "e", params: ["seed": .number(7)], command: "track run y",
        gitCommit: commit, host: "node-7", pid: 4242))
    #expect(run.status == .running)
    #expect(run.uuid.count == 36)
    let stored = try store.run(run.id)
    #expect(stored.gitCommit == commit)
    #expect(stored.host == "node-7")
    #expect(stored.pid == 4242)
    #expect(stored.command == "track run y")
    #expect(stored.heartbeatAt != nil)
    #expect(try store.params(of: run.id) == [Param(key: "seed", value: .number(7))])
    let outside = try store.createRun(RunRequest(name: "nogit", gitCommit: .some(nil)))
    #expect(try store.run(outside.id).gitCommit == nil)
    try store.endRun(run.id, status: .finished, lastPoints: [])
    try store.endRun(outside.id, status: .finished, lastPoints: [])
  }

  @Test(arguments: Backend.all) func unnamedRunsGetTheirIdAsName(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: nil, experiment: nil, params: [:])
    #expect(try store.run(run.id).name == "run-\(run.id)")
    #expect(try store.run(run.id).experiment == nil)
    try run.finish()
  }

  @Test(arguments: Backend.all) func runsOfAnExperimentShareIt(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    for (name, experiment) in [("a", "sweep"), ("b", "sweep"), ("c", "other"), ("d", nil)] {
      try store.startRun(name: name, experiment: experiment, params: [:]).finish()
    }
    let bySweep = try store.runs(
      where: RunFilter.parse("experiment = sweep"), sort: [RunSort(key: "name")])
    #expect(bySweep.map(\.name) == ["a", "b"])
    #expect(bySweep.allSatisfy { $0.experiment == "sweep" })
    #expect(try store.resolveRun("d").experiment == nil)
  }

  @Test(arguments: Backend.all) func invalidNamesAreRejected(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    for name in [
      "", " padded", "12", "latest", "latest~1", "tab\there",
      String(repeating: "x", count: 300),
    ] {
      expectTrackingError(.invalidName) {
        try store.startRun(name: name, experiment: nil, params: [:])
      }
    }
    expectTrackingError(.invalidName) {
      try store.startRun(name: "ok", experiment: "", params: [:])
    }
    expectTrackingError(.invalidName) {
      try store.startRun(name: "ok", experiment: nil, params: ["": .number(1)])
    }
    #expect(try store.runs().isEmpty)  // nothing half-written
    let run = try store.startRun(name: "ok", experiment: nil, params: [:])
    expectTrackingError(.invalidName) { try run.log("", value: 1, step: 0) }
    expectTrackingError(.invalidName) { try run.setTag(" ", "x") }
    expectTrackingError(.invalidName) { try run.logParam("bad\nkey", .number(1)) }
    try run.finish()
    #expect(try store.metricKeys(of: run.id).isEmpty)
    #expect(try store.tags(of: run.id).isEmpty)
    #expect(try store.params(of: run.id).isEmpty)
  }

  @Test(arguments: Backend.all) func namesAreNotUnique(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let first = try store.startRun(name: "same", experiment: nil, params: [:])
    let second = try store.startRun(name: "same", experiment: nil, params: [:])
    try first.finish()
    try second.finish()
    #expect(first.id != second.id)
    #expect(first.uuid != second.uuid)
    #expect(try store.runs().map(\.name) == ["same", "same"])
  }
}
