import Foundation
import Testing
import Tracking

/// Experiments (with the default one, id 0), run life cycle (rename, reopen, trash) and
/// artifacts: what the MLflow tracking API needs of every backend.
struct ExperimentTests {
  @Test(arguments: Backend.all) func experimentsAreCreatedRenamedTaggedAndTrashed(
    _ backend: Backend
  ) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    #expect(try store.experiments(includeDeleted: true).map(\.name) == ["Default"])
    #expect(try store.experiment(id: 0).name == "Default")
    #expect(try store.experiment(named: "Default")?.id == 0)

    let vision = try store.createExperiment(name: "vision", tags: ["team": "cv"])
    #expect(vision.id > 0)
    #expect(vision.tags == ["team": "cv"])
    #expect(!vision.isDeleted)
    expectTrackingError(.experimentExists) {
      try store.createExperiment(name: "vision", tags: [:])
    }
    expectTrackingError(.experimentExists) {
      try store.createExperiment(name: "Default", tags: [:])
    }
    expectTrackingError(.invalidName) { try store.createExperiment(name: " ", tags: [:]) }

    try store.setExperimentTag(experiment: vision.id, key: "team", value: "vision")
    try store.setExperimentTag(experiment: vision.id, key: "note", value: "baseline")
    try store.updateExperiment(id: vision.id, name: "images", deleted: nil)
    let renamed = try store.experiment(id: vision.id)
    #expect(renamed.name == "images")
    #expect(renamed.tags == ["team": "vision", "note": "baseline"])
    #expect(try store.experiment(named: "vision") == nil)
    #expect(try store.experiment(named: "images")?.id == vision.id)

    try store.updateExperiment(id: vision.id, name: nil, deleted: true)
    #expect(try store.experiments(includeDeleted: false).map(\.name) == ["Default"])
    #expect(try store.experiments(includeDeleted: true).map(\.name) == ["Default", "images"])
    #expect(try store.experiment(id: vision.id).isDeleted)
    // A deleted experiment's name stays taken until it is restored.
    expectTrackingError(.experimentExists) { try store.createExperiment(name: "images", tags: [:]) }
    try store.updateExperiment(id: vision.id, name: nil, deleted: false)
    #expect(try !store.experiment(id: vision.id).isDeleted)

    expectTrackingError(.experimentNotFound) { try store.experiment(id: 999) }
    expectTrackingError(.invalidValue) { try store.updateExperiment(id: 0, name: "x", deleted: nil) }
    expectTrackingError(.invalidValue) {
      try store.setExperimentTag(experiment: 0, key: "k", value: "v")
    }
    expectTrackingError(.experimentNotFound) {
      try store.setExperimentTag(experiment: 999, key: "k", value: "v")
    }
  }

  @Test(arguments: Backend.all) func runsJoinAnExperimentByIdOrName(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let audio = try store.createExperiment(name: "audio", tags: [:])
    var request = RunRequest(name: "byid", params: [:])
    request.experimentID = audio.id
    request.tags = ["mlflow.source.name": "train.py"]
    let byID = try store.createRun(request)
    #expect(byID.experiment == "audio")
    #expect(byID.experimentID == audio.id)
    #expect(try store.tags(of: byID.id) == ["mlflow.source.name": "train.py"])
    let byName = try store.createRun(RunRequest(name: "byname", experiment: "audio"))
    #expect(byName.experimentID == audio.id)
    let loose = try store.createRun(RunRequest(name: "loose"))
    #expect(loose.experimentID == 0)
    #expect(loose.experiment == nil)
    var missing = RunRequest(name: "missing")
    missing.experimentID = 12345
    expectTrackingError(.experimentNotFound) { try store.createRun(missing) }

    let inAudio = try store.runs(where: RunFilter.parse("experiment_id = \(audio.id)"))
    #expect(Set(inAudio.map(\.name)) == ["byid", "byname"])
    #expect(try store.runs(where: RunFilter.parse("experiment_id = 0")).map(\.name) == ["loose"])
  }

  @Test(arguments: Backend.all) func aRunKeepsAGivenUUIDAndStartTime(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    var request = RunRequest(name: "copied")
    request.uuid = "0123456789ABCDEF0123456789abcdef"
    request.createdAt = Date(timeIntervalSince1970: 1_700_000_000)
    let run = try store.createRun(request)
    #expect(run.uuid == "01234567-89ab-cdef-0123-456789abcdef")
    #expect(run.createdAt == Date(timeIntervalSince1970: 1_700_000_000))
    #expect(try store.run(uuid: "0123456789abcdef0123456789abcdef")?.id == run.id)
    #expect(try store.run(uuid: run.uuid)?.id == run.id)
    #expect(try store.run(uuid: "ffffffffffffffffffffffffffffffff") == nil)
    #expect(try store.run(uuid: "not a uuid") == nil)
    request.uuid = "zz"
    expectTrackingError(.invalidValue) { try store.createRun(request) }
  }

  @Test(arguments: Backend.all) func runsAreRenamedReopenedAndTrashed(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let kept = try store.createRun(RunRequest(name: "kept"))
    let run = try store.createRun(RunRequest(name: "first"))
    try store.setTag(run: run.id, key: "a", value: "1")
    try store.setTag(run: run.id, key: "b", value: "2")
    try store.deleteTag(run: run.id, key: "a")
    try store.deleteTag(run: run.id, key: "never-set")
    #expect(try store.tags(of: run.id) == ["b": "2"])

    let end = Date(timeIntervalSince1970: (Date().timeIntervalSince1970).rounded())
    try store.updateRun(run.id, RunUpdate(name: "second", status: .finished, endedAt: end))
    var read = try store.run(run.id)
    #expect(read.name == "second")
    #expect(read.status == .finished)
    #expect(read.endedAt == end)
    try store.updateRun(run.id, RunUpdate(status: .running))
    read = try store.run(run.id)
    #expect(read.status == .running)
    #expect(read.endedAt == nil)
    expectTrackingError(.invalidName) { try store.updateRun(run.id, RunUpdate(name: "12")) }
    expectTrackingError(.runNotFound) { try store.updateRun(9999, RunUpdate(status: .failed)) }

    try store.updateRun(run.id, RunUpdate(deleted: true))
    #expect(try store.run(run.id).deletedAt != nil)
    #expect(try store.runs().map(\.name) == ["kept"])
    #expect(try store.countRuns(where: nil) == 1)
    #expect(try store.runs(where: RunFilter.parse("lifecycle = deleted")).map(\.name) == ["second"])
    #expect(try store.runs(where: RunFilter.parse("lifecycle = active")).map(\.id) == [kept.id])
    #expect(
      try store.countRuns(where: RunFilter.parse("lifecycle = active or lifecycle = deleted")) == 2)
    try store.updateRun(run.id, RunUpdate(deleted: false))
    #expect(try store.run(run.id).deletedAt == nil)
    #expect(try store.countRuns(where: nil) == 2)
  }

  @Test(arguments: Backend.all) func artifactsAreStoredOnceAndVerified(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.createRun(RunRequest(name: "files"))
    let model = Data((0..<5000).map { UInt8($0 % 251) })
    let saved = try store.saveArtifact(run: run.id, path: "model/model.pkl", data: model)
    #expect(saved.size == 5000)
    _ = try store.saveArtifact(run: run.id, path: "model/MLmodel", data: Data("flavors: {}".utf8))
    _ = try store.saveArtifact(run: run.id, path: "notes.txt", data: Data("hello".utf8))
    #expect(try store.artifacts(of: run.id, prefix: nil).map(\.path)
      == ["model/MLmodel", "model/model.pkl", "notes.txt"])
    #expect(try store.artifacts(of: run.id, prefix: "model/").map(\.path)
      == ["model/MLmodel", "model/model.pkl"])
    let record = try store.artifact(of: run.id, path: "model/model.pkl")
    #expect(try store.loadBlob(record.sha256) == model)
    expectTrackingError(.artifactNotFound) { try store.artifact(of: run.id, path: "missing") }

    // Replacing a file frees the old content; the same content in two runs is stored once.
    _ = try store.saveArtifact(run: run.id, path: "notes.txt", data: Data("bye".utf8))
    #expect(try store.loadBlob(store.artifact(of: run.id, path: "notes.txt").sha256)
      == Data("bye".utf8))
    let other = try store.createRun(RunRequest(name: "same"))
    let copy = try store.saveArtifact(run: other.id, path: "m.pkl", data: model)
    #expect(copy.sha256 == saved.sha256)
    try store.deleteRun(run.id)
    #expect(try store.loadBlob(copy.sha256) == model)
    #expect(try store.check().problems.isEmpty)

    for bad in ["", "/etc/passwd", "a/../b", "..", "a//b", "a/", "a\0b", "a\\b", "./a"] {
      expectTrackingError(.invalidName) {
        try store.saveArtifact(run: other.id, path: bad, data: Data())
      }
    }
  }
}

/// MLflow 3's logged models: a model record per run, replaced in place as its status moves.
struct LoggedModelTests {
  @Test(arguments: Backend.all) func loggedModelsAreSavedUpdatedAndDeleted(_ backend: Backend)
    throws
  {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let experiment = try store.createExperiment(name: "models", tags: [:])
    var request = RunRequest(name: "fit")
    request.experimentID = experiment.id
    let run = try store.createRun(request)
    let created = Date(timeIntervalSince1970: 1_700_000_000)
    var model = LoggedModelRecord(
      id: "m-0123456789abcdef0123456789abcdef", run: run.id, experimentID: experiment.id,
      name: "model", modelType: nil, status: "LOGGED_MODEL_PENDING", createdAt: created,
      updatedAt: created, params: ["C": "1.0"], tags: ["flavor": "sklearn"])
    try store.saveLoggedModel(model)
    #expect(try store.loggedModel(id: model.id) == model)
    model.status = "LOGGED_MODEL_READY"
    model.updatedAt = created.addingTimeInterval(5)
    model.tags["stage"] = "ready"
    try store.saveLoggedModel(model)
    #expect(try store.loggedModel(id: model.id) == model)
    #expect(try store.loggedModels(experiments: [experiment.id]).map(\.id) == [model.id])
    #expect(try store.loggedModels(experiments: [0]).isEmpty)
    #expect(try store.loggedModels(experiments: []).count == 1)
    #expect(try store.loggedModel(id: "m-missing") == nil)

    var orphan = model
    orphan.id = "m-ffffffffffffffffffffffffffffffff"
    orphan.run = 9999
    expectTrackingError(.runNotFound) { try store.saveLoggedModel(orphan) }

    try store.deleteLoggedModel(id: model.id)
    #expect(try store.loggedModel(id: model.id) == nil)
    try store.saveLoggedModel(model)
    try store.deleteRun(run.id)
    #expect(try store.loggedModel(id: model.id) == nil)
  }
}
