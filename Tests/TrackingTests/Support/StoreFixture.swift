import Foundation
import Testing

@testable import Tracking
@testable import TrackingSQLite

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct TemporaryFolder {
  let url: URL

  init(_ label: String = #function) throws {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("track-tests-\(safe)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// A path inside the folder.
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  func remove() {
    _ = try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    try? FileManager.default.removeItem(at: url)
  }
}

/// The repository root (for Migrations/ and docs/).
let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// A built product next to the running test binary (e.g. `tracking-stress`).
func builtProduct(_ name: String) throws -> URL {
  var folder = Bundle.main.bundleURL
  if let executable = Bundle.main.executableURL { folder = executable.deletingLastPathComponent() }
  for _ in 0..<4 {
    let candidate = folder.appendingPathComponent(name)
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    folder = folder.deletingLastPathComponent()
  }
  throw TrackingError(.cannotOpen, "The product \(name) was not found next to the test binary.")
}

/// Runs a command; returns (exit status, stdout, stderr).
@discardableResult
func runProcess(
  _ executable: String, _ arguments: [String], input: String? = nil,
  environment: [String: String]? = nil
)
  throws -> (status: Int32, output: String, error: String)
{
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if let environment { process.environment = environment }
  let output = Pipe()
  let error = Pipe()
  process.standardOutput = output
  process.standardError = error
  let inputPipe = Pipe()
  process.standardInput = inputPipe
  try process.run()
  if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
  try inputPipe.fileHandleForWriting.close()
  // Read stdout on another thread so that neither pipe fills up and blocks the child.
  final class Box: @unchecked Sendable { var data = Data() }
  let out = Box()
  let group = DispatchGroup()
  group.enter()
  DispatchQueue.global().async {
    out.data = output.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  let errData = error.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return (
    process.terminationStatus, String(decoding: out.data, as: UTF8.self),
    String(decoding: errData, as: UTF8.self)
  )
}

/// Finds an executable on PATH.
func which(_ name: String) -> String? {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  for folder in path.split(separator: ":") {
    let candidate = "\(folder)/\(name)"
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  return nil
}

/// Asserts that `body` throws a `TrackingError` with `code`; returns it for more checks.
@discardableResult
func expectTrackingError<T>(
  _ code: TrackingError.Code, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws -> T
) -> TrackingError? {
  do {
    _ = try body()
    Issue.record(
      "expected TrackingError.\(code), but nothing was thrown",
      sourceLocation: sourceLocation)
  } catch let error as TrackingError {
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    return error
  } catch {
    Issue.record("expected TrackingError.\(code), got \(error)", sourceLocation: sourceLocation)
  }
  return nil
}

/// Bytes of a file, for "nothing was written" checks.
func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
