import Foundation

/// Everything stored about a run's identity and life cycle.
public struct Run: Equatable, Sendable {
  /// Store-local id.
  public var id: RunID
  /// Globally unique id (lowercase UUID).
  public var uuid: String
  /// Display name (not necessarily unique).
  public var name: String
  /// Experiment (group), if any.
  public var experiment: String?
  /// The experiment's id (`Experiment.defaultID`, 0, for a run without one).
  public var experimentID: Int64
  /// Effective status: a `running` run with a stale heartbeat reads as `crashed`.
  public var status: RunStatus
  /// When the run was created.
  public var createdAt: Date
  /// When it started.
  public var startedAt: Date?
  /// When it ended.
  public var endedAt: Date?
  /// Last heartbeat.
  public var heartbeatAt: Date?
  /// Writer process id.
  public var pid: Int?
  /// Writer host name.
  public var host: String?
  /// The command line that started it.
  public var command: String?
  /// Git commit of the working directory, when it was inside a git work tree.
  public var gitCommit: String?
  /// The run this one continues from.
  public var continuedFrom: RunID?
  /// Free-form notes.
  public var notes: String?
  /// When it was moved into the trash (MLflow's soft delete); nil for a live run.
  public var deletedAt: Date?

  /// Seconds from start to end (or to the last heartbeat for a crashed run, or now).
  public var duration: TimeInterval? {
    let start = startedAt ?? createdAt
    if let endedAt { return endedAt.timeIntervalSince(start) }
    if status == .running { return Date().timeIntervalSince(start) }
    return heartbeatAt.map { $0.timeIntervalSince(start) }
  }

  /// Creates the value (backends build it from their rows).
  public init(
    id: RunID,
    uuid: String,
    name: String,
    experiment: String? = nil,
    experimentID: Int64 = Experiment.defaultID,
    status: RunStatus,
    createdAt: Date,
    startedAt: Date? = nil,
    endedAt: Date? = nil,
    heartbeatAt: Date? = nil,
    pid: Int? = nil,
    host: String? = nil,
    command: String? = nil,
    gitCommit: String? = nil,
    continuedFrom: RunID? = nil,
    notes: String? = nil,
    deletedAt: Date? = nil
  ) {
    self.id = id
    self.uuid = uuid
    self.name = name
    self.experiment = experiment
    self.experimentID = experimentID
    self.status = status
    self.createdAt = createdAt
    self.startedAt = startedAt
    self.endedAt = endedAt
    self.heartbeatAt = heartbeatAt
    self.pid = pid
    self.host = host
    self.command = command
    self.gitCommit = gitCommit
    self.continuedFrom = continuedFrom
    self.notes = notes
    self.deletedAt = deletedAt
  }
}
