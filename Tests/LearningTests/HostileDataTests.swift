import Foundation
import Testing

@testable import Learning

/// Data a user can get wrong: labels outside the classes, sizes that cannot fit, and
/// stopping while the data is read, the tasks built or the model evaluated.
@Suite struct HostileDataTests {
  private func idxBytes(dimensions: [Int], values: [UInt8]) -> Data {
    var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
    for d in dimensions {
      bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)]
    }
    return Data(bytes + values)
  }

  /// An MNIST-layout directory of 2×2 images with the given training labels.
  private func idxDirectory(trainLabels: [UInt8]) throws -> URL {
    let dir = try temporaryDirectory()
    let n = trainLabels.count
    try idxBytes(dimensions: [n, 2, 2], values: (0..<4 * n).map { UInt8($0 % 256) })
      .write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
    try idxBytes(dimensions: [n], values: trainLabels)
      .write(to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
    try idxBytes(dimensions: [2, 2, 2], values: Array(repeating: 9, count: 8))
      .write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
    try idxBytes(dimensions: [2], values: [0, 1])
      .write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
    return dir
  }

  @Test func idxLabelOutsideTheClassesNamesFileAndRecord() throws {
    let dir = try idxDirectory(trainLabels: [1, 3, 200, 4, 250])
    let labels = dir.appendingPathComponent("train-labels-idx1-ubyte").path
    do {
      _ = try IDXReader.load(
        images: dir.appendingPathComponent("train-images-idx3-ubyte").path, labels: labels,
        classes: 10)
      Issue.record("label 200 of 10 classes accepted")
    } catch LearningError.invalidData(let file, _, _, let message) {
      #expect(file == labels)
      #expect(message.contains("record 2 "))
      #expect(message.contains("label 200"))
      #expect(message.contains("1 more"))
    }
    // The same through a spec: source idx reads data.classes (default 10).
    var data = DataSpec(source: .idx)
    data.path = dir.path
    #expect(throws: LearningError.self) {
      try Scenario.makeStream(for: ExperimentSpec(data: data))
    }
    data.classes = 251
    #expect(try Scenario.makeStream(for: ExperimentSpec(data: data)).outputSize == 251)
  }

  @Test func csvLabelsMustBeWholeNumbersAmongTheClasses() throws {
    let dir = try temporaryDirectory()
    for (cell, name) in [("1.5", "half"), ("12", "big"), ("-1", "negative")] {
      let path = try write("a,y\n1,0\n2,\(cell)\n3,1\n", to: "\(name).csv", in: dir)
      do {
        _ = try CSVLoader.load(path: path, target: "y", classes: 10)
        Issue.record("label \(cell) accepted")
      } catch LearningError.invalidData(let file, let line, let column, let message) {
        #expect(file == path)
        #expect(line == 3)
        #expect(column == "y")
        #expect(message.contains("'\(cell)'"))
      }
      // Without classes the target is a number (regression), and any number is fine.
      #expect(try CSVLoader.load(path: path, target: "y").dataset.count == 3)
    }
    // A spec's csv tasks check labels against data.classes.
    let path = try write("a,t,y\n1,a,0\n2,a,1\n3,a,1\n4,a,12\n", to: "tasks.csv", in: dir)
    var data = DataSpec(source: .csv)
    data.path = path
    data.target = "y"
    data.taskColumn = "t"
    var spec = ExperimentSpec(data: data)
    spec.scenario.type = .tasks
    #expect(throws: LearningError.invalidData(
      file: path, line: 5, column: "y",
      message: "'12' is not a class label: labels are whole numbers 0–9 for 10 classes; set"
        + " data.classes for more, or data.regression: true for real-valued targets")) {
      try Scenario.makeStream(for: spec)
    }
    spec.data.classes = 13
    #expect(try Scenario.makeStream(for: spec).outputSize == 13)
  }

  @Test func anAbsurdSyntheticSizeIsASpecErrorWithTheBytesItNeeds() throws {
    var spec = smallSpec()
    spec.data.samplesPerClass = 10_000_000_000
    let started = Date()
    do {
      _ = try ContinualExperiment(spec: spec, recorder: InMemoryRecorder()).run()
      Issue.record("10^10 samples per class accepted")
    } catch LearningError.invalidSpec(let key, let message) {
      #expect(key == "data.samples_per_class")
      #expect(message.contains("10000000000 samples"))  // the spec budget or the generator refuses it
      #expect(message.contains("TB"))
    }
    #expect(Date().timeIntervalSince(started) < 5)
    // The arithmetic: 4 classes × (100 + 25) samples × (16 + 4) bytes, twice = 20,000 bytes.
    #expect(throws: LearningError.self) {
      try SyntheticData.checkSize(classes: 4, features: 16, samplesPerClass: 100, memory: 20_000)
    }
    try SyntheticData.checkSize(classes: 4, features: 16, samplesPerClass: 100, memory: 20_001)
  }

  @Test func readingAnIDXFileStopsWhenAsked() throws {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("big").path
    // 4 MiB of values: the reader asks once per MiB.
    try idxBytes(dimensions: [4, 1024, 1024], values: Array(repeating: 0, count: 4 << 20))
      .write(to: URL(fileURLWithPath: path))
    var calls = 0
    #expect(throws: LearningError.cancelled) {
      try IDXReader.read(path) {
        calls += 1
        return calls >= 2
      }
    }
    #expect(calls == 2)
    #expect(try IDXReader.read(path).dimensions == [4, 1024, 1024])
  }

  @Test func generatingAndParsingStopWhenAsked() throws {
    var calls = 0
    #expect(throws: LearningError.cancelled) {
      try SyntheticData.make(classes: 2, features: 4, samplesPerClass: 100_000, seed: 1) {
        calls += 1
        return calls >= 3
      }
    }
    #expect(calls == 3)
    let text = "a,y\n" + String(repeating: "1,0\n", count: 10_000)
    calls = 0
    #expect(throws: LearningError.cancelled) {
      try CSVTable(text: text, file: "t.csv") {
        calls += 1
        return true
      }
    }
    #expect(calls == 1)
    let table = try CSVTable(text: text, file: "t.csv")
    #expect(throws: LearningError.cancelled) {
      try CSVLoader.load(table: table, target: "y", classes: 2) { true }
    }
  }

  @Test func buildingTheTasksStopsWhenAsked() throws {
    for type in [ScenarioSpec.Kind.classIncremental, .permuted, .rotated] {
      var spec = smallSpec()
      spec.scenario.type = type
      let (train, test) = try Scenario.loadImages(spec.data, seed: 0) { false }
      var calls = 0
      #expect(throws: LearningError.cancelled) {
        try Scenario.makeImageStream(train: train, test: test, spec: spec) {
          calls += 1
          return true
        }
      }
      #expect(calls == 1, "\(type)")
    }
  }

  @Test func evaluationStopsWhenAsked() throws {
    var evaluating = false
    var asked = 0
    let recorder = InMemoryRecorder()
    let experiment = try ContinualExperiment(
      spec: smallSpec(), recorder: recorder,
      progress: { if $0.phase == .evaluating { evaluating = true } },
      shouldStop: {
        if evaluating { asked += 1 }
        return evaluating
      })
    #expect(throws: LearningError.cancelled) { try experiment.run() }
    // Stopped in the baseline's first evaluation chunk: no row was recorded.
    #expect(asked == 1)
    #expect(recorder.matrixRows.isEmpty)
  }

  @Test func permutedTasksShareOneCopyOfTheImages() throws {
    var spec = smallSpec()
    spec.scenario.type = .permuted
    spec.scenario.tasks = 3
    let (train, test) = try Scenario.loadImages(spec.data, seed: UInt64(spec.seed)) { false }
    let stream = try Scenario.makeStream(for: spec)
    let first = stream.tasks[0]
    for (t, task) in stream.tasks.enumerated() {
      // (Bools, so a failure does not print the datasets.)
      let sharesTrain = task.train.sharesStorage(with: first.train)
      let sharesTest = task.test.sharesStorage(with: first.test)
      #expect(sharesTrain && sharesTest)
      #expect(task.train.count == train.count && task.test.count == test.count)
      // Each task reads its images through its own seeded permutation, as a copy would.
      var random = SeededGenerator(seed: UInt64(spec.seed) &* 1_000_003 &+ UInt64(t + 1))
      var permutation = Array(0..<train.featureCount)
      random.shuffle(&permutation)
      for index in [0, 7, train.count - 1] {
        let plain = train.featureVector(index)
        #expect(task.train.featureVector(index) == permutation.map { plain[$0] })
      }
    }
    #expect(stream.tasks[0].train.featureVector(0) != stream.tasks[1].train.featureVector(0))
  }

  @Test func viewsReorderWhenCopiedOrJoined() throws {
    let data = try Dataset(
      features: .bytes([1, 2, 3, 4, 5, 6]), featureCount: 3, targets: [0, 1])
    #expect(throws: LearningError.self) { try data.permutingFeatures([0, 0, 1]) }
    let view = try data.permutingFeatures([2, 0, 1])
    let twice = try view.permutingFeatures([2, 0, 1])
    guard case .bytes(let bytes) = view.features, case .bytes(let back) = twice.features else {
      Issue.record("bytes became floats")
      return
    }
    #expect(bytes == [3, 1, 2, 6, 4, 5])
    #expect(back == [2, 3, 1, 5, 6, 4])
    #expect(view.subset([1]).featureVector(0) == [6, 4, 5].map { Float($0) * (1 / 255 as Float) })
    let joined = try #require(Dataset.concatenate([view, data]))
    guard case .bytes(let all) = joined.features else { return }
    #expect(all == [3, 1, 2, 6, 4, 5, 1, 2, 3, 4, 5, 6])
    let rotated = view.mappingImages { $0.reversed() }
    #expect(rotated.featureVector(0) == [2, 1, 3].map { Float($0) * (1 / 255 as Float) })
  }
}
