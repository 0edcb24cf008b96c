import Foundation
import Learning
import Tracking

/// Reads what a run continuing from an earlier one (`track run --from RUN`) starts with:
/// the earlier run's latest weights and optimizer checkpoints, its knowledge base, its
/// matrix rows and its tasks.
public enum ResumeLoader {
  /// What continuing a run starts from.
  struct Resume {
    /// The weights, optimizer state, knowledge base, matrix rows and tasks.
    var state: ResumeState
    /// Where each knowledge sample first came from.
    var provenance: KnowledgeProvenance
    /// Said when the earlier run's newest rows are not backed by checkpoints.
    var note: String?
  }

  /// The resume state of continuing `run`, from the last task whose state is complete: its
  /// matrix row and a weights checkpoint of that task (the run's own, or, for a run that
  /// trained nothing new, its nearest ancestor's). Rows after it are dropped, with a note:
  /// a run killed between recording a row and saving its checkpoints (before task
  /// completion was one transaction) must not continue from older weights silently.
  ///
  /// The earlier run's knowledge base is read from the earlier run and handed to the
  /// learner; the new run's store holds exactly the samples the learner's strategy keeps,
  /// which it adds back through the recorder (`StoreRecorder` keeps their provenance). One
  /// rule, in one layer: the store copies nothing on `--from`.
  static func state(of run: Run, in store: any TrackStore) throws -> Resume {
    let matrix = try store.matrix(of: run.id)
    let recorded = matrix.rows.keys.filter { $0 >= 1 }.sorted()
    let chain = try checkpointChain(of: run, in: store)
    guard let complete = lastCompleteTask(recorded: recorded, chain: chain) else {
      throw ExperimentError(
        .invalidRequest,
        "run #\(run.id) \(run.name) saved no weights checkpoint for a task it recorded, so "
          + "nothing can continue from it; pick a run that finished at least one task")
    }
    let ownerCheckpoints = chain.first { $0.0 == complete.owner }?.1 ?? []
    let optimizer = try ownerCheckpoints.last { $0.kind == "optimizer" && $0.task == complete.task }
      .map { try store.loadBlob($0.sha256) }
    let entries = try store.knowledgeBase(of: run.id)
    let knowledge = entries.map {
      KnowledgeSample(
        id: nil, features: $0.features, target: $0.target, task: $0.task, logits: $0.logits)
    }
    let rows = matrix.rows.keys.sorted().filter { $0 <= complete.task }.map { matrix.rows[$0] ?? [] }
    let tasks = try store.tasks(of: run.id).map {
      TaskDescription(
        index: $0.index, name: $0.name, trainSize: $0.trainSize, testSize: $0.testSize,
        classes: $0.classes)
    }
    var note: String?
    if let newest = recorded.last, newest > complete.task {
      note =
        "note: run #\(run.id) recorded matrix rows through task \(newest) but saved weights only "
        + "through task \(complete.task) (it stopped while recording a task); continuing from "
        + "task \(complete.task), the last whose state is complete"
    }
    let state = ResumeState(
      weights: try store.loadBlob(complete.weights.sha256), optimizerState: optimizer,
      knowledge: knowledge, matrixRows: rows, tasks: tasks)
    return Resume(state: state, provenance: KnowledgeProvenance(entries), note: note)
  }

  /// The newest recorded task with a weights checkpoint of that task, the nearest run of the
  /// chain first; nil when there is none.
  static func lastCompleteTask(recorded: [Int], chain: [(RunID, [CheckpointRecord])])
    -> (task: Int, weights: CheckpointRecord, owner: RunID)?
  {
    for task in recorded.reversed() {
      for (owner, checkpoints) in chain {
        if let weights = checkpoints.last(where: { $0.kind == "weights" && $0.task == task }) {
          return (task, weights, owner)
        }
      }
    }
    return nil
  }

  /// Whether `run` can be continued: some recorded task has its weights.
  static func canContinue(_ run: Run, in store: any TrackStore) throws -> Bool {
    let recorded = try store.matrix(of: run.id).rows.keys.filter { $0 >= 1 }.sorted()
    return lastCompleteTask(recorded: recorded, chain: try checkpointChain(of: run, in: store))
      != nil
  }

  /// The checkpoints of `run` and of the runs up its `--from` chain, nearest first (a run
  /// that trained nothing new has none of its own: its weights are its ancestor's).
  static func checkpointChain(of run: Run, in store: any TrackStore) throws
    -> [(RunID, [CheckpointRecord])]
  {
    var chain: [(RunID, [CheckpointRecord])] = []
    var current: Run? = run
    var seen: Set<RunID> = []
    while let candidate = current, seen.insert(candidate.id).inserted {
      chain.append((candidate.id, try store.checkpoints(of: candidate.id)))
      guard let earlier = candidate.continuedFrom else { break }
      do {
        current = try store.run(earlier)
      } catch let error as TrackingError where error.code == .runNotFound {
        current = nil  // the earlier run was removed: the chain ends here
      }
    }
    return chain
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
    var entry = KnowledgeEntry(
      features: sample.features, target: sample.target, task: sample.task, logits: sample.logits)
    if var queue = origins[sample.features], !queue.isEmpty {
      let origin = queue.removeFirst()
      origins[sample.features] = queue
      entry.sourceRun = origin.run
      entry.addedAt = origin.addedAt
    }
    return entry
  }
}
