import Foundation

/// How the data becomes an ordered stream of tasks (`scenario:` section of a spec).
public struct ScenarioSpec: Codable, Equatable {
  /// The kinds of stream a spec can ask for.
  public enum Kind: String, Codable, CaseIterable {
    case classIncremental = "class-incremental"
    case taskIncremental = "task-incremental"
    case permuted, rotated, tasks
    case timeWindows = "time-windows"
  }

  /// The kind of stream.
  public var type: Kind
  /// Number of tasks (default 5; for `tasks` and `time-windows` the data decides when nil).
  public var tasks: Int?
  /// Classes per task for class splits (default: all classes shared evenly).
  public var classesPerTask: Int?
  /// The order in which classes arrive (default 0, 1, 2, ...).
  public var classOrder: [Int]?
  /// Rotation angle in degrees of each task (default evenly spaced from 0 to 180).
  public var angles: [Double]?
  /// Length of one time window: "year", "quarter", "month" or a number of rows.
  public var period: String

  /// The keys this section accepts.
  public static let keys = ["type", "tasks", "classes_per_task", "class_order", "angles", "period"]

  /// A scenario section with every default.
  public init(type: Kind = .classIncremental) {
    self.type = type
    period = "year"
  }

  /// Decodes with defaults for every key.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    self.init(type: try c.choice("type", section: "scenario", Kind.classIncremental))
    tasks = try c.optional("tasks")
    classesPerTask = try c.optional("classes_per_task")
    classOrder = try c.optional("class_order")
    angles = try c.optional("angles")
    period = try c.value("period", period)
  }

  /// Encodes with the same snake_case keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(type, "type")
    try c.put(tasks, "tasks")
    try c.put(classesPerTask, "classes_per_task")
    try c.put(classOrder, "class_order")
    try c.put(angles, "angles")
    try c.put(period, "period")
  }

  /// Rows per window when `period` is a number, nil for calendar periods.
  var periodRows: Int? { Int(period) }

  /// Checks ranges and names.
  func validate(data: DataSpec) throws {
    // At most one task or class per class label (DataShape.largestClassLabel + 1), so
    // tasks × classes_per_task cannot overflow.
    let most = DataShape.largestClassLabel + 1
    if let tasks {
      try require(tasks >= 1, "scenario.tasks", "must be at least 1 (got \(tasks))")
      try require(tasks <= most, "scenario.tasks", "must be at most \(most) (got \(tasks))")
    }
    if let classesPerTask {
      try require(
        classesPerTask >= 1, "scenario.classes_per_task",
        "must be at least 1 (got \(classesPerTask))")
      try require(
        classesPerTask <= most, "scenario.classes_per_task",
        "must be at most \(most), the number of class labels there can be (got \(classesPerTask))")
    }
    if let classOrder {
      try require(
        Set(classOrder).count == classOrder.count && classOrder.allSatisfy { $0 >= 0 },
        "scenario.class_order", "must list distinct non-negative class labels")
    }
    if let angles, let tasks {
      try require(
        angles.count >= tasks, "scenario.angles",
        "lists \(angles.count) angles for \(tasks) tasks; give one angle per task")
    }
    let calendar = ["year", "quarter", "month"]
    if let rows = periodRows {
      try require(rows >= 2, "scenario.period", "a number of rows must be at least 2 (got \(rows))")
    } else {
      try require(
        calendar.contains(period), "scenario.period",
        "unknown period '\(period)'; use year, quarter, month or a number of rows")
    }
    let fits: Bool
    switch (type, data.source) {
    case (.timeWindows, .series), (.tasks, .csv), (.tasks, .randomRegression): fits = true
    case (.timeWindows, _), (_, .series), (.tasks, _), (_, .randomRegression): fits = false
    case (.permuted, .csv), (.rotated, .csv): fits = false
    default: fits = true
    }
    try require(
      fits, "scenario.type",
      "'\(type.rawValue)' does not apply to data.source '\(data.source.rawValue)'"
        + " (series -> time-windows; random-regression -> tasks;"
        + " csv -> tasks, class-incremental or task-incremental;"
        + " images -> class-incremental, task-incremental, permuted or rotated)")
    if type == .rotated, let side = imageSide(data), side * side != imageFeatures(data) {
      throw LearningError.invalidSpec(key: "scenario.type", message: "rotated needs square images")
    }
    if (type == .classIncremental || type == .taskIncremental) && data.source == .csv {
      try require(
        !data.regression, "scenario.type",
        "class splits need class labels, but data.regression is true")
    }
  }

  private func imageFeatures(_ data: DataSpec) -> Int? {
    data.source == .synthetic ? data.features : nil
  }

  private func imageSide(_ data: DataSpec) -> Int? {
    guard let n = imageFeatures(data) else { return nil }
    return Int(Double(n).squareRoot().rounded())
  }

  /// "scenario.key" -> value for run params.
  var flattened: [String: String] {
    var out: [String: String] = ["scenario.type": type.rawValue]
    if let tasks { out["scenario.tasks"] = String(tasks) }
    if let classesPerTask { out["scenario.classes_per_task"] = String(classesPerTask) }
    if let classOrder { out["scenario.class_order"] = classOrder.map(String.init).joined(separator: ",") }
    if let angles { out["scenario.angles"] = angles.map(specText).joined(separator: ",") }
    if type == .timeWindows { out["scenario.period"] = period }
    return out
  }
}
