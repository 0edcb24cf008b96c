import Foundation
import Learning

// Runs one continual-learning stream from a JSON spec (the same keys as a `track` spec) and
// prints its matrix and summaries as one JSON line. Independent of the tracker: the recorder
// only counts, so the figures measure the learner alone.
//
// Usage: ContinualBenchmark SPEC.json   (or '-' for standard input)

final class CountingRecorder: ExperimentRecorder {
  var knowledge = Set<Int64>()
  var next: Int64 = 1
  func recordTasks(_ tasks: [TaskDescription]) throws {}
  func logMetric(_ key: String, value: Double, step: Int, epoch: Int?, task: Int?) throws {}
  func recordMatrixRow(trainedThrough: Int, scores: [Double], metric: String) throws {}
  func saveCheckpoint(task: Int, epoch: Int?, kind: String, data: Data) throws {}
  func addKnowledge(_ samples: [KnowledgeSample]) throws -> [Int64] {
    samples.map { _ in
      defer { next += 1 }
      knowledge.insert(next)
      return next
    }
  }
  func removeKnowledge(ids: [Int64]) throws { for id in ids { knowledge.remove(id) } }
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
  FileHandle.standardError.write(Data("usage: ContinualBenchmark SPEC.json\n".utf8))
  exit(2)
}
do {
  let data =
    arguments[1] == "-"
    ? FileHandle.standardInput.readDataToEndOfFile()
    : try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
  let spec = try JSONDecoder().decode(ExperimentSpec.self, from: data)
  let recorder = CountingRecorder()
  let cpuStart = clock()
  let result = try ContinualExperiment(spec: spec, recorder: recorder).run()
  func number(_ value: Double?) -> Any { value.map { $0 as Any } ?? NSNull() }
  var output: [String: Any] = [
    "metric": result.metric,
    "acc": number(result.accuracy), "bwt": number(result.backwardTransfer),
    "fwt": number(result.forwardTransfer), "forgetting": number(result.forgetting),
    "seconds": result.seconds,
    "cpu_seconds": Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC),
    "baseline": result.matrix.baseline.map(number),
    "matrix": result.matrix.rows.map { $0.map(number) },
    "tasks": result.tasks.map(\.name),
    "knowledge": recorder.knowledge.count,
  ]
  if !result.prequential.isEmpty {
    output["prequential"] = result.prequential.sorted { $0.key < $1.key }.map { $0.value }
  }
  let json = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys])
  print(String(decoding: json, as: UTF8.self))
} catch {
  FileHandle.standardError.write(Data("error: \(error)\n".utf8))
  exit(1)
}
