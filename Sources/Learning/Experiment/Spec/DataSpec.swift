import Foundation

/// Where the samples come from (`data:` section of a spec).
public struct DataSpec: Codable, Equatable {
  /// The kinds of data source a spec can name.
  public enum Source: String, Codable, CaseIterable {
    case fashionMNIST = "fashion-mnist", idx, csv, synthetic, series
    /// Rows of uniform random features and a smooth nonlinear target, generated from the
    /// seed (`RandomRegression`): a regression workload with no file to fetch.
    case randomRegression = "random-regression"
  }

  /// Which source reads the samples.
  public var source: Source
  /// Directory (fashion-mnist, idx) or file (csv, series); fashion-mnist defaults to the
  /// Debian package's directory.
  public var path: String?
  /// One CSV file per task (scenario `tasks`).
  public var files: [String]?
  /// CSV column holding the target (class label or regression value).
  public var target: String?
  /// CSV column holding the task of each row (scenario `tasks` with a single file).
  public var taskColumn: String?
  /// Series column to predict (default "Close").
  public var column: String
  /// Series column holding the date (default "Date").
  public var dateColumn: String
  /// Number of past values the series model sees (default 10).
  public var window: Int
  /// At most this many training samples per task (nil = all).
  public var trainLimit: Int?
  /// At most this many test samples per task (nil = all).
  public var testLimit: Int?
  /// Share of each CSV task held out for testing when no test split exists (default 0.2).
  public var testFraction: Double
  /// CSV targets are real values (regression) rather than class labels.
  public var regression: Bool
  /// Synthetic data: number of classes, features and training samples per class.
  public var classes: Int
  /// Synthetic data: number of features (pixels) per sample.
  public var features: Int
  /// Synthetic data: training samples per class (test gets a quarter of it).
  public var samplesPerClass: Int
  /// Random regression: training rows per task (test gets a quarter of it).
  public var samples: Int

  /// The keys this section accepts.
  public static let keys = [
    "source", "path", "files", "target", "task_column", "column", "date_column", "window",
    "train_limit", "test_limit", "test_fraction", "regression", "classes", "features",
    "samples_per_class", "samples",
  ]

  /// A data section with every default, reading `source`.
  public init(source: Source) {
    self.source = source
    column = "Close"
    dateColumn = "Date"
    window = 10
    testFraction = 0.2
    regression = false
    classes = 10
    features = 64
    samplesPerClass = 100
    samples = 1000
  }

  /// Decodes with defaults for every key but `source`.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    self.init(source: try c.choice("source", section: "data", nil as Source?))
    path = try c.optional("path")
    files = try c.optional("files")
    target = try c.optional("target")
    taskColumn = try c.optional("task_column")
    column = try c.value("column", column)
    dateColumn = try c.value("date_column", dateColumn)
    window = try c.value("window", window)
    trainLimit = try c.optional("train_limit")
    testLimit = try c.optional("test_limit")
    testFraction = try c.value("test_fraction", testFraction)
    regression = try c.value("regression", regression)
    classes = try c.value("classes", classes)
    features = try c.value("features", features)
    samplesPerClass = try c.value("samples_per_class", samplesPerClass)
    samples = try c.value("samples", samples)
  }

  /// Encodes with the same snake_case keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(source, "source")
    try c.put(path, "path")
    try c.put(files, "files")
    try c.put(target, "target")
    try c.put(taskColumn, "task_column")
    try c.put(column, "column")
    try c.put(dateColumn, "date_column")
    try c.put(window, "window")
    try c.put(trainLimit, "train_limit")
    try c.put(testLimit, "test_limit")
    try c.put(testFraction, "test_fraction")
    try c.put(regression, "regression")
    try c.put(classes, "classes")
    try c.put(features, "features")
    try c.put(samplesPerClass, "samples_per_class")
    try c.put(samples, "samples")
  }

  /// Checks ranges and the fields each source needs.
  func validate() throws {
    switch source {
    case .idx, .series:
      try require(path != nil, "data.path", "required for source '\(source.rawValue)'")
    case .csv:
      try require(
        path != nil || !(files ?? []).isEmpty, "data.path",
        "source 'csv' needs data.path (one file) or data.files (one file per task)")
      try require(target != nil, "data.target", "source 'csv' needs the target column's name")
    case .fashionMNIST, .synthetic, .randomRegression:
      break
    }
    try require(window >= 1, "data.window", "must be at least 1 (got \(window))")
    if let trainLimit {
      try require(trainLimit >= 1, "data.train_limit", "must be at least 1 (got \(trainLimit))")
    }
    if let testLimit {
      try require(testLimit >= 1, "data.test_limit", "must be at least 1 (got \(testLimit))")
    }
    try require(
      testFraction > 0 && testFraction < 1, "data.test_fraction",
      "must be between 0 and 1 exclusive (got \(testFraction))")
    try require(classes >= 2, "data.classes", "must be at least 2 (got \(classes))")
    try require(features >= 1, "data.features", "must be at least 1 (got \(features))")
    try require(
      samplesPerClass >= 4, "data.samples_per_class",
      "must be at least 4 (got \(samplesPerClass))")
    try require(samples >= 4, "data.samples", "must be at least 4 (got \(samples))")
  }

  /// "data.key" -> value for run params.
  var flattened: [String: String] {
    var out: [String: String] = ["data.source": source.rawValue]
    if let path { out["data.path"] = path }
    if let files { out["data.files"] = files.joined(separator: ",") }
    if let target { out["data.target"] = target }
    if let taskColumn { out["data.task_column"] = taskColumn }
    if let trainLimit { out["data.train_limit"] = String(trainLimit) }
    if let testLimit { out["data.test_limit"] = String(testLimit) }
    switch source {
    case .series:
      out["data.column"] = column
      out["data.date_column"] = dateColumn
      out["data.window"] = String(window)
    case .csv:
      out["data.test_fraction"] = specText(testFraction)
      out["data.regression"] = String(regression)
    case .synthetic:
      out["data.classes"] = String(classes)
      out["data.features"] = String(features)
      out["data.samples_per_class"] = String(samplesPerClass)
    case .randomRegression:
      out["data.features"] = String(features)
      out["data.samples"] = String(samples)
    case .fashionMNIST, .idx:
      break
    }
    return out
  }
}
