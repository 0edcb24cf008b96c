import Experiments
import Foundation
import Learning
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// `track export --weights`: the safetensors file PyTorch loads (docs/checkpoints.md).
@Suite struct SafetensorsExportTests {
  /// python3 on PATH that imports torch, safetensors and numpy (.ci/run installs them).
  static let python: URL? = {
    guard let python = CommandRunner.executable(named: "python3"),
      let probe = try? CommandRunner.run(python, ["-c", "import torch, safetensors, numpy"]),
      probe.status == 0
    else { return nil }
    return python
  }()

  /// The docs' loading snippet, run as written.
  static func documentedSnippet() throws -> String {
    let text = try String(
      contentsOf: TrackBinary.repository.appendingPathComponent("docs/checkpoints.md"),
      encoding: .utf8)
    var blocks: [String] = []
    var current: [String]?
    for line in text.components(separatedBy: "\n") {
      if current == nil, line == "```python" {
        current = []
      } else if let lines = current, line == "```" {
        blocks.append(lines.joined(separator: "\n"))
        current = nil
      } else {
        current?.append(line)
      }
    }
    guard blocks.count == 1, let block = blocks.first else {
      throw CocoaError(.fileReadCorruptFile, userInfo: [
        NSLocalizedDescriptionKey: "docs/checkpoints.md should hold one python block",
      ])
    }
    return block
  }

  /// Appended to the docs' snippet (which defines `model` and `meta`): the names and shapes,
  /// and per task the correct predictions on the inputs and labels the test wrote.
  static let check = """

    import numpy as np
    n, width = int(meta["test_rows"]), int(meta["test_width"])
    x = torch.from_numpy(np.fromfile("inputs.f32", dtype="<f4").reshape(n, width))
    y = torch.from_numpy(np.fromfile("labels.i64", dtype="<i8"))
    task = torch.from_numpy(np.fromfile("tasks.i64", dtype="<i8"))
    with torch.no_grad():
        right = model(x).argmax(dim=1) == y
    print(json.dumps({
        "shapes": {name: list(t.shape) for name, t in load_file("model.safetensors").items()},
        "correct": [int(right[task == t].sum()) for t in range(1, int(task.max()) + 1)],
        "count": [int((task == t).sum()) for t in range(1, int(task.max()) + 1)]}))
    """

  @Test(.enabled(if: python != nil, "python3 cannot import torch, safetensors and numpy"))
  func pytorchReproducesTheRecordedScoresOfTheLastRow() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let spec = "Examples/synthetic-smoke.yaml"
    let ran = try track("run", spec, "--plain")
    #expect(ran.status == 0, "\(ran.stderr)")
    let file = track.directory.path("model.safetensors")
    let exported = try track("export", "latest", "--weights", file)
    try #require(exported.status == 0, "\(exported.stderr)")
    #expect(exported.stdout.isEmpty)

    // The recorded scores: row T of R, every task after training through the last. The
    // last task alone is a weak check (class-incremental training leaves it near 1.0); the
    // earlier tasks' partial scores are not.
    let store = try SQLiteStore(path: track.database)
    let run = try store.resolveRun("latest")
    let matrix = try store.matrix(of: run.id)
    let last = matrix.taskCount
    let recorded = try (1...last).map { try #require(matrix.value(trainedThrough: last, task: $0)) }

    // Every task's test split, built by the learner's own code from the same spec (the data
    // is not re-implemented in Python): inputs as the model reads them, labels, task index.
    let learnerSpec = try SpecLoader.load(
      path: TrackBinary.repository.appendingPathComponent(spec).path)
    let stream = try Scenario.makeStream(for: learnerSpec)
    #expect(stream.tasks.count == last)
    var inputs: [Float] = []
    var labels: [Int64] = []
    var taskIndices: [Int64] = []
    for (index, task) in stream.tasks.enumerated() {
      #expect(task.allowedOutputs == nil, "class-incremental: every output competes")
      let test = task.test
      var rows = [Float](repeating: 0, count: test.count * test.featureCount)
      try rows.withUnsafeMutableBufferPointer {
        try test.gather(0..<test.count, into: $0.baseAddress!)
      }
      inputs += rows
      labels += test.targets.map { Int64($0) }
      taskIndices += Array(repeating: Int64(index + 1), count: test.count)
    }
    func write<T>(_ values: [T], _ name: String) throws {
      try values.withUnsafeBytes {
        try Data($0).write(to: URL(fileURLWithPath: track.directory.path(name)))
      }
    }
    try write(inputs, "inputs.f32")  // little-endian hosts only (Linux x86-64, arm64)
    try write(labels, "labels.i64")
    try write(taskIndices, "tasks.i64")

    let python = try #require(SafetensorsExportTests.python)
    let program = try SafetensorsExportTests.documentedSnippet()
      + "\nmeta['test_rows'], meta['test_width'] = '\(labels.count)', '\(stream.inputSize)'\n"
      + SafetensorsExportTests.check
    let result = try CommandRunner.run(
      python, ["-"], directory: track.directory.url, input: program)
    try #require(result.status == 0, "python failed: \(result.stderr)")
    let json = try #require(result.stdout.split(separator: "\n").last)
    let answer = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    let shapes = answer?["shapes"] as? [String: [Int]]
    #expect(shapes == [
      "0.weight": [16, 16], "0.bias": [16], "2.weight": [6, 16], "2.bias": [6],
    ])
    let correct = try #require(answer?["correct"] as? [Int])
    let count = try #require(answer?["count"] as? [Int])
    try #require(correct.count == last && count.count == last)
    let scores = (0..<last).map { Double(correct[$0]) / Double(count[$0]) }
    #expect(scores == recorded, "PyTorch: \(correct) of \(count), track recorded \(recorded)")
    #expect(recorded.contains { $0 > 0 && $0 < 1 }, "a partial score makes the check sharp")
  }

  @Test func aRunWithoutWeightsIsAUsageError() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let store = try SQLiteStore(path: track.database)
    let logger = try store.startRun(name: "empty", experiment: nil, params: [:])
    try logger.finish(.finished)
    let result = try track("export", "empty", "--weights", track.directory.path("w.safetensors"))
    #expect(result.status == 2)
    #expect(result.stderr.contains("run #1 empty (finished) has no weights checkpoint"),
            "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: track.directory.path("w.safetensors")))
  }

  @Test func theHeaderListsTensorsInOrderThenTheMetadata() {
    var writer = SafetensorsWriter(metadata: ["run_id": "7", "format": "pt"])
    writer.append("0.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    writer.append("0.bias", shape: [2], values: [-1, 0.5])
    #expect(writer.header() == """
      {"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},\
      "0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},\
      "__metadata__":{"format":"pt","run_id":"7"}}
      """)
    let data = writer.data()
    let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.1) << (8 * $1.0) }
    #expect(length % 8 == 0 && length >= UInt64(writer.header().utf8.count))
    #expect(data.count == 8 + Int(length) + 32)
    // -1.0f is 0xBF800000: little-endian bytes 00 00 80 BF at the first bias value.
    let bias = 8 + Int(length) + 24
    #expect(Array(data[bias..<bias + 4]) == [0x00, 0x00, 0x80, 0xBF])
  }

  @Test func moduleIndicesSkipIdentityActivations() {
    let architecture = Architecture(
      sizes: [4, 8, 8, 3], activations: [.relu, .identity, .identity])
    #expect(WeightsExport.moduleIndices(of: architecture) == [0, 2, 3])
  }
}
