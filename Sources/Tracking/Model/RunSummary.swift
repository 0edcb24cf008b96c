import Foundation

/// One row of a run listing (the `run_overview` view).
public struct RunSummary: Equatable, Sendable {
  /// Store-local id.
  public var id: RunID
  /// Globally unique id.
  public var uuid: String
  /// Display name.
  public var name: String
  /// Experiment (group), if any.
  public var experiment: String?
  /// Effective status.
  public var status: RunStatus
  /// When the run was created.
  public var createdAt: Date
  /// Seconds from start to end (or to now while running).
  public var duration: TimeInterval?
  /// All params of the run.
  public var params: [String: ParamValue]
  /// The latest value of each metric by name, with "acc", "bwt", "fwt", "forgetting" from the
  /// run's matrix when it has one.
  public var summary: [String: Double]
  /// The run this one continues from.
  public var continuedFrom: RunID?

  /// Creates the value (backends build it from their rows).
  public init(
    id: RunID,
    uuid: String,
    name: String,
    experiment: String? = nil,
    status: RunStatus,
    createdAt: Date,
    duration: TimeInterval? = nil,
    params: [String: ParamValue],
    summary: [String: Double],
    continuedFrom: RunID? = nil
  ) {
    self.id = id
    self.uuid = uuid
    self.name = name
    self.experiment = experiment
    self.status = status
    self.createdAt = createdAt
    self.duration = duration
    self.params = params
    self.summary = summary
    self.continuedFrom = continuedFrom
  }
}
