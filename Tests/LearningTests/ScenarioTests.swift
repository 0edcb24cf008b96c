import Foundation
import Testing

@testable import Learning

@Suite struct ScenarioTests {
  /// Two-feature CSV rows whose class is which side of a line the point lies (per task).
  private func csvRows(count: Int, seed: UInt64, task: String? = nil, flip: Bool = false)
    -> [String]
  {
    var random = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
      let x = random.nextFloat(in: -1, 1)
      let y = random.nextFloat(in: -1, 1)
      let label = (x + y > 0) != flip ? 1 : 0
      return ([String(x), String(y)] + (task.map { [$0] } ?? []) + [String(label)])
        .joined(separator: ",")
    }
  }

  @Test func oneCSVFilePerTask() throws {
    let dir = try temporaryDirectory()
    let a = try write(
      (["x,y,label"] + csvRows(count: 60, seed: 1)).joined(separator: "\n"), to: "first.csv",
      in: dir)
    let b = try write(
      (["x,y,label"] + csvRows(count: 60, seed: 2, flip: true)).joined(separator: "\n"),
      to: "second.csv", in: dir)
    var data = DataSpec(source: .csv)
    data.files = [a, b]
    data.target = "label"
    var spec = ExperimentSpec(data: data)
    spec.scenario.type = .tasks
    spec.model.hidden = [8]
    spec.optimizer.lr = 0.2
    spec.training.epochs = 20
    spec.training.batchSize = 8
    let stream = try Scenario.makeStream(for: spec)
    #expect(stream.tasks.map(\.description.name) == ["first", "second"])
    #expect(stream.tasks.map(\.description.testSize) == [12, 12])
    #expect(stream.inputSize == 2 && stream.outputSize == 2)
    let result = try ContinualExperiment(spec: spec, recorder: InMemoryRecorder()).run()
    // The second task contradicts the first: learning it must cost the first one.
    #expect(result.matrix.rows[0][0]! > 0.8)
    #expect(result.matrix.rows[1][1]! > 0.8)
    #expect(result.matrix.rows[1][0]! < 0.5)
  }

  @Test func taskColumnGroupsRowsInOrderOfAppearance() throws {
    let dir = try temporaryDirectory()
    let rows = csvRows(count: 30, seed: 3, task: "b") + csvRows(count: 30, seed: 4, task: "a")
    let path = try write((["x,y,task,label"] + rows).joined(separator: "\n"), to: "t.csv", in: dir)
    var data = DataSpec(source: .csv)
    data.path = path
    data.target = "label"
    data.taskColumn = "task"
    var spec = ExperimentSpec(data: data)
    spec.scenario.type = .tasks
    let stream = try Scenario.makeStream(for: spec)
    #expect(stream.tasks.map(\.description.name) == ["b", "a"])
    #expect(stream.tasks.map { $0.description.trainSize + $0.description.testSize } == [30, 30])
    data.taskColumn = nil
    spec.data = data
    #expect(throws: LearningError.self) { try Scenario.makeStream(for: spec) }
  }

  @Test func fractionalLabelsNeedRegression() throws {
    let dir = try temporaryDirectory()
    let path = try write("x,t,y\n1,a,0.5\n2,a,1.5\n3,a,2\n4,a,1\n", to: "r.csv", in: dir)
    var data = DataSpec(source: .csv)
    data.path = path
    data.target = "y"
    data.taskColumn = "t"
    var spec = ExperimentSpec(data: data)
    spec.scenario.type = .tasks
    #expect(throws: LearningError.self) { try Scenario.makeStream(for: spec) }
    spec.data.regression = true
    let stream = try Scenario.makeStream(for: spec)
    #expect(stream.isRegression && stream.outputSize == 1 && stream.scoreName == "neg_mse")
  }

  @Test func classOrderAndClassesPerTaskShapeTheSplit() throws {
    var spec = smallSpec()
    spec.data.classes = 6
    spec.scenario.tasks = 3
    spec.scenario.classOrder = [5, 0, 4, 1, 3, 2]
    let stream = try Scenario.makeStream(for: spec)
    #expect(stream.tasks.map(\.description.classes) == [[5, 0], [4, 1], [3, 2]])
    #expect(stream.outputSize == 6)
    spec.scenario.classesPerTask = 3
    #expect(throws: LearningError.self) { try Scenario.makeStream(for: spec) }
  }

  @Test func rotationTurnsAnImage() {
    // A single bright pixel right of centre moves to below centre after 90°.
    var image = [UInt8](repeating: 0, count: 9)
    image[5] = 200  // row 1, column 2
    let turned = DomainShift.rotate(image, rows: 3, columns: 3, by: 90)
    #expect(turned.filter { $0 > 0 }.count == 1)
    #expect(turned[1] == 200 || turned[7] == 200)
    #expect(DomainShift.rotate(image, rows: 3, columns: 3, by: 0) == image)
  }

  @Test func timeWindowsLearnPrequentiallyWithBaselines() throws {
    let dir = try temporaryDirectory()
    let path = try write(
      SyntheticData.priceSeriesCSV(days: 3 * 365, seed: 7), to: "prices.csv", in: dir)
    var data = DataSpec(source: .series)
    data.path = path
    data.window = 5
    var spec = ExperimentSpec(data: data)
    spec.scenario.type = .timeWindows
    spec.model.hidden = [8]
    spec.optimizer.lr = 0.01
    spec.training.batchSize = 4
    let recorder = InMemoryRecorder()
    let result = try ContinualExperiment(spec: spec, recorder: recorder).run()
    #expect(recorder.tasks.map(\.name) == ["2000", "2001", "2002"])
    #expect(result.metric == "neg_mse")
    #expect(recorder.matrixRows.allSatisfy { $0.metric == "neg_mse" })
    #expect(result.matrix.rows.allSatisfy { $0.allSatisfy { $0! <= 0 } })
    for task in 1...3 {
      let scores = try #require(result.prequential[task])
      #expect(scores["last_value_mse"]! > 0)
      #expect(scores["moving_average_mse"]! > 0)
      #expect(scores["model_mse"]!.isFinite)
      #expect(recorder.metrics.contains { $0.key == "prequential_last_value_mse" && $0.task == task })
    }
    // Rows of 100 samples instead of calendar years.
    spec.scenario.period = "100"
    let stream = try Scenario.makeStream(for: spec)
    #expect(stream.tasks.first?.description.name == "rows 1-100")
    #expect(stream.tasks.first.map { $0.description.trainSize + $0.description.testSize } == 100)
  }
}
