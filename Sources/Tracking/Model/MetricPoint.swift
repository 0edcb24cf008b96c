import Foundation

/// One scalar of a metric series.
public struct MetricPoint: Equatable, Sendable {
  /// Metric name ("loss", "accuracy/task1").
  public var key: String
  /// The value; NaN and ±Inf are stored faithfully.
  public var value: Double
  /// Position in the series (e.g. the global batch or epoch counter).
  public var step: Int
  /// Epoch, when meaningful.
  public var epoch: Int?
  /// 1-based task index, when the value belongs to one task.
  public var task: Int?
  /// When it was logged.
  public var wallTime: Date

  /// Creates a point; `wallTime` defaults to now.
  public init(
    key: String, value: Double, step: Int, epoch: Int? = nil, task: Int? = nil,
    wallTime: Date = Date()
  ) {
    self.key = key
    self.value = value
    self.step = step
    self.epoch = epoch
    self.task = task
    self.wallTime = wallTime
  }

  /// Equality that treats NaN as equal to NaN (faithful round trips compare equal).
  public static func == (lhs: MetricPoint, rhs: MetricPoint) -> Bool {
    lhs.key == rhs.key && lhs.step == rhs.step && lhs.epoch == rhs.epoch && lhs.task == rhs.task
      && lhs.wallTime == rhs.wallTime
      && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
  }
}
