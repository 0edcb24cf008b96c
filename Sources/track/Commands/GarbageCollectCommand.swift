import ArgumentParser
import Tracking

/// `track gc`: removes blobs no run references and compacts the file.
struct GarbageCollectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc",
    abstract: "Remove orphaned blobs and unused metric keys, then vacuum the file.")

  @OptionGroup var store: StoreOptions

  func run() throws {
    let report = try store.openExisting().collectGarbage()
    Output.write(
      "Removed \(report.blobsRemoved) orphaned blobs (\(NumberFormatting.bytes(report.bytesRemoved))) "
        + "and \(report.metricKeysRemoved) unused metric keys; file "
        + "\(NumberFormatting.bytes(report.fileSizeBefore)) -> "
        + "\(NumberFormatting.bytes(report.fileSizeAfter))\n")
  }
}
