import Testing
import Tracking

/// Tasks, matrix rows and the summaries the store keeps for them, against hand-computed
/// numbers (GEM 2017 for ACC/BWT/FWT, Chaudhry et al. 2018 for forgetting; T−1 denominators).
struct MatrixTests {
  @Test(arguments: Backend.all) func matrixRowsStoreSummaries(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "cl", experiment: nil, params: [:])
    try run.recordTasks([
      TaskRecord(index: 1, name: "0-1", trainSize: 100, testSize: 20, classes: [0, 1]),
      TaskRecord(index: 2, name: "2-3", trainSize: 90, testSize: 10, classes: [2, 3]),
    ])
    try run.recordMatrixRow(trainedThrough: 0, scores: [0.5, 0.1], metric: "accuracy")
    try run.recordMatrixRow(trainedThrough: 1, scores: [0.9, 0.3], metric: "accuracy")
    // Incomplete (no row 2 yet): FWT only needs rows 0...T−1; the others need row T.
    #expect(try store.runs()[0].summary.keys.sorted() == ["fwt"])
    try run.recordMatrixRow(trainedThrough: 2, scores: [0.4, 0.8], metric: "accuracy")
    try run.log("loss", value: 0.2, step: 1)
    try run.finish()
    #expect(try store.tasks(of: run.id).map(\.classes) == [[0, 1], [2, 3]])
    #expect(try store.tasks(of: run.id).map(\.trainSize) == [100, 90])
    let summary = try store.runs()[0].summary
    // ACC = (0.4 + 0.8) / 2; BWT = (0.4 − 0.9) / 1; FWT = (0.3 − 0.1) / 1;
    // forgetting = (0.9 − 0.4) / 1.
    #expect(abs(summary["acc"]! - 0.6) < 1e-12)
    #expect(abs(summary["bwt"]! + 0.5) < 1e-12)
    #expect(abs(summary["fwt"]! - 0.2) < 1e-12)
    #expect(abs(summary["forgetting"]! - 0.5) < 1e-12)
    // Every logged metric is listed too (issue 11: epoch metrics of learner runs were left out).
    #expect(summary["loss"] == 0.2)
    #expect(try store.check().isOK)
    #expect(try store.repairSummaries() == 0)
  }

  @Test(arguments: Backend.all) func threeTasksMatchTheHandComputedSummaries(
    _ backend: Backend
  ) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "three", experiment: nil, params: [:])
    //            task1 task2 task3
    // b       :  0.10  0.20  0.30
    // after 1 :  0.90  0.40  0.35
    // after 2 :  0.70  0.80  0.50
    // after 3 :  0.60  0.75  0.85
    let rows = [[0.10, 0.20, 0.30], [0.90, 0.40, 0.35], [0.70, 0.80, 0.50], [0.60, 0.75, 0.85]]
    for (index, scores) in rows.enumerated() {
      try run.recordMatrixRow(trainedThrough: index, scores: scores, metric: "accuracy")
    }
    try run.finish()
    let summary = try store.runs()[0].summary
    // ACC = (0.60 + 0.75 + 0.85) / 3
    #expect(abs(summary["acc"]! - 2.20 / 3) < 1e-12)
    // BWT = ((0.60 − 0.90) + (0.75 − 0.80)) / 2
    #expect(abs(summary["bwt"]! - (-0.175)) < 1e-12)
    // FWT = ((0.40 − 0.20) + (0.50 − 0.30)) / 2
    #expect(abs(summary["fwt"]! - 0.20) < 1e-12)
    // F = ((max(0.90, 0.70) − 0.60) + (max(0.40, 0.80) − 0.75)) / 2
    #expect(abs(summary["forgetting"]! - 0.175) < 1e-12)
    let matrix = try store.matrix(of: run.id)
    #expect(matrix.metric == "accuracy")
    #expect(matrix.taskCount == 3)
    #expect(matrix.value(trainedThrough: 2, task: 3) == 0.50)
    #expect(abs(matrix.backwardTransfer! - summary["bwt"]!) < 1e-15)
  }

  @Test(arguments: Backend.all) func rowsOfAnotherWidthAreRefused(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "width", experiment: nil, params: [:])
    try run.recordMatrixRow(trainedThrough: 0, scores: [0.5, 0.1], metric: "accuracy")
    try run.recordMatrixRow(trainedThrough: 1, scores: [0.9, 0.3], metric: "accuracy")
    try run.recordMatrixRow(trainedThrough: 2, scores: [0.4, 0.8], metric: "accuracy")
    expectTrackingError(.invalidValue) {
      try run.recordMatrixRow(trainedThrough: 3, scores: [0.1], metric: "accuracy")
    }
    expectTrackingError(.invalidValue) {
      try store.recordMatrixRow(
        run: run.id, trainedThrough: 1, scores: [0.9, 0.3, 0.2], metric: "accuracy")
    }
    expectTrackingError(.invalidValue) {
      try store.recordMatrixRow(run: run.id, trainedThrough: -1, scores: [0.1], metric: "accuracy")
    }
    try run.finish()
    let matrix = try store.matrix(of: run.id)
    #expect(matrix.taskCount == 2)
    #expect(matrix.value(trainedThrough: 1, task: 2) == 0.3)
    #expect(matrix.value(trainedThrough: 3, task: 1) == nil)  // the refused row left nothing
    #expect(try store.check().isOK)
  }

  @Test(arguments: Backend.all) func aRunMayRecordSeveralMatrices(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "two", experiment: nil, params: [:])
    #expect(try store.matrixMetrics(of: run.id).isEmpty)
    #expect(try store.matrix(of: run.id).taskCount == 0)
    try run.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
    try run.recordMatrixRow(trainedThrough: 0, scores: [2.0, 3.0], metric: "loss")
    try run.recordMatrixRow(trainedThrough: 1, scores: [0.8], metric: "accuracy")
    try run.recordMatrixRow(trainedThrough: 0, scores: [0.2], metric: "accuracy")  // replaced
    try run.finish()
    #expect(try store.matrixMetrics(of: run.id) == ["accuracy", "loss"])
    #expect(try store.matrix(of: run.id).metric == "accuracy")
    #expect(try store.matrix(of: run.id).value(trainedThrough: 0, task: 1) == 0.2)
    let loss = try store.matrix(of: run.id, metric: "loss")
    #expect(loss.metric == "loss")
    #expect(loss.taskCount == 2)
    #expect(loss.value(trainedThrough: 0, task: 2) == 3.0)
    #expect(try store.check().isOK)
    #expect(try store.repairSummaries() == 0)
  }

  @Test(arguments: Backend.all) func tasksAreReplacedByIndex(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "tasks", experiment: nil, params: [:])
    #expect(try store.tasks(of: run.id).isEmpty)
    try run.recordTasks([
      TaskRecord(index: 2, name: "b", trainSize: 5, testSize: 1, classes: [2]),
      TaskRecord(index: 1, name: "a", trainSize: 4, testSize: 1, classes: [0, 1]),
    ])
    try run.recordTasks([TaskRecord(index: 2, name: "b2", trainSize: 6, testSize: 2, classes: [3])])
    try run.finish()
    let tasks = try store.tasks(of: run.id)
    #expect(tasks.map(\.index) == [1, 2])
    #expect(tasks.map(\.name) == ["a", "b2"])
    #expect(tasks[1] == TaskRecord(index: 2, name: "b2", trainSize: 6, testSize: 2, classes: [3]))
  }
}
