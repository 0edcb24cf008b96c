/// One task of a run's continual-learning stream.
public struct TaskRecord: Equatable, Sendable {
  /// 1-based position in the stream.
  public var index: Int
  /// Display name ("classes 0-1").
  public var name: String
  /// Training examples.
  public var trainSize: Int
  /// Test examples.
  public var testSize: Int
  /// Class labels the task contains; empty for regression.
  public var classes: [Int]

  /// Creates a task record.
  public init(index: Int, name: String, trainSize: Int, testSize: Int, classes: [Int] = []) {
    self.index = index
    self.name = name
    self.trainSize = trainSize
    self.testSize = testSize
    self.classes = classes
  }
}
