import Foundation
import Learning
import Tracking

/// Reads what a run continuing from an earlier one (`track run --from RUN`) starts with:
/// the earlier run's latest weights and optimizer checkpoints, its knowledge base, its
/// matrix rows and its tasks.
enum ResumeLoader {
  /// The resume state of run `run`; an error when it saved no weights.
  ///
  /// The store copies the earlier run's knowledge base into the new run when it starts
  /// (`startRun(continuing:)`), and the learner's strategies add the samples they keep back
  /// through the recorder when they resume. So the copies are read from the new run
  /// (`logger`) and then removed, leaving exactly the samples the learner holds, each once.
  static func state(of run: Run, continuing logger: RunLogger, in store: Store) throws
    -> ResumeState
  {
    guard let source = try checkpointSource(of: run, in: store),
      let weights = try store.latestCheckpoint(of: source, kind: "weights")
    else {
      throw CLIError(
        .usage, "run #\(run.id) \(run.name) saved no weights checkpoint, so nothing can "
          + "continue from it; pick a run that trained at least one task")
    }
    let optimizer = try store.latestCheckpoint(of: source, kind: "optimizer")
      .map { try store.loadBlob($0.sha256) }
    let copies = try store.knowledgeBase(of: logger.id)
    let knowledge = copies.map {
      KnowledgeSample(id: nil, features: $0.features, target: $0.target, task: $0.task)
    }
    try logger.removeKnowledge(ids: copies.compactMap(\.id))
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

  /// The run whose checkpoints `run` resumes from: `run` itself, or, when it saved none (a
  /// continuation that trained no new task, or was stopped before finishing one), the
  /// nearest run up its `--from` chain that did. Its weights are the ones `run` ended with.
  static func checkpointSource(of run: Run, in store: Store) throws -> RunID? {
    var current: Run? = run
    var seen: Set<RunID> = []
    while let candidate = current, seen.insert(candidate.id).inserted {
      if try store.latestCheckpoint(of: candidate.id, kind: "weights") != nil {
        return candidate.id
      }
      current = candidate.continuedFrom.flatMap { try? store.run($0) }  // nil once removed
    }
    return nil
  }
}
