import ArgumentParser
import Experiments
import Foundation
import Tracking

/// `track init`: creates (or upgrades) the database file.
struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create the database file (or upgrade an existing one to this version's schema).")

  @OptionGroup var store: StoreOptions

  @Option(
    name: .customLong("stale-after"),
    help: ArgumentHelp(
      "Seconds without a heartbeat after which a running run reads as crashed (default 60; "
        + "at least 10). Stored in the file.", valueName: "seconds"))
  var staleAfter: Double?

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func run() throws {
    let existed = store.location.exists()
    let opened = try store.openForWriting()
    if let staleAfter { try opened.setStaleHeartbeat(staleAfter) }
    var text =
      "\(existed ? "Opened existing" : "Created") track database at \(opened.location) "
      + "(schema version \(opened.schemaVersion))\n"
    if let staleAfter {
      text +=
        "A running run now reads as crashed after \(StoreValue.format(staleAfter)) s without a "
        + "heartbeat\n"
    }
    let fields = FieldList(fields: [
      ("path", .string(opened.location)), ("created", .bool(!existed)),
      ("schema_version", .integer(Int64(opened.schemaVersion))),
      ("stale_after_seconds", .number(try opened.staleHeartbeat())),
    ])
    Output.write(fields.rendered(format, text: text))
  }
}
