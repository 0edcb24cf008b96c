import Experiments
import Foundation

/// Writes command output to standard output.
enum Output {
  /// Prints `text` as is (it carries its own final newline).
  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }
}
