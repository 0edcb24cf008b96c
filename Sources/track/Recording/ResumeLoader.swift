import Foundation
import Learning
import Tracking

/// Reads what a run continuing from an earlier one (`track run --from RUN`) starts with:
/// the earlier run's latest weights and optimizer checkpoints, its knowledge base, its
/// matrix rows and its tasks.
enum ResumeLoader {
  /// The resume state of run `run`; an error when it saved no weights.
  static func state(of run: Run, in store: Store) throws -> ResumeState {
    let checkpoints = try store.checkpoints(of: run.id)
    func latest(_ kind: String) -> CheckpointRecord? {
      checkpoints.filter { $0.kind == kind }.max { lhs, rhs in
        (lhs.task, lhs.epoch ?? -1, lhs.id) < (rhs.task, rhs.epoch ?? -1, rhs.id)
      }
    }
    guard let weights = latest("weights") else {
      throw CLIError(
        .usage, "run #\(run.id) \(run.name) saved no weights checkpoint, so nothing can "
          + "continue from it; pick a run that trained at least one task")
    }
    let optimizer = try latest("optimizer").map { try store.loadBlob($0.sha256) }
    let knowledge = try store.knowledgeBase(of: run.id).map {
      KnowledgeSample(id: nil, features: $0.features, target: $0.target, task: $0.task)
    }
    let matrix = try store.matrix(of: run.id)
    let rows = matrix.rows.keys.sorted().map { matrix.rows[$0] ?? [] }
    let tasks = try store.tasks(of: run.id).map {
      TaskDescription(
        index: $0.index, name: $0.name, trainSize: $0.trainSize, testSize: $0.testSize,
        classes: $0.classes)
    }
    return ResumeState(
      weights: try store.loadBlob(weights.sha256), optimizerState: optimizer,
      knowledge: knowledge, matrixRows: rows, tasks: tasks)
  }
}
