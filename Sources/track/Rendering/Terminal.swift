import Experiments
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What the standard output is connected to: decides colors, widths and progress display.
struct Terminal {
  /// Standard output is an interactive terminal.
  var isInteractive: Bool
  /// ANSI colors may be written (a terminal, and NO_COLOR unset, and TERM not "dumb").
  var usesColor: Bool
  /// Columns available for a line.
  var width: Int

  /// The terminal of this process, from isatty(3), NO_COLOR, TERM and COLUMNS.
  static let current: Terminal = {
    let env = ProcessInfo.processInfo.environment
    let interactive = isatty(STDOUT_FILENO) == 1
    let noColor = !(env["NO_COLOR"] ?? "").isEmpty
    let dumb = env["TERM"] == "dumb"
    let forced = env["TRACK_COLOR"] == "always"
    var columns = Int(env["COLUMNS"] ?? "") ?? 0
    if columns <= 0, interactive {
      var size = winsize()
      if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 { columns = Int(size.ws_col) }
    }
    return Terminal(
      isInteractive: interactive,
      usesColor: forced || (interactive && !noColor && !dumb),
      width: columns > 0 ? columns : 100)
  }()

  /// Standard error is an interactive terminal (where the progress bar goes).
  static var errorIsInteractive: Bool { isatty(STDERR_FILENO) == 1 }

  /// Standard input is an interactive terminal (someone can answer a question).
  static var inputIsInteractive: Bool { isatty(STDIN_FILENO) == 1 }

  /// Columns of the terminal standard error is on (the progress bar's line): `COLUMNS`
  /// when set, else the terminal's size, else 80.
  static var errorWidth: Int {
    if let columns = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? ""), columns > 0 {
      return columns
    }
    var size = winsize()
    if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
      return Int(size.ws_col)
    }
    return 80
  }

  /// Wraps `text` in an ANSI style when colors are on.
  func styled(_ text: String, _ style: Style) -> String {
    guard usesColor, style != .plain else { return text }
    return "\u{1B}[\(style.code)m\(text)\u{1B}[0m"
  }

  /// ANSI text styles used by the renderers.
  enum Style: Equatable {
    case plain, bold, dim, red, green, yellow, cyan
    /// A 256-color background with a dark foreground (heatmap cells).
    case background(Int)

    var code: String {
      switch self {
      case .plain: return "0"
      case .bold: return "1"
      case .dim: return "2"
      case .red: return "31"
      case .green: return "32"
      case .yellow: return "33"
      case .cyan: return "36"
      case .background(let color): return "38;5;16;48;5;\(color)"
      }
    }
  }
}

/// Writes to standard error without buffering surprises.
enum StandardError {
  /// Writes `text` to standard error as is.
  static func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// Writes one line (a note the library wants the user to see).
  static func note(_ line: String) {
    write(line + "\n")
  }
}
