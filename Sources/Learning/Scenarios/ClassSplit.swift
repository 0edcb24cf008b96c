import Foundation

/// Split by classes: each task brings new classes (class- or task-incremental).
///
/// Class-incremental keeps one head over every class (the model must tell all classes seen
/// so far apart); task-incremental masks the logits to the task's own classes.
enum ClassSplit {
  static func tasks(
    train: Dataset, test: Dataset, spec: ExperimentSpec, outputSize: Int,
    shouldStop: () -> Bool = { false }
  ) throws -> [LearningTask] {
    let scenario = spec.scenario
    let present = train.classes
    let order = scenario.classOrder ?? present
    for label in order where !present.contains(label) {
      throw LearningError.invalidSpec(
        key: "scenario.class_order",
        message: "class \(label) has no training samples; the data has \(present)")
    }
    let taskCount = scenario.tasks ?? (scenario.classesPerTask.map { order.count / $0 } ?? 5)
    let perTask = scenario.classesPerTask ?? order.count / max(1, taskCount)
    guard perTask >= 1, taskCount * perTask <= order.count else {
      throw LearningError.invalidSpec(
        key: "scenario.tasks",
        message: "\(taskCount) tasks of \(perTask) classes need \(taskCount * perTask) classes,"
          + " but the data has \(order.count); lower scenario.tasks or classes_per_task")
    }
    var tasks = [LearningTask]()
    for t in 0..<taskCount {
      if shouldStop() { throw LearningError.cancelled }
      let classes = Array(order[(t * perTask)..<((t + 1) * perTask)])
      let wanted = Set(classes)
      let trainPart = train.subset((0..<train.count).filter { wanted.contains(train.label($0)) })
      let testPart = test.subset((0..<test.count).filter { wanted.contains(test.label($0)) })
      var mask: [Bool]? = nil
      if scenario.type == .taskIncremental {
        mask = (0..<outputSize).map { wanted.contains($0) }
      }
      let name = "classes " + classes.map(String.init).joined(separator: ",")
      tasks.append(
        LearningTask(
          description: TaskDescription(
            index: t + 1, name: name, trainSize: trainPart.count, testSize: testPart.count,
            classes: classes),
          train: trainPart, test: testPart, allowedOutputs: mask))
    }
    return tasks
  }
}
