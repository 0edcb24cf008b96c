import Foundation

/// Fashion-MNIST (or any MNIST-layout directory): train and test splits from IDX files.
public enum FashionMNIST {
  /// Where the Debian package `dataset-fashion-mnist` installs the files.
  public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

  /// Loads `train-*` and `t10k-*` IDX files (plain or `.gz`) from `directory`; every label
  /// must be one of `classes` (Fashion-MNIST has 10). `shouldStop` is asked once per MiB
  /// read (`LearningError.cancelled` when it turns true).
  public static func load(
    directory: String = defaultDirectory, classes: Int = 10, shouldStop: () -> Bool = { false }
  ) throws -> (
    train: Dataset, test: Dataset
  ) {
    func file(_ stem: String) throws -> String {
      for candidate in ["\(directory)/\(stem).gz", "\(directory)/\(stem)"]
      where FileManager.default.fileExists(atPath: candidate) {
        return candidate
      }
      throw LearningError.invalidData(
        file: "\(directory)/\(stem)[.gz]", line: nil, column: nil,
        message: "missing; install the data (apt-get install dataset-fashion-mnist) or set"
          + " data.path to a directory with MNIST-format IDX files")
    }
    let train = try IDXReader.load(
      images: try file("train-images-idx3-ubyte"), labels: try file("train-labels-idx1-ubyte"),
      classes: classes, shouldStop: shouldStop)
    let test = try IDXReader.load(
      images: try file("t10k-images-idx3-ubyte"), labels: try file("t10k-labels-idx1-ubyte"),
      classes: classes, shouldStop: shouldStop)
    return (train, test)
  }
}
