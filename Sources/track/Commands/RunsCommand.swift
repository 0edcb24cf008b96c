import ArgumentParser
import Experiments
import Foundation
import Tracking

/// `track runs`: lists runs, filtered, sorted and limited.
struct RunsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs",
    abstract: "List runs with their status, summary metrics and chosen parameters.",
    discussion: """
      Examples:
        track runs --where 'acc > 0.8 and strategy.type = replay' --sort -acc
        track runs --columns id,name,strategy.type,acc,bwt --format md
        track runs --group-by strategy.type,strategy.memory_size --where 'tag.sweep = s1'
      Filter identifiers: parameters (e.g. optimizer.lr), summary metrics (acc,
      bwt, fwt, forgetting, latest metric values), status, name, experiment,
      tag.KEY.
      """)

  @OptionGroup var store: StoreOptions

  @Option(
    name: .customLong("where"),
    help: ArgumentHelp(
      "Filter, e.g. 'acc > 0.8 and optimizer.lr = 0.01 and status = finished'.",
      valueName: "expr"))
  var filter: String?

  // `.unconditional`: `--sort -acc` (the documented form) must not read `-acc` as an option.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Sort keys, comma-separated; a leading '-' sorts descending (e.g. -acc,name; "
        + "default: newest first).",
      valueName: "keys"))
  var sort: String?

  // `.unconditional`: `--limit -1` reaches validate() (a clear message) instead of the parser
  // reading -1 as an option and reporting a missing value.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Show at most this many runs.", valueName: "n"))
  var limit: Int?

  @Flag(help: "List every run (by default a page of \(RunsCommand.pageSize); --limit sets another).")
  var all = false

  /// Runs listed when neither --limit nor --all is given.
  static let pageSize = 50

  @Option(
    help: ArgumentHelp(
      "Columns, comma-separated: id, uuid, name, experiment, status, created, duration, from, "
        + "any summary metric or parameter key.", valueName: "list"))
  var columns: String?

  @Option(
    name: .customLong("group-by"),
    help: ArgumentHelp(
      "One row per group of runs sharing these parameters (or experiment, status, name): n "
        + "and mean ± sd of acc, bwt, fwt, forgetting and the metrics in --columns; every "
        + "matching run is grouped (no page).", valueName: "keys"))
  var groupBy: String?

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func validate() throws {
    if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more, not \(limit)") }
  }

  func run() throws {
    let opened = try store.openForReading()
    let parsedFilter = try filter.map { try RunFilter.parse($0) }
    let sortKeys = try RunsCommand.parseSort(sort)
    if parsedFilter != nil || !sortKeys.isEmpty {
      let names = try opened.fieldNames()
      try parsedFilter.map {
        try RunKeyCheck.check($0.expression.fields, option: "--where", against: names)
      }
      try RunKeyCheck.check(sortKeys.map(\.key), option: "--sort", against: names)
    }
    if let groupBy {
      try listGroups(keys: RunsCommand.split(groupBy), filter: parsedFilter, store: opened)
      return
    }
    let page = all ? nil : (limit ?? RunsCommand.pageSize)
    let runs = try opened.runs(where: parsedFilter, sort: sortKeys, limit: page)
    if let page, limit == nil, runs.count == page {
      let total = try opened.countRuns(where: parsedFilter)
      if total > page {
        StandardError.write(
          "note: showing \(page) of \(total) runs (newest first unless --sort); "
            + "--limit N or --all for more\n")
      }
    }
    let chosen = columns.map(RunsCommand.split) ?? RunColumns.defaults(for: runs)
    switch format {
    case .json:
      Output.write(JSONValue.array(runs.map(RunJSON.summary)).rendered())
    default:
      let table = try RunColumns.table(runs, columns: chosen, exact: format == .csv)
      Output.write(table.rendered(format, terminal: .current))
    }
  }

  /// `--group-by`: the groups of every matching run (`RunGrouping`), in `format`.
  private func listGroups(keys: [String], filter: RunFilter?, store: any TrackStore) throws {
    guard !keys.isEmpty else { throw ValidationError("--group-by needs at least one key") }
    if let tag = keys.first(where: { $0.hasPrefix("tag.") }) {
      throw ValidationError(
        "--group-by \(tag): runs are grouped by parameters or experiment, status, name; "
          + "select by a tag with --where \"\(tag) = VALUE\"")
    }
    let names = try store.fieldNames()
    try RunKeyCheck.check(
      keys.filter { !RunGrouping.fields.contains($0) }, option: "--group-by", against: names)
    let runs = try store.runs(where: filter, sort: [], limit: limit)
    let metrics = try GroupColumns.metrics(for: runs, extra: columns.map(RunsCommand.split) ?? [])
    let groups = RunGrouping.groups(runs.reversed(), by: keys, metrics: metrics)
    switch format {
    case .json:
      Output.write(JSONValue.array(groups.map { $0.json(keys: keys, metrics: metrics) }).rendered())
    default:
      let table = GroupColumns.table(groups, keys: keys, metrics: metrics, exact: format == .csv)
      Output.write(table.rendered(format, terminal: .current))
    }
  }

  /// "-acc,name" -> [acc descending, name ascending] ("acc:desc" works too).
  static func parseSort(_ text: String?) throws -> [RunSort] {
    guard let text else { return [] }
    return try split(text).map { try RunSort.parse($0) }
  }

  /// Comma-separated list, trimmed, empty items dropped.
  static func split(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
  }
}
