import Experiments
import ArgumentParser

/// How a listing is printed: `--format table|json|csv|md`.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
  case table, json, csv, md

  /// One-line help shared by every listing command.
  static let help = ArgumentHelp(
    "Output format: table (aligned, for people), json (stable, see docs/cli.md), csv or md.",
    valueName: "table|json|csv|md")
}
