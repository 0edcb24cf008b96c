import Foundation

@testable import Learning

/// Records everything the learner reports, so tests can assert what would reach a store.
final class InMemoryRecorder: ExperimentRecorder {
  struct Metric: Equatable {
    var key: String
    var value: Double
    var step: Int
    var epoch: Int?
    var task: Int?
  }

  var tasks: [TaskDescription] = []
  var metrics: [Metric] = []
  var matrixRows: [(trainedThrough: Int, scores: [Double], metric: String)] = []
  var checkpoints: [(task: Int, kind: String, data: Data)] = []
  /// The knowledge base as a store would hold it, by id.
  var knowledge: [Int64: KnowledgeSample] = [:]
  var addCount = 0
  var removeCount = 0
  /// Per knowledge-base write call (add or remove): the task whose `completeTask` it was
  /// made in, or nil when it was made outside one.
  var knowledgeWriteTasks: [Int?] = []
  private var currentTask: Int?
  private var nextID: Int64 = 1

  /// Called on the training thread when the tasks are recorded (the first report of a run).
  var onRecordTasks: (() -> Void)?

  func recordTasks(_ tasks: [TaskDescription]) throws {
    self.tasks = tasks
    onRecordTasks?()
  }

  func logMetric(_ key: String, value: Double, step: Int, epoch: Int?, task: Int?) throws {
    metrics.append(Metric(key: key, value: value, step: step, epoch: epoch, task: task))
  }

  func recordMatrixRow(trainedThrough: Int, scores: [Double], metric: String) throws {
    matrixRows.append((trainedThrough, scores, metric))
  }

  func saveCheckpoint(task: Int, epoch: Int?, kind: String, data: Data) throws {
    checkpoints.append((task, kind, data))
  }

  func completeTask(_ task: Int, _ body: () throws -> Void) throws {
    currentTask = task
    defer { currentTask = nil }
    try body()
  }

  func addKnowledge(_ samples: [KnowledgeSample]) throws -> [Int64] {
    knowledgeWriteTasks.append(currentTask)
    return samples.map { sample in
      var stored = sample
      stored.id = nextID
      knowledge[nextID] = stored
      nextID += 1
      addCount += 1
      return stored.id!
    }
  }

  func removeKnowledge(ids: [Int64]) throws {
    knowledgeWriteTasks.append(currentTask)
    for id in ids {
      guard knowledge.removeValue(forKey: id) != nil else {
        throw LearningError.model(message: "removed unknown knowledge id \(id)")
      }
      removeCount += 1
    }
  }

  /// Stored samples in id order, as a resumed run would read them back.
  var storedKnowledge: [KnowledgeSample] { knowledge.keys.sorted().map { knowledge[$0]! } }
}
