import Foundation

/// Consecutive periods of a series as tasks (regression): each sample is a window of past
/// values (percent changes from the window's last value) and the next value's change.
///
/// Each period's samples stay in time order: the first part trains (prequentially: predict,
/// score, then learn), the last `test_fraction` is the period's test split for the matrix.
enum TimeWindows {
  static func makeStream(spec: ExperimentSpec, shouldStop: () -> Bool = { false }) throws
    -> TaskStream
  {
    let data = spec.data
    guard let path = data.path else {
      throw LearningError.invalidSpec(key: "data.path", message: "required for source 'series'")
    }
    let series = try PriceSeries(
      path: path, column: data.column, dateColumn: data.dateColumn, shouldStop: shouldStop)
    let (samples, targetIndices) = try series.windows(data.window)
    guard samples.count >= 4 else {
      throw LearningError.invalidData(
        file: path, line: nil, column: data.column,
        message: "\(series.values.count) values are too few for windows of \(data.window)")
    }
    var order = [String]()
    var rows = [String: [Int]]()
    for (sample, index) in targetIndices.enumerated() {
      let key: String
      if let size = spec.scenario.periodRows {
        key = "rows \(sample / size * size + 1)-\(min(samples.count, (sample / size + 1) * size))"
      } else {
        key = series.periodKey(index, period: spec.scenario.period)
      }
      if rows[key] == nil { order.append(key) }
      rows[key, default: []].append(sample)
    }
    var tasks = [LearningTask]()
    for key in order {
      if shouldStop() { throw LearningError.cancelled }
      let members = rows[key]!
      guard members.count >= 4 else { continue }  // a stub period (e.g. the last few days)
      let testCount = max(1, Int((Double(members.count) * data.testFraction).rounded()))
      // Limits keep the earliest training and the latest test samples (time order holds).
      let trainMembers = members.dropLast(testCount)
      let train = samples.subset(trainMembers.prefix(data.trainLimit ?? trainMembers.count))
      let test = samples.subset(members.suffix(min(testCount, data.testLimit ?? testCount)))
      let task = LearningTask(
        description: TaskDescription(
          index: tasks.count + 1, name: key, trainSize: train.count, testSize: test.count,
          classes: []),
        train: train, test: test, allowedOutputs: nil)
      tasks.append(task)
      if let limit = spec.scenario.tasks, tasks.count == limit { break }
    }
    return TaskStream(
      tasks: tasks, inputSize: data.window, outputSize: 1, isRegression: true,
      isChronological: true)
  }
}
