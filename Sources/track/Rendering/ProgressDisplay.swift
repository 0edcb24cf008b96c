import Experiments
import Foundation

/// Training progress: a redrawn bar on a terminal, plain lines in a pipe.
///
/// Writes to standard error so that standard output stays clean for the run summary.
final class ProgressDisplay {
  private let interactive: Bool
  private let started = Date()
  private var lastDraw = Date.distantPast
  private var lastPlainKey = ""
  private var drewBar = false
  private let width: () -> Int

  /// A display for this process's standard error; `width` is asked at every redraw, so a
  /// resized terminal is followed.
  init(
    interactive: Bool = Terminal.errorIsInteractive, width: @escaping () -> Int = {
      Terminal.errorWidth
    }
  ) {
    self.interactive = interactive
    self.width = width
  }

  /// One bar line of `parts` (joined by two spaces; the part "\u{0}" is the bar and its
  /// percentage) that fits in `width` columns without wrapping: a line as wide as the
  /// terminal would wrap and every `\r` redraw would add a line. Narrower terminals get a
  /// shorter bar, then lose the batch counter, then the bar, then the line is cut.
  static func fit(_ parts: [String], fraction: Double, width: Int) -> String {
    let limit = max(width - 1, 10)
    let percent = "\(Int(fraction * 100))%"
    func bar(_ size: Int) -> String {
      let filled = min(size, max(0, Int((fraction * Double(size)).rounded())))
      return String(repeating: "█", count: filled) + String(repeating: "░", count: size - filled)
        + " " + percent
    }
    func line(_ parts: [String], bar text: String?) -> String {
      parts.compactMap { $0 == "\u{0}" ? text : $0 }.joined(separator: "  ")
    }
    for size in [24, 16, 10] {
      let text = line(parts, bar: bar(size))
      if text.count <= limit { return text }
    }
    let shorter = parts.filter { !$0.hasPrefix("batch ") }
    for size in [10, 6] {
      let text = line(shorter, bar: bar(size))
      if text.count <= limit { return text }
    }
    let text = line(shorter, bar: percent)
    return text.count <= limit ? text : String(text.prefix(limit))
  }

  /// Shows one progress report; `fraction` is the share of the whole stream done.
  func update(
    task: Int, taskCount: Int, epoch: Int, epochCount: Int, batch: Int, batchCount: Int,
    loss: Double?, fraction: Double
  ) {
    let now = Date()
    let elapsed = now.timeIntervalSince(started)
    let eta = fraction > 0.001 ? elapsed * (1 - fraction) / fraction : nil
    let lossText = loss.map { String(format: "%.4f", $0) } ?? "-"
    // Evaluation reports (no batches) only move the bar; plain output skips them.
    if batchCount == 0, !interactive { return }
    if interactive {
      let done = batch == batchCount && epoch == epochCount && task == taskCount
      guard done || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
      lastDraw = now
      let etaText = NumberFormatting.duration(eta).isEmpty ? "-" : NumberFormatting.duration(eta)
      let line = ProgressDisplay.fit(
        [
          "task \(task)/\(taskCount)", "epoch \(epoch)/\(epochCount)",
          "batch \(batch)/\(batchCount)", "\u{0}", "loss \(lossText)", "ETA \(etaText)",
        ], fraction: fraction, width: width())
      StandardError.write("\r\u{1B}[2K" + line)
      drewBar = true
    } else {
      // One line per finished epoch keeps logs readable.
      guard batch == batchCount else { return }
      let key = "\(task).\(epoch)"
      guard key != lastPlainKey else { return }
      lastPlainKey = key
      StandardError.write(
        "task \(task)/\(taskCount) epoch \(epoch)/\(epochCount) loss \(lossText)"
          + " elapsed \(NumberFormatting.duration(elapsed))\n")
    }
  }

  /// Shows that the model is being evaluated on every task (after `task`; 0 = baseline).
  func evaluating(task: Int, taskCount: Int, fraction: Double) {
    guard interactive else { return }
    let what = task == 0 ? "baseline" : "after task \(task)/\(taskCount)"
    let line = ProgressDisplay.fit(["evaluating \(what)", "\u{0}"], fraction: fraction, width: width())
    StandardError.write("\r\u{1B}[2K" + line)
    drewBar = true
  }

  /// Writes a message on its own line (clearing the bar first).
  func note(_ message: String) {
    finish()
    StandardError.write(message + "\n")
  }

  /// Ends the bar's line so later output starts on a fresh line.
  func finish() {
    if drewBar {
      StandardError.write("\n")
      drewBar = false
    }
  }
}
