import Foundation
import Tracking

/// Copies whole runs from one store to another, whatever their backends (`track push` to a
/// team's PostgreSQL server, `track pull` back into a local file): params, tags, metrics,
/// tasks, matrices, checkpoints, the knowledge base, artifacts, logged models and the blobs
/// they hold.
///
/// A copy keeps the run's UUID, so copying again is idempotent: a run the destination already
/// has (ended) is left as it is. Each run is copied in one transaction of the destination:
/// all of it or nothing. A run still running is refused unless `allowRunning`; then it is
/// copied as it stands, and copying it again once it ended replaces that copy.
///
/// ```swift
/// let copier = RunCopier(from: local, to: team) { FileHandle.standardError.write(Data($0.utf8)) }
/// let outcome = try copier.copy(try local.resolveRun("latest"))
/// ```
public struct RunCopier {
  /// What happened to one run.
  public enum Outcome: Equatable, Sendable {
    /// Copied; the destination's id of the copy.
    case copied(RunID)
    /// The destination had an earlier copy of it taken while it ran; replaced by this one.
    case replaced(RunID)
    /// The destination has it already (same UUID, ended): nothing written.
    case alreadyThere(RunID)

    /// The destination's id of the run.
    public var destinationID: RunID {
      switch self {
      case .copied(let id), .replaced(let id), .alreadyThere(let id): return id
      }
    }
  }

  /// Points per `appendMetrics` call (one statement or prepared batch each).
  static let batchSize = 20_000

  let source: any TrackStore
  let destination: any TrackStore
  let allowRunning: Bool
  let progress: (String) -> Void

  /// A copier from `source` to `destination`; `progress` receives lines for people
  /// (`track` prints them on stderr).
  public init(
    from source: any TrackStore, to destination: any TrackStore, allowRunning: Bool = false,
    progress: @escaping (String) -> Void = { _ in }
  ) {
    self.source = source
    self.destination = destination
    self.allowRunning = allowRunning
    self.progress = progress
  }

  /// Copies one run of the source (see the type's rules).
  public func copy(_ run: Run) throws -> Outcome {
    let label = "#\(run.id) \(run.name) (\(run.uuid.prefix(8)))"
    if run.status == .running {
      guard allowRunning else {
        throw ExperimentError(
          .invalidRequest,
          "run \(label) in \(source.location) is still running; wait until it ends, or pass "
            + "--allow-running to copy it as it stands (the points it logs later are not "
            + "copied; copying it again after it ends replaces that copy)")
      }
      progress(
        "note: run \(label) is still running; copying it as it stands (copy it again after "
          + "it ends to replace this copy)")
    }
    var replacing: RunID?
    if let existing = try destination.run(uuid: run.uuid) {
      guard existing.endedAt == nil else {
        progress("run \(label): already in \(destination.location) as #\(existing.id); skipped")
        return .alreadyThere(existing.id)
      }
      replacing = existing.id
    }
    let id = try destination.transaction { () -> RunID in
      if let replacing { try destination.deleteRun(replacing) }
      return try copyContents(of: run, label: label)
    }
    if let replacing {
      progress("run \(label): replaced the copy taken while it ran (#\(replacing)) with #\(id)")
      return .replaced(id)
    }
    return .copied(id)
  }

  /// Writes the run and everything it owns into the destination; returns the copy's id.
  private func copyContents(of run: Run, label: String) throws -> RunID {
    var params: [String: ParamValue] = [:]
    for param in try source.params(of: run.id) { params[param.key] = param.value }
    let request = RunRequest(
      name: run.name, experiment: run.experiment, params: params,
      continuing: try run.continuedFrom.flatMap(destinationID(ofSourceRun:)),
      command: run.command ?? "", gitCommit: .some(run.gitCommit), host: run.host ?? "",
      pid: run.pid ?? 0)
    var full = request
    full.tags = try source.tags(of: run.id)
    full.uuid = run.uuid
    full.createdAt = run.createdAt
    let copy = try destination.createRun(full).id

    var points = 0
    let keys = try source.metricKeys(of: run.id)
    for key in keys {
      let series = try source.metricSeries(of: run.id, key: key)
      for start in stride(from: 0, to: series.count, by: RunCopier.batchSize) {
        let batch = Array(series[start..<min(start + RunCopier.batchSize, series.count)])
        try destination.appendMetrics(batch, to: copy, heartbeat: nil)
        points += batch.count
      }
      if series.count >= RunCopier.batchSize {
        progress("run \(label): \(points) points copied (\(key) done)")
      }
    }

    let tasks = try source.tasks(of: run.id)
    if !tasks.isEmpty { try destination.recordTasks(tasks, run: copy) }
    var matrixRows = 0
    for metric in try source.matrixMetrics(of: run.id) {
      let matrix = try source.matrix(of: run.id, metric: metric)
      for row in matrix.rows.keys.sorted() {
        try destination.recordMatrixRow(
          run: copy, trainedThrough: row, scores: matrix.rows[row] ?? [], metric: metric)
        matrixRows += 1
      }
    }

    var bytes = 0
    let checkpoints = try source.checkpoints(of: run.id)
    for checkpoint in checkpoints {
      let data = try source.loadBlob(checkpoint.sha256)
      _ = try destination.saveCheckpoint(
        run: copy, task: checkpoint.task, epoch: checkpoint.epoch, kind: checkpoint.kind,
        data: data)
      bytes += data.count
    }

    var knowledge = try source.knowledgeBase(of: run.id)
    var foreign = 0
    for index in knowledge.indices {
      knowledge[index].id = nil
      guard let origin = knowledge[index].sourceRun, origin != run.id else {
        knowledge[index].sourceRun = copy
        continue
      }
      if let mapped = try destinationID(ofSourceRun: origin) {
        knowledge[index].sourceRun = mapped
      } else {
        knowledge[index].sourceRun = copy
        foreign += 1
      }
    }
    if !knowledge.isEmpty { _ = try destination.addKnowledge(knowledge, to: copy) }
    if foreign > 0 {
      progress(
        "note: run \(label): \(foreign) knowledge entries came from runs the destination does "
          + "not have; the copy records them as its own (copy those runs first to keep the "
          + "provenance)")
    }

    let artifacts = try source.artifacts(of: run.id, prefix: nil)
    for artifact in artifacts {
      let data = try source.loadBlob(artifact.sha256)
      _ = try destination.saveArtifact(run: copy, path: artifact.path, data: data)
      bytes += data.count
    }

    // MLflow 3's logged models of the run (their files are among its artifacts).
    let models = try source.loggedModels(experiments: []).filter { $0.run == run.id }
    if !models.isEmpty {
      let experimentID = try destination.run(copy).experimentID
      for var model in models {
        model.run = copy
        model.experimentID = experimentID
        try destination.saveLoggedModel(model)
      }
    }

    if run.status != .running {
      try destination.updateRun(copy, RunUpdate(status: run.status, endedAt: run.endedAt))
    } else if let heartbeat = run.heartbeatAt {
      try destination.appendMetrics([], to: copy, heartbeat: heartbeat)
    }
    if run.deletedAt != nil { try destination.updateRun(copy, RunUpdate(deleted: true)) }
    progress(
      "run \(label): copied to \(destination.location) as #\(copy): \(params.count) params, "
        + "\(points) points in \(keys.count) metrics, \(tasks.count) tasks, \(matrixRows) "
        + "matrix rows, \(checkpoints.count) checkpoints, \(knowledge.count) knowledge entries, "
        + "\(artifacts.count) artifacts, \(models.count) logged models "
        + "(\(NumberFormatting.bytes(bytes)) of blobs)")
    return copy
  }

  /// The destination's copy of a source run (by UUID), if it has one.
  private func destinationID(ofSourceRun id: RunID) throws -> RunID? {
    guard let run = try? source.run(id) else { return nil }
    return try destination.run(uuid: run.uuid)?.id
  }
}
