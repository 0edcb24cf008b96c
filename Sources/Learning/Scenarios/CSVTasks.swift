import Foundation

/// User-listed tasks from CSV: one file per task, or one file with a task column; or a class
/// split of one CSV file. Each task's rows are split into train and test by a seeded shuffle.
enum CSVTasks {
  static func makeStream(spec: ExperimentSpec, shouldStop: () -> Bool = { false }) throws
    -> TaskStream
  {
    let data = spec.data
    guard let target = data.target else {
      throw LearningError.invalidSpec(key: "data.target", message: "required for source 'csv'")
    }
    var random = SeededGenerator(seed: UInt64(spec.seed) ^ 0xC5F)
    // Class labels must be whole numbers among data.classes; the loader names the line.
    let classes = data.regression ? nil : data.classes
    var groups = [(name: String, data: Dataset, file: String)]()
    if let files = data.files, !files.isEmpty {
      for file in files {
        let loaded = try CSVLoader.load(
          path: file, target: target, classes: classes, shouldStop: shouldStop)
        let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        groups.append((name, loaded.dataset, file))
      }
    } else if let path = data.path {
      let loaded = try CSVLoader.load(
        path: path, target: target, taskColumn: data.taskColumn, classes: classes,
        shouldStop: shouldStop)
      if let taskOfRow = loaded.taskOfRow {
        var order = [String]()
        var rows = [String: [Int]]()
        for (row, task) in taskOfRow.enumerated() {
          if rows[task] == nil { order.append(task) }
          rows[task, default: []].append(row)
        }
        for task in order { groups.append((task, loaded.dataset.subset(rows[task]!), path)) }
      } else if spec.scenario.type == .tasks {
        throw LearningError.invalidSpec(
          key: "data.task_column",
          message: "scenario 'tasks' over one file needs data.task_column (or list data.files)")
      } else {
        groups.append(("all", loaded.dataset, path))
      }
    }
    let widths = Set(groups.map(\.data.featureCount))
    guard widths.count == 1, let inputSize = widths.first else {
      throw LearningError.invalidData(
        file: groups.map(\.file).joined(separator: ", "), line: 1, column: nil,
        message: "task files have different numbers of feature columns (\(widths.sorted()))")
    }
    let splits = groups.map { group -> (String, Dataset, Dataset) in
      var order = Array(0..<group.data.count)
      random.shuffle(&order)
      let testCount = max(1, Int((Double(order.count) * data.testFraction).rounded()))
      let test = group.data.subset(order.prefix(testCount).sorted())
      let train = group.data.subset(order.dropFirst(testCount).sorted())
      return (group.name, train, test)
    }
    let outputSize = data.regression
      ? 1 : Int(groups.flatMap(\.data.targets).max() ?? 0) + 1
    if spec.scenario.type != .tasks, let (_, train, test) = splits.first {
      return try Scenario.makeImageStream(
        train: train, test: test, spec: spec, shouldStop: shouldStop)
    }
    var tasks = [LearningTask]()
    for (offset, (name, train, test)) in splits.enumerated() {
      guard train.count > 0 else {
        throw LearningError.invalidData(
          file: groups[offset].file, line: nil, column: data.taskColumn,
          message: "task '\(name)' has too few rows to split into train and test")
      }
      let task = LearningTask(
        description: TaskDescription(
          index: offset + 1, name: name, trainSize: train.count, testSize: test.count,
          classes: data.regression ? [] : train.classes),
        train: train, test: test, allowedOutputs: nil)
      tasks.append(Scenario.limited(task, spec: data, seed: UInt64(spec.seed)))
    }
    if let limit = spec.scenario.tasks { tasks = Array(tasks.prefix(limit)) }
    return TaskStream(
      tasks: tasks, inputSize: inputSize, outputSize: outputSize, isRegression: data.regression,
      isChronological: false)
  }
}
