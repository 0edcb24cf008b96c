import Foundation
import Learning
import Tracking

/// Reads what a run continuing from an earlier one (`track run --from RUN`) starts with:
/// the earlier run's latest weights and optimizer checkpoints, its knowledge base, its
/// matrix rows and its tasks.
public enum ResumeLoader {
  /// The resume state of continuing `run`, and where each of its knowledge samples came from.
  ///
  /// The earlier run's knowledge base is read from the earlier run and handed to the
  /// learner; the new run's store holds exactly the samples the learner's strategy keeps,
  /// which it adds back through the recorder (`StoreRecorder` keeps their provenance). One
  /// rule, in one layer: the store copies nothing on `--from`.
  public static func state(of run: Run, in store: any TrackStore) throws
    -> (ResumeState, KnowledgeProvenance)
  {
    guard let source = try checkpointSource(of: run, in: store),
      let weights = try store.latestCheckpoint(of: source, kind: "weights")
    else {
      throw ExperimentError(
        .invalidRequest,
        "run #\(run.id) \(run.name) saved no weights checkpoint, so nothing can continue from "
          + "it; pick a run that trained at least one task")
    }
    let optimizer = try store.latestCheckpoint(of: source, kind: "optimizer")
      .map { try store.loadBlob($0.sha256) }
    let entries = try store.knowledgeBase(of: run.id)
    let knowledge = entries.map {
      KnowledgeSample(id: nil, features: $0.features, target: $0.target, task: $0.task)
    }
    let matrix = try store.matrix(of: run.id)
    let rows = matrix.rows.keys.sorted().map { matrix.rows[$0] ?? [] }
    let tasks = try store.tasks(of: run.id).map {
      TaskDescription(
        index: $0.index, name: $0.name, trainSize: $0.trainSize, testSize: $0.testSize,
        classes: $0.classes)
    }
    let state = ResumeState(
      weights: try store.loadBlob(weights.sha256), optimizerState: optimizer,
      knowledge: knowledge, matrixRows: rows, tasks: tasks)
    return (state, KnowledgeProvenance(entries))
  }

  /// The run whose checkpoints `run` resumes from: `run` itself, or, when it saved none (a
  /// continuation that trained no new task, or was stopped before finishing one), the
  /// nearest run up its `--from` chain that did. Its weights are the ones `run` ended with.
  public static func checkpointSource(of run: Run, in store: any TrackStore) throws -> RunID? {
    var current: Run? = run
    var seen: Set<RunID> = []
    while let candidate = current, seen.insert(candidate.id).inserted {
      if try store.latestCheckpoint(of: candidate.id, kind: "weights") != nil {
        return candidate.id
      }
      guard let earlier = candidate.continuedFrom else { return nil }
      do {
        current = try store.run(earlier)
      } catch let error as TrackingError where error.code == .runNotFound {
        current = nil  // the earlier run was removed: the chain ends here
      }
    }
    return nil
  }
}

/// Where the samples of a continued run's knowledge base first came from: a sample the
/// learner adds back on `--from` keeps the run that first stored it and when.
public struct KnowledgeProvenance {
  private var origins: [Data: [(run: RunID?, addedAt: Date?)]] = [:]

  /// No carried-over samples (a fresh run).
  public init() {}

  /// The provenance of the earlier run's entries.
  public init(_ entries: [KnowledgeEntry]) {
    for entry in entries {
      origins[entry.features, default: []].append((entry.sourceRun, entry.addedAt))
    }
  }

  /// The entry to store for `sample`: with its first origin when it was carried over.
  public mutating func entry(for sample: KnowledgeSample) -> KnowledgeEntry {
    var entry = KnowledgeEntry(features: sample.features, target: sample.target, task: sample.task)
    if var queue = origins[sample.features], !queue.isEmpty {
      let origin = queue.removeFirst()
      origins[sample.features] = queue
      entry.sourceRun = origin.run
      entry.addedAt = origin.addedAt
    }
    return entry
  }
}
