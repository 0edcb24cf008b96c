import Tracking

extension StoreReading {
  /// Resolves `reference` as `resolveRun` does and, when it is a name several runs share,
  /// says which one it means (the newest, or `NAME~N`): a CI gate naming a spec's run keeps
  /// working on its second run, and the output says what it compared.
  public func resolveRun(_ reference: String, note: (String) -> Void) throws -> Run {
    let run = try resolveRun(reference)
    let text = reference.trimmingCharacters(in: .whitespaces)
    guard text == run.name || text.hasPrefix(run.name + "~") else { return run }
    let filter = RunFilter(.compare(field: "name", .equal, .text(run.name)))
    let count = try countRuns(where: filter)
    guard count > 1 else { return run }
    let which = text == run.name ? "the newest" : "the one \(text.dropFirst(run.name.count + 1)) before the newest"
    note(
      "note: '\(run.name)' names \(count) runs; '\(text)' is \(which), #\(run.id) "
        + "(\(run.name)~1 is the one before the newest; ids and UUIDs are exact)")
    return run
  }
}
