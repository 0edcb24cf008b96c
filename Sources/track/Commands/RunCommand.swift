import ArgumentParser
import Experiments
import Foundation
import Learning
import Tracking

/// `track run SPEC`: runs a continual-learning experiment and records it as a run.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run the experiment a spec file (YAML or JSON) describes and record it.",
    discussion: """
      Examples:
        track run Examples/split-fashion-mnist-replay.yaml
        track run spec.yaml --set optimizer.lr=0.05 --set model.hidden=[128,128]
        track run spec.yaml --from latest --set scenario.tasks=10
      Ctrl-C stops after the current batch and marks the run `killed`, keeping
      everything logged so far (exit 130). A failure marks it `failed` (exit 5).
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("The spec file (YAML or JSON).", valueName: "spec"))
  var specPath: String

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "Override a spec value, e.g. training.epochs=2 (repeatable; the value is YAML).",
      valueName: "key.path=value"))
  var overrides: [String] = []

  @Option(help: ArgumentHelp("Run name (overrides the spec's name).", valueName: "name"))
  var name: String?

  @Option(help: ArgumentHelp("Seed (overrides the spec's seed).", valueName: "n"))
  var seed: Int?

  @Option(
    name: .customLong("from"),
    help: ArgumentHelp(
      "Continue from an earlier run: start from its latest weights, optimizer state, "
        + "knowledge base and matrix.", valueName: "run"))
  var from: String?

  @Option(
    name: .customLong("tag"),
    help: ArgumentHelp("Set a tag on the run (repeatable; `track sweep` tags its runs).",
                       valueName: "key=value"))
  var tags: [String] = []

  @Flag(help: "Print plain progress lines even on a terminal.")
  var plain = false

  func validate() throws {
    if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ValidationError("--name must not be empty; give the run a name or leave --name out")
    }
    for tag in tags where !tag.contains("=") || tag.hasPrefix("=") {
      throw ValidationError("--tag \(tag): write key=value, e.g. --tag sweep=lr-grid")
    }
  }

  /// `--tag key=value` options as a dictionary (a later one wins).
  var tagValues: [String: String] {
    var out: [String: String] = [:]
    for tag in tags {
      let parts = tag.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      out[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    return out
  }

  func run() throws {
    var spec = try loadSpec()
    if let name { spec.name = name }
    // --from names a run in an existing store: open it read-write, never create it.
    let opened = try from == nil ? store.openForWriting() : store.openExisting()
    let interrupt = InterruptFlag()
    interrupt.install()
    defer { interrupt.uninstall() }
    let display = ProgressDisplay(interactive: Terminal.errorIsInteractive && !plain)
    let threads = spec.training.threads
    let runner = ExperimentRunner(
      store: opened, command: (["track"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
      shouldStop: { interrupt.isRaised },
      events: { event in
        switch event {
        case .started(let run):
          StandardError.write("Run #\(run.id) \(run.name) started in \(opened.location)\n")
          StandardError.write(RunCommand.machineLine(threads: threads) + "\n")
        case .progress(let progress): RunCommand.show(progress, on: display)
        case .trainingEnded: display.finish()
        case .note(let note): StandardError.write(note + "\n")
        }
      })
    let id = try runner.run(spec, specPath: specPath, from: from, tags: tagValues)
    try printSummary(id: id, store: opened)
  }

  /// The second header line: what the numbers depend on besides spec and seed (the run's
  /// `cpu` and `blas` tags, and the thread count), e.g.
  /// `cpu: AMD EPYC · BLAS: OpenBLAS 0.3.21 Cooperlake · 1 thread`, with what chose the
  /// kernel when OpenBLAS did not (`(OPENBLAS_CORETYPE)`, `(CPU features; OpenBLAS picked Prescott)`).
  static func machineLine(threads: Int) -> String {
    let choice = MachineInfo.kernelChoice == .openBLAS
      ? "" : " (\(MachineInfo.kernelChoice.description))"
    return "cpu: \(MachineInfo.cpuModel) · BLAS: \(MachineInfo.blasKernel)\(choice) · \(threads) "
      + (threads == 1 ? "thread" : "threads")
  }

  /// Loads and validates the spec, with `--set` and `--seed` applied.
  func loadSpec() throws -> ExperimentSpec {
    var document = try SpecDocument.load(path: specPath)
    var spec = try SpecLoader.load(document: &document, overrides: overrides)
    if let seed {
      spec.seed = seed
      try SpecLoader.validate(spec, in: document)
    }
    try SpecLoader.checkDataPaths(spec, in: document)
    try SpecLoader.checkData(spec, in: document)
    return spec
  }

  /// Streams with more tasks than this print only the summaries after the run.
  static let largestPrintedMatrix = 12

  /// The finished run's matrix and summaries on standard output.
  func printSummary(id: RunID, store: any TrackStore) throws {
    let run = try store.run(id)
    let matrix = try store.matrix(of: id)
    let terminal = Terminal.current
    var out = "Run #\(run.id) \(run.name) \(run.status.rawValue)"
    out += " in \(TimeDisplay.duration(run.duration))\n"
    if matrix.taskCount > RunCommand.largestPrintedMatrix {
      // 32 yearly tasks make a 300-column grid that wraps into noise: point at it instead.
      out += "matrix of \(matrix.taskCount) tasks, too wide to print here: track matrix "
        + "\(run.id) (or --format csv)\n"
    } else if matrix.taskCount > 0 {
      out += Heatmap.table(
        rows: matrix.rows, taskCount: matrix.taskCount, terminal: terminal,
        taskNames: try store.tasks(of: id).map(\.name))
        .aligned(terminal: terminal)
    }
    if matrix.taskCount > 0 {
      let parts: [(String, Double?)] = [
        ("ACC", matrix.accuracy), ("BWT", matrix.backwardTransfer),
        ("FWT", matrix.forwardTransfer), ("forgetting", matrix.forgetting),
      ]
      out += parts.map { "\($0.0) \(NumberFormatting.score($0.1))" }.joined(separator: "  ")
      out += "\n"
    }
    Output.write(out)
  }

  /// Forwards one progress report to the display.
  static func show(_ progress: TrainingProgress, on display: ProgressDisplay) {
    if progress.phase == .evaluating {
      display.evaluating(
        task: progress.task, taskCount: progress.taskCount, fraction: fraction(progress))
      return
    }
    display.update(
      task: progress.task, taskCount: progress.taskCount, epoch: progress.epoch,
      epochCount: progress.epochCount, batch: progress.batch, batchCount: progress.batchCount,
      loss: progress.phase == .training ? progress.loss : nil,
      fraction: RunCommand.fraction(progress))
  }

  /// The share of the whole stream done: finished tasks, epochs and batches.
  static func fraction(_ progress: TrainingProgress) -> Double {
    guard progress.taskCount > 0 else { return 0 }
    let done = Double(max(progress.task - 1, 0))
    guard progress.phase == .training, progress.epochCount > 0, progress.batchCount > 0 else {
      return min(1, Double(progress.task) / Double(progress.taskCount))
    }
    let epochs = Double(progress.epoch - 1) + Double(progress.batch) / Double(progress.batchCount)
    return min(1, (done + epochs / Double(progress.epochCount)) / Double(progress.taskCount))
  }
}
