import Foundation
import Learning
import Tracking

/// Runs a spec end to end as one run of a store: resolves `--from`, starts the run, loads the
/// earlier state, trains through Learning's `ContinualExperiment` while recording into the
/// store, and marks the run finished, killed (interrupted) or failed. The CLI and the server
/// both call it; they only render what it reports.
///
/// ```swift
/// let runner = ExperimentRunner(store: store, command: "track run spec.yaml")
/// let id = try runner.run(spec, specPath: "spec.yaml", from: nil)
/// ```
public struct ExperimentRunner {
  /// What happens during a run, for the front end to show.
  public enum Event: Sendable {
    /// The run was created (its id and name are known).
    case started(Run)
    /// A training or evaluation step.
    case progress(TrainingProgress)
    /// Training ended (successfully or not): a progress display can close.
    case trainingEnded
    /// Something the user should know that is not an error.
    case note(String)
  }

  /// The store the run is recorded in.
  public var store: any TrackStore
  /// The command line recorded with the run.
  public var command: String?
  /// Polled between batches: true stops the run, which is then marked killed.
  public var shouldStop: @Sendable () -> Bool
  /// Receives the run's events, on the training thread.
  public var events: (Event) -> Void

  /// A runner recording into `store`.
  public init(
    store: any TrackStore, command: String? = nil,
    shouldStop: @escaping @Sendable () -> Bool = { false },
    events: @escaping (Event) -> Void = { _ in }
  ) {
    self.store = store
    self.command = command
    self.shouldStop = shouldStop
    self.events = events
  }

  /// Checks that `reference` names a run that can be continued, before anything is written.
  public func earlierRun(_ reference: String) throws -> Run {
    let earlier = try store.resolveRun(reference, note: { events(.note($0)) })
    guard try ResumeLoader.canContinue(earlier, in: store) else {
      throw ExperimentError(
        .invalidRequest,
        "run #\(earlier.id) \(earlier.name) saved no weights checkpoint, so nothing can "
          + "continue from it; pick a run that finished at least one task")
    }
    return earlier
  }

  /// Runs `spec` (continuing the run `from` names, when given) and returns the new run's id.
  ///
  /// Throws `ExperimentError(.interrupted)` after marking the run killed when `shouldStop`
  /// asked to stop; any other failure marks the run failed and is rethrown.
  ///
  /// Everything that can be checked before the run is created is: the spec, the earlier run,
  /// the data and the scenario's tasks (a spec that cannot train records nothing).
  @discardableResult
  /// `tags` are set on the run before it trains (`track run --tag`, a sweep's `sweep` tag).
  public func run(
    _ spec: ExperimentSpec, specPath: String?, from: String?, tags: [String: String] = [:]
  ) throws -> RunID {
    try spec.validate()
    let earlier = try from.map(earlierRun)
    let stream: TaskStream
    do {
      stream = try Scenario.makeStream(for: spec, shouldStop: shouldStop)
    } catch LearningError.cancelled {
      throw ExperimentError(.interrupted, "interrupted while loading the data; nothing was recorded")
    }
    guard !stream.tasks.isEmpty else {
      throw LearningError.invalidSpec(key: "scenario", message: "the scenario produced no tasks")
    }
    let params = spec.runParams
    if let earlier { try checkSomethingToTrain(continuing: earlier, stream: stream, params: params) }
    let logger = try store.startRun(
      name: spec.name, experiment: spec.experiment, params: params, continuing: earlier?.id,
      command: command)
    var resume: ResumeState?
    var provenance = KnowledgeProvenance()
    var note: String?
    do {
      if let specPath { try logger.setTag("spec", specPath) }
      // The machine the numbers came from: the same spec, seed and thread count give the
      // same bits only on the same BLAS kernel (OpenBLAS picks one per CPU).
      try logger.setTag("cpu", MachineInfo.cpuModel)
      try logger.setTag("blas", MachineInfo.blasKernel)
      try logger.setTag("blas_choice", MachineInfo.kernelChoice.description)
      for (key, value) in tags.sorted(by: { $0.key < $1.key }) { try logger.setTag(key, value) }
      if let earlier {
        let loaded = try ResumeLoader.state(of: earlier, in: store)
        (resume, provenance, note) = (loaded.state, loaded.provenance, loaded.note)
      }
    } catch {
      try? logger.finish(.failed)
      throw error
    }
    events(.started(try store.run(logger.id)))
    if let note { events(.note(note)) }
    let recorder = StoreRecorder(logger: logger, provenance: provenance)
    do {
      let events = self.events
      let experiment = try ContinualExperiment(
        spec: spec, recorder: recorder, progress: { events(.progress($0)) },
        shouldStop: shouldStop)
      let result = try experiment.run(resumingFrom: resume, stream: stream)
      events(.trainingEnded)
      try logger.finish(.finished)
      if let resume, let note = ExperimentRunner.nothingNewNote(resume: resume, result: result) {
        events(.note(note))
      }
      return logger.id
    } catch {
      events(.trainingEnded)
      let cancelled = (error as? LearningError) == .cancelled
      try? logger.setTag("error", String(describing: error))
      try? logger.finish(cancelled ? .killed : .failed)
      if cancelled {
        throw ExperimentError(
          .interrupted,
          "run #\(logger.id) interrupted; marked killed, everything logged so far is kept "
            + "(track show \(logger.id))")
      }
      events(.note("run #\(logger.id) marked failed"))
      throw error
    }
  }

  /// Refuses a continuation that would train nothing while its spec differs from the earlier
  /// run's: it would record the earlier run's matrix under another strategy's name and
  /// params (a naive spec `--from` a replay run). With the same spec it only copies, and
  /// says so.
  func checkSomethingToTrain(
    continuing earlier: Run, stream: TaskStream, params: [String: ParamValue]
  ) throws {
    let trained = try store.matrix(of: earlier.id).rows.keys.filter { $0 >= 1 }.max() ?? 0
    guard stream.tasks.count <= trained else { return }
    let before = Dictionary(
      try store.params(of: earlier.id).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    // How a run is kept and computed, not what it learns.
    let irrelevant: Set<String> = ["training.checkpoints", "training.threads"]
    let differing = params.keys.sorted().filter {
      !irrelevant.contains($0) && before[$0] != params[$0]
    }
    guard !differing.isEmpty else { return }
    let shown = differing.prefix(4).map {
      "\($0): \(before[$0]?.description ?? "none") -> \(params[$0]?.description ?? "none")"
    }
    throw ExperimentError(
      .invalidRequest,
      "run #\(earlier.id) \(earlier.name) already trained all \(trained) tasks of this stream, so "
        + "nothing new would be trained, and this spec differs from it (\(shown.joined(separator: ", "))"
        + (differing.count > 4 ? ", and \(differing.count - 4) more" : "")
        + "): the new run would record the earlier run's matrix under these params. Continue on "
        + "a longer stream (e.g. --set scenario.tasks=N) or drop --from")
  }

  /// Said when `--from` continued on a stream with no task the earlier run had not trained:
  /// the new run only copies the earlier weights, memory and matrix. The earlier run trained
  /// as many tasks as it has matrix rows after the baseline (a killed run lists more tasks
  /// than it trained).
  static func nothingNewNote(resume: ResumeState, result: ExperimentResult) -> String? {
    let trained = max(resume.matrixRows.count - 1, 0)
    guard result.tasks.count <= trained else { return nil }
    return "note: the earlier run already trained all \(trained) tasks of this stream, so "
      + "nothing new was trained; --from continues on a longer stream (e.g. more tasks with "
      + "--set scenario.tasks=N, or later periods of a series)"
  }
}
