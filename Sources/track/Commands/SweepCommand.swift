import ArgumentParser
import Experiments
import Foundation
import Learning
import Tracking

/// `track sweep SPEC --grid key=[a,b] … --seeds N`: every combination × seed as its own run.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run a spec over a grid of values and seeds, each combination its own run.",
    discussion: """
      Examples:
        track sweep spec.yaml --grid strategy.memory_size=[200,500,2000] --seeds 3
        track sweep spec.yaml --grid optimizer.lr=[0.01,0.05] --seeds 11,12,13 --jobs 2
        track runs --where "tag.sweep = 'NAME'" --group-by strategy.memory_size
      Each run is a `track run` process of this binary into the same store, named
      after the sweep, its values and its seed, with the tag sweep=NAME (and the
      sweep's name as experiment when the spec has none). Running the same sweep
      again skips the combinations it already finished. Ctrl-C stops every
      running run after its current batch (marked killed) and starts no more.
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("The spec file (YAML or JSON).", valueName: "spec"))
  var specPath: String

  @Option(
    name: .customLong("grid"),
    help: ArgumentHelp(
      "A key and its values, e.g. optimizer.lr=[0.01,0.05] (repeatable: every combination).",
      valueName: "key=[a,b,…]"))
  var grid: [String] = []

  @Option(
    help: ArgumentHelp(
      "Seeds per combination: a count N (the spec's seed and the N−1 after it) or a list "
        + "(11,12,13).", valueName: "n|list"))
  var seeds: String = "1"

  @Option(help: ArgumentHelp("Runs at a time (separate processes).", valueName: "n"))
  var jobs: Int = 1

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp("Override a spec value in every run (repeatable).", valueName: "key=value"))
  var overrides: [String] = []

  @Option(
    help: ArgumentHelp(
      "The sweep's name: its runs' tag sweep=NAME and the prefix of their names (default: "
        + "the spec's name).", valueName: "name"))
  var name: String?

  @Flag(help: "Print one line per event even on a terminal.")
  var plain = false

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
  }

  func run() throws {
    // The spec with every override and grid value checked before anything starts.
    var document = try SpecDocument.load(path: specPath)
    let spec = try SpecLoader.load(document: &document, overrides: overrides)
    let sweepName =
      name ?? spec.name
      ?? URL(fileURLWithPath: specPath).deletingPathExtension().lastPathComponent
    let plan = try SweepPlan(
      name: sweepName, grid: grid, seeds: try SweepPlan.seeds(seeds, first: spec.seed))
    for index in stride(from: 0, to: plan.cells.count, by: plan.seeds.count) {
      let cell = plan.cells[index]
      var each = try SpecDocument.load(path: specPath)
      _ = try SpecLoader.load(
        document: &each, overrides: overrides + cell.overrides.map { "\($0.key)=\($0.value)" })
    }
    try SpecLoader.checkDataPaths(spec, in: document)
    let opened = try store.openForWriting()
    let finished = try SweepRunner.finishedNames(of: plan, in: opened)
    let experiment = spec.experiment == nil ? ["--set", "experiment=\(sweepName)"] : []
    let location = store.path
    let common = overrides.flatMap { ["--set", $0] } + experiment
    let interrupt = InterruptFlag()
    interrupt.install()
    defer { interrupt.uninstall() }
    let display = SweepDisplay(
      plan: plan, interactive: Terminal.errorIsInteractive && !plain, jobs: jobs)
    StandardError.write(
      "Sweep \(sweepName): \(plan.cells.count) runs (\(plan.cells.count / plan.seeds.count) "
        + "combinations × \(plan.seeds.count) seeds), \(jobs) at a time, into \(opened.location)\n")
    StandardError.write(RunCommand.machineLine(threads: spec.training.threads) + "\n")
    let runner = SweepRunner(
      plan: plan, executable: SweepCommand.executable, jobs: jobs,
      arguments: { cell in
        ["run", specPath, "--db", location, "--plain", "--seed", String(cell.seed),
         "--name", cell.name, "--tag", "sweep=\(sweepName)"]
          + common + cell.overrides.flatMap { ["--set", "\($0.key)=\($0.value)"] }
      },
      shouldStop: { interrupt.isRaised },
      events: { display.show($0, store: opened) })
    let outcome = try runner.run(skipping: finished)
    display.finish(outcome)
    if interrupt.isRaised {
      throw ExperimentError(
        .interrupted,
        "sweep \(sweepName) interrupted: \(outcome.finished) runs finished, "
          + "\(outcome.interrupted) marked killed, \(outcome.notStarted) not started; run the "
          + "same command again to complete it")
    }
    if outcome.failed > 0 {
      throw CLIError(
        .experimentFailed,
        "\(outcome.failed) of the sweep's runs failed (see above); the others are in "
          + "\(opened.location)")
    }
    let keys = plan.axes.isEmpty ? "experiment" : plan.axes.map(\.key).joined(separator: ",")
    Output.write(
      "Sweep \(sweepName): \(outcome.finished) finished, \(outcome.skipped) already done. "
        + "Summary: track runs --where \"tag.sweep = '\(sweepName)'\" --group-by \(keys)\n")
  }

  /// This very binary, so every run of the sweep uses the same code.
  static var executable: URL {
    let link = URL(fileURLWithPath: "/proc/self/exe")
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: link.path) {
      return URL(fileURLWithPath: resolved)
    }
    return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
  }
}

/// The sweep's one progress display: a line that updates in place on a terminal, one line
/// per event otherwise.
final class SweepDisplay {
  private let total: Int
  private let interactive: Bool
  private var done = 0
  private var failed = 0
  private var running = 0
  private var skipped = 0
  private let started = Date()
  private var last = ""

  init(plan: SweepPlan, interactive: Bool, jobs: Int) {
    total = plan.cells.count
    self.interactive = interactive
  }

  func show(_ event: SweepRunner.Event, store: any TrackStore) {
    switch event {
    case .skipped(let cells):
      skipped = cells.count
      write("skipping \(cells.count) runs already finished")
    case .started(let cell):
      running += 1
      if !interactive { write("started \(cell.name)") }
    case .ended(let cell, let status, let seconds, let tail):
      running -= 1
      if status == 0 {
        done += 1
        last = "\(cell.name) ACC \(NumberFormatting.score(accuracy(of: cell, in: store)))"
          + " in \(TimeDisplay.duration(seconds))"
      } else if status == 130 {
        last = "\(cell.name) interrupted"
      } else {
        failed += 1
        clearLine()
        StandardError.write("run \(cell.name) failed (exit \(status)):\n\(tail)\n")
      }
      write(last)
    }
  }

  func finish(_ outcome: SweepRunner.Outcome) {
    if interactive { StandardError.write("\n") }
  }

  private func accuracy(of cell: SweepPlan.Cell, in store: any TrackStore) -> Double? {
    let filter = try? RunFilter.parse("name = '\(cell.name.replacingOccurrences(of: "'", with: ""))'")
    return (try? store.runs(where: filter, sort: [], limit: 1))?.first?.summary["acc"]
  }

  private func status() -> String {
    let elapsed = TimeDisplay.duration(Date().timeIntervalSince(started))
    return "sweep \(done + skipped)/\(total) done, \(running) running"
      + (failed > 0 ? ", \(failed) failed" : "") + " · \(elapsed)"
  }

  private func clearLine() { if interactive { StandardError.write("\r\u{1B}[K") } }

  private func write(_ message: String) {
    if interactive {
      StandardError.write("\r\u{1B}[K\(status()) · \(message)")
    } else {
      StandardError.write("\(status()) · \(message)\n")
    }
  }
}
