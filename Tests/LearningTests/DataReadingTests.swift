import Foundation
import Testing

@testable import Learning

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("learning-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Writes `text` to `name` in `directory`, returning the path.
@discardableResult
func write(_ text: String, to name: String, in directory: URL) throws -> String {
  let url = directory.appendingPathComponent(name)
  try Data(text.utf8).write(to: url)
  return url.path
}

@Suite struct DataReadingTests {
  private func idxBytes(dimensions: [Int], values: [UInt8]) -> Data {
    var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
    for d in dimensions {
      bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)]
    }
    return Data(bytes + values)
  }

  @Test func readsPlainAndGzippedIDX() throws {
    let dir = try temporaryDirectory()
    let images = (0..<(3 * 2 * 2)).map { UInt8($0 * 20) }
    try idxBytes(dimensions: [3, 2, 2], values: images)
      .write(to: dir.appendingPathComponent("img"))
    try idxBytes(dimensions: [3], values: [7, 1, 4]).write(to: dir.appendingPathComponent("lab"))
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gzip.arguments = ["-k", dir.appendingPathComponent("img").path]
    try gzip.run()
    gzip.waitUntilExit()
    for imagePath in ["img", "img.gz"] {
      let data = try IDXReader.load(
        images: dir.appendingPathComponent(imagePath).path,
        labels: dir.appendingPathComponent("lab").path)
      #expect(data.count == 3)
      #expect(data.featureCount == 4)
      #expect(data.targets == [7, 1, 4])
      #expect(data.imageShape?.rows == 2)
      #expect(data.featureVector(1) == [80, 100, 120, 140].map { Float($0) * (1 / 255 as Float) })
    }
  }

  @Test func rejectsTruncatedIDX() throws {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("bad").path
    try idxBytes(dimensions: [2, 3], values: [1, 2, 3]).write(to: URL(fileURLWithPath: path))
    do {
      _ = try IDXReader.read(path)
      Issue.record("truncated file accepted")
    } catch let error as LearningError {
      #expect(error.description.contains(path))
      #expect(error.description.contains("announces 6"))
    }
  }

  @Test(.enabled(if: FileManager.default.fileExists(
    atPath: FashionMNIST.defaultDirectory + "/t10k-labels-idx1-ubyte.gz")))
  func readsTheInstalledFashionMNIST() throws {
    let (train, test) = try FashionMNIST.load()
    #expect(train.count == 60_000)
    #expect(test.count == 10_000)
    #expect(train.featureCount == 784)
    #expect(test.classes == Array(0..<10))
    // Every class has exactly 1,000 test images.
    #expect(test.targets.filter { $0 == 3 }.count == 1000)
  }

  @Test func csvLoadsFeaturesTargetAndTasks() throws {
    let dir = try temporaryDirectory()
    let path = try write(
      "a,task,y,b\n1,first,0,2\n\n3,\"second\",1,4.5\n", to: "ok.csv", in: dir)
    let loaded = try CSVLoader.load(path: path, target: "y", taskColumn: "task")
    #expect(loaded.featureNames == ["a", "b"])
    #expect(loaded.dataset.targets == [0, 1])
    #expect(loaded.dataset.featureVector(1) == [3, 4.5])
    #expect(loaded.taskOfRow == ["first", "second"])
  }

  @Test func csvErrorsNameFileLineAndColumn() throws {
    let dir = try temporaryDirectory()
    let ragged = try write("a,y\n1,0\n2\n", to: "ragged.csv", in: dir)
    #expect(throws: LearningError.invalidData(
      file: ragged, line: 3, column: nil, message: "has 1 cells but the header has 2 columns")) {
      try CSVLoader.load(path: ragged, target: "y")
    }
    let text = try write("a,y\n1,0\n2,x\n", to: "text.csv", in: dir)
    #expect(throws: LearningError.invalidData(
      file: text, line: 3, column: "y", message: "'x' is not a number")) {
      try CSVLoader.load(path: text, target: "y")
    }
    let empty = try write("", to: "empty.csv", in: dir)
    #expect(throws: LearningError.invalidData(
      file: empty, line: nil, column: nil, message: "empty file; expected a header line")) {
      try CSVLoader.load(path: empty, target: "y")
    }
    let missing = try write("a,b\n1,2\n", to: "missing.csv", in: dir)
    #expect(throws: LearningError.invalidData(
      file: missing, line: 1, column: "y", message: "no such column; the header has a, b")) {
      try CSVLoader.load(path: missing, target: "y")
    }
  }
}
