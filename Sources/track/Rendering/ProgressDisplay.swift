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

  /// A display for this process's standard error.
  init(interactive: Bool = Terminal.errorIsInteractive) {
    self.interactive = interactive
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
      let width = 24
      let filled = min(width, max(0, Int((fraction * Double(width)).rounded())))
      let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
      let line =
        "task \(task)/\(taskCount)  epoch \(epoch)/\(epochCount)  batch \(batch)/\(batchCount)"
        + "  \(bar) \(Int(fraction * 100))%  loss \(lossText)"
        + "  ETA \(NumberFormatting.duration(eta).isEmpty ? "-" : NumberFormatting.duration(eta))"
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
    let width = 24
    let filled = min(width, max(0, Int((fraction * Double(width)).rounded())))
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    StandardError.write("\r\u{1B}[2K" + "evaluating \(what)  \(bar) \(Int(fraction * 100))%")
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
