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

  func run() throws {
    let existed = FileManager.default.fileExists(atPath: store.path)
    let opened = try store.openForWriting()
    let verb = existed ? "Opened existing" : "Created"
    Output.write("\(verb) track database at \(opened.location) (schema version \(opened.schemaVersion))\n")
  }
}
