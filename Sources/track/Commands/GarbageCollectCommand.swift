import Experiments
import ArgumentParser
import Tracking

/// `track gc`: removes blobs no run references and compacts the file.
struct GarbageCollectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc",
    abstract: "Remove orphaned blobs (no run references them), then vacuum the file.")

  @OptionGroup var store: StoreOptions

  func run() throws {
    let report = try store.openExisting().collectGarbage()
    let freed = NumberFormatting.bytes(report.bytesRemoved)
    let before = NumberFormatting.bytes(report.fileSizeBefore)
    let after = NumberFormatting.bytes(report.fileSizeAfter)
    Output.write(
      "Removed \(report.blobsRemoved) orphaned blobs (\(freed)); file \(before) -> \(after)\n")
  }
}
