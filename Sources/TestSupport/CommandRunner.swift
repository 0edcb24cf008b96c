import Foundation

/// Runs an executable (the built `track`) as a child process, capturing its output.
public enum CommandRunner {
  /// Runs `executable` with `arguments` in `directory` with extra `environment` variables and
  /// optional `input` on standard input; waits for it to exit.
  public static func run(
    _ executable: URL, _ arguments: [String], directory: URL? = nil,
    environment: [String: String] = [:], input: String? = nil
  ) throws -> CommandResult {
    let process = makeProcess(executable, arguments, directory, environment)
    let stdoutFile = try temporaryFile()
    let stderrFile = try temporaryFile()
    defer {
      try? FileManager.default.removeItem(at: stdoutFile)
      try? FileManager.default.removeItem(at: stderrFile)
    }
    process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
    process.standardError = try FileHandle(forWritingTo: stderrFile)
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try? stdin.fileHandleForWriting.close()
    process.waitUntilExit()
    let out = String(decoding: try Data(contentsOf: stdoutFile), as: UTF8.self)
    let err = String(decoding: try Data(contentsOf: stderrFile), as: UTF8.self)
    let status = process.terminationReason == .uncaughtSignal
      ? 128 + process.terminationStatus : process.terminationStatus
    return CommandResult(stdout: out, stderr: err, status: status)
  }

  /// Starts `executable` without waiting (for signal tests); output goes to the given files.
  public static func start(
    _ executable: URL, _ arguments: [String], directory: URL? = nil,
    environment: [String: String] = [:], stdout: URL, stderr: URL
  ) throws -> Process {
    let process = makeProcess(executable, arguments, directory, environment)
    _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: stdout)
    process.standardError = try FileHandle(forWritingTo: stderr)
    try process.run()
    return process
  }

  /// A process for `executable` in `directory`, with this process's environment minus
  /// `TRACK_DB` (so no test writes into a developer's database) plus `environment`.
  private static func makeProcess(
    _ executable: URL, _ arguments: [String], _ directory: URL?,
    _ environment: [String: String]
  ) -> Process {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "TRACK_DB")
    env.merge(environment) { _, new in new }
    process.environment = env
    return process
  }

  private static func temporaryFile() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("track-output-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
      throw CocoaError(.fileWriteUnknown)
    }
    return url
  }

  /// The executable `name` found on `PATH` (e.g. `sqlite3`), or nil when it is not installed.
  public static func executable(named name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for folder in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }

  /// The directory holding the test bundle and the products of the same build (`.build/debug`).
  public static var productsDirectory: URL {
    #if os(macOS)
      for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
      }
    #endif
    return Bundle.main.bundleURL
  }

  /// The built executable `name` next to the test bundle (e.g. `.build/debug/track`).
  public static func product(_ name: String) -> URL {
    productsDirectory.appendingPathComponent(name)
  }
}
