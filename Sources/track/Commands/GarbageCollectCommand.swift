import Experiments
import ArgumentParser
import Tracking

/// `track gc`: removes blobs no run references and compacts the file.
struct GarbageCollectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc",
    abstract: "Remove orphaned blobs (no run references them), then vacuum the file.")

  @OptionGroup var store: StoreOptions

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func run() throws {
    let report = try store.openExisting().collectGarbage()
    let freed = NumberFormatting.bytes(report.bytesRemoved)
    let before = NumberFormatting.bytes(report.fileSizeBefore)
    let after = NumberFormatting.bytes(report.fileSizeAfter)
    let fields = FieldList(fields: [
      ("blobs_removed", .integer(Int64(report.blobsRemoved))),
      ("bytes_removed", .integer(Int64(report.bytesRemoved))),
      ("file_size_before", .integer(Int64(report.fileSizeBefore))),
      ("file_size_after", .integer(Int64(report.fileSizeAfter))),
    ])
    Output.write(fields.rendered(
      format,
      text: "Removed \(report.blobsRemoved) orphaned blobs (\(freed)); file \(before) -> \(after)\n"))
  }
}
