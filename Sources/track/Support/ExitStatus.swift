import Experiments
/// The process exit codes of `track` (documented in docs/cli.md).
enum ExitStatus: Int32 {
  /// Everything went well.
  case success = 0
  /// A check failed: a `--fail-if` threshold was violated or `track check` found problems.
  case checkFailed = 1
  /// The command line or a spec was wrong: bad option, unknown key, wrong type, bad filter.
  case usage = 2
  /// The run reference matches no run, or several.
  case runNotFound = 3
  /// The database could not be opened, read or written (or `track query` tried to write).
  case database = 4
  /// The experiment failed while running (data or model error); the run is marked failed.
  case experimentFailed = 5
  /// Any other runtime failure (a file that cannot be read or written, a damaged checkpoint):
  /// never 1, which CI gates read as "a check failed".
  case runtime = 6
  /// Interrupted by Ctrl-C (SIGINT); the run is marked killed (128 + SIGINT).
  case interrupted = 130
}
