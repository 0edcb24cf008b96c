import Foundation

/// Fashion-MNIST (or any MNIST-layout directory): train and test splits from IDX files.
public enum FashionMNIST {
  /// Where the Debian package `dataset-fashion-mnist` installs the files.
  public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

  /// Loads `train-*` and `t10k-*` IDX files (plain or `.gz`) from `directory`.
  public static func load(directory: String = defaultDirectory) throws -> (
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
      images: try file("train-images-idx3-ubyte"), labels: try file("train-labels-idx1-ubyte"))
    let test = try IDXReader.load(
      images: try file("t10k-images-idx3-ubyte"), labels: try file("t10k-labels-idx1-ubyte"))
    return (train, test)
  }
}
