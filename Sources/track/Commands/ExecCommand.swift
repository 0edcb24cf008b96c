import ArgumentParser
import Experiments
import Foundation
import Tracking
import TrackServer

/// `track exec -- CMD ARGS...`: tracks any program. The run is created first; an embedded
/// server on a loopback port lets the program's `mlflow` calls log into it
/// (`MLFLOW_TRACKING_URI`, `MLFLOW_RUN_ID`), and numeric `key=value` / `key: value` scalars it
/// prints are recorded too. Output passes through as it comes.
struct ExecCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec",
    abstract: "Run any program as a tracked run (its mlflow calls and printed scalars are logged).",
    discussion: """
      The program gets MLFLOW_TRACKING_URI, MLFLOW_RUN_ID, MLFLOW_TRACKING_TOKEN and
      MLFLOW_EXPERIMENT_ID, so `mlflow.start_run()` inside it continues this run, and
      TRACK_RUN_ID (the run's id here). Every `KEY=NUMBER` or `KEY: NUMBER` in a line of its
      output is a point of metric KEY; a `step` key on the line sets the step, otherwise the
      step is how often KEY appeared before. PYTHONUNBUFFERED=1 is set so Python prints as it
      goes. The run ends finished on exit 0, failed otherwise (tag exec.exit_status), killed
      on a signal (Ctrl-C and SIGTERM are passed on to the program). track exec exits with
      the program's status.
      """)

  @OptionGroup var store: StoreOptions

  @Option(help: "Run name (default: run-<id>).")
  var name: String?

  @Option(help: "Experiment (group) of the run, created on first use.")
  var experiment: String?

  @Flag(help: "Do not read scalars from the program's output.")
  var noScalars = false

  @Argument(parsing: .captureForPassthrough, help: "The program and its arguments, after --.")
  var command: [String] = []

  func run() throws {
    var arguments = command
    if arguments.first == "--" { arguments.removeFirst() }
    guard !arguments.isEmpty else {
      throw CLIError(.usage, "give the program to run after --, e.g. track exec -- python train.py")
    }
    let opened = try store.openForWriting()
    let logger = try opened.startRun(
      name: name, experiment: experiment, params: [:],
      command: arguments.map(ExecCommand.quoted).joined(separator: " "))
    let run = try opened.run(logger.id)
    let token = UUID().uuidString.lowercased() + UUID().uuidString.lowercased()
    let server = TrackServer(
      store: opened,
      configuration: ServerConfiguration(
        host: "127.0.0.1", port: 0, auth: .token(token), accessLog: false))
    let listening = PortBox()
    let serving = Task {
      try await server.run(handleSignals: false) { port in listening.set(port) }
    }
    guard let port = listening.wait(seconds: 30) else {
      serving.cancel()
      try? logger.finish(.failed)
      throw CLIError(.runtime, "the embedded server did not start within 30 s")
    }
    StandardError.write(
      "track exec: run \(run.id) (\(run.name)) in \(opened.location); "
        + "MLFLOW_TRACKING_URI=http://127.0.0.1:\(port)\n")

    var environment = ProcessInfo.processInfo.environment
    environment["MLFLOW_TRACKING_URI"] = "http://127.0.0.1:\(port)"
    environment["MLFLOW_RUN_ID"] = run.uuid.replacingOccurrences(of: "-", with: "")
    environment["MLFLOW_TRACKING_TOKEN"] = token
    environment["MLFLOW_EXPERIMENT_ID"] = String(run.experimentID)
    environment["TRACK_RUN_ID"] = String(run.id)
    environment["PYTHONUNBUFFERED"] = "1"

    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    child.arguments = arguments
    child.environment = environment
    let output = OutputRelay(logger: logger, readScalars: !noScalars)
    let outPipe = Pipe()
    let errPipe = Pipe()
    child.standardOutput = outPipe
    child.standardError = errPipe
    child.standardInput = FileHandle.standardInput
    output.attach(outPipe.fileHandleForReading, to: FileHandle.standardOutput, stream: 0)
    output.attach(errPipe.fileHandleForReading, to: FileHandle.standardError, stream: 1)

    let signals = SignalForwarder()
    do {
      try child.run()
    } catch {
      signals.stop()
      // The write ends are still ours when the program did not start: close them, so the
      // readers see end of file.
      try? outPipe.fileHandleForWriting.close()
      try? errPipe.fileHandleForWriting.close()
      output.finish()
      try? logger.setTag("exec.error", "\(error)")
      try? logger.finish(.failed)
      ExecCommand.stop(server, serving)
      throw CLIError(.usage, "cannot start '\(arguments[0])': \(error)")
    }
    signals.forward(to: child.processIdentifier)
    child.waitUntilExit()
    signals.stop()
    output.finish()

    let status: RunStatus
    let exitCode: Int32
    if child.terminationReason == .uncaughtSignal {
      status = .killed
      exitCode = 128 + child.terminationStatus
      try? logger.setTag("exec.signal", String(child.terminationStatus))
    } else {
      exitCode = child.terminationStatus
      status = signals.received ? .killed : (exitCode == 0 ? .finished : .failed)
      try? logger.setTag("exec.exit_status", String(exitCode))
    }
    if let problem = output.problem { StandardError.write("track exec: \(problem)\n") }
    try logger.finish(status)
    ExecCommand.stop(server, serving)
    StandardError.write("track exec: run \(run.id) \(status.rawValue) (exit \(exitCode))\n")
    if exitCode != 0 { throw ExitCode(exitCode) }
  }

  /// Stops the embedded server and waits for it (requests in flight finish).
  static func stop(_ server: TrackServer, _ serving: Task<Void, any Error>) {
    let done = DispatchSemaphore(value: 0)
    Task {
      await server.stop()
      _ = await serving.result
      done.signal()
    }
    done.wait()
  }

  /// A word as a shell would need it to read it back.
  static func quoted(_ word: String) -> String {
    let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./=:@%+,"))
    if !word.isEmpty, word.unicodeScalars.allSatisfy(safe.contains) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}

/// The port the embedded server bound, handed from its task to the waiting command.
private final class PortBox: @unchecked Sendable {
  // @unchecked: `port` is only touched under `condition`.
  private let condition = NSCondition()
  private var port: Int?

  func set(_ value: Int) {
    condition.lock()
    port = value
    condition.broadcast()
    condition.unlock()
  }

  func wait(seconds: Double) -> Int? {
    let deadline = Date().addingTimeInterval(seconds)
    condition.lock()
    defer { condition.unlock() }
    while port == nil, condition.wait(until: deadline) {}
    return port
  }
}

/// Copies a program's output through as it arrives and reads scalars from whole lines.
///
/// One thread per stream reads its pipe with blocking reads until end of file, so every byte
/// the program wrote is read, in order, before `finish()` returns (a `readabilityHandler` could
/// still be holding a chunk when the program exited: 72 of 5,000 points were lost that way).
private final class OutputRelay: @unchecked Sendable {
  // @unchecked: `partial`, `scalars`, `closed` and `problem` are only touched under `lock`.
  private let lock = NSLock()
  private let logger: RunLogger
  private let readScalars: Bool
  private let readers = DispatchGroup()
  private var partial: [[UInt8]] = [[], []]
  private var scalars = ScalarLines()
  private var closed = false
  private var problem_: String?

  var problem: String? {
    lock.lock()
    defer { lock.unlock() }
    return problem_
  }

  init(logger: RunLogger, readScalars: Bool) {
    self.logger = logger
    self.readScalars = readScalars
  }

  func attach(_ source: FileHandle, to target: FileHandle, stream: Int) {
    readers.enter()
    let thread = Thread { [self] in
      defer { readers.leave() }
      let descriptor = source.fileDescriptor
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        target.write(Data(buffer[0..<count]))
        consume(buffer[0..<count], stream: stream)
      }
      lock.lock()
      let last = partial[stream]
      partial[stream] = []
      lock.unlock()
      if !last.isEmpty { record([String(decoding: last, as: UTF8.self)]) }
    }
    thread.name = "track exec output \(stream)"
    thread.start()
  }

  /// Waits until both streams reached end of file (the program and everything that inherited
  /// its output closed them), at most `seconds`; after it nothing more is recorded. A stream
  /// still open then (a background process holding it) is said in `problem`.
  func finish(waitingAtMost seconds: Double = 5) {
    let drained = readers.wait(timeout: .now() + seconds) == .success
    lock.lock()
    closed = true
    if !drained, problem_ == nil {
      problem_ = "the program's output was still open \(Int(seconds)) s after it exited "
        + "(a background process holding it?); later output was not recorded"
    }
    lock.unlock()
  }

  private func consume(_ bytes: ArraySlice<UInt8>, stream: Int) {
    guard readScalars else { return }
    var lines: [String] = []
    lock.lock()
    for byte in bytes {
      if byte == 0x0A {
        lines.append(String(decoding: partial[stream], as: UTF8.self))
        partial[stream].removeAll(keepingCapacity: true)
      } else if partial[stream].count < ScalarLines.maximumLineLength + 1 {
        partial[stream].append(byte)
      }
    }
    lock.unlock()
    if !lines.isEmpty { record(lines) }
  }

  /// Logs the scalars of whole lines; under the lock, so nothing is logged after `finish()`.
  private func record(_ lines: [String]) {
    guard readScalars else { return }
    lock.lock()
    defer { lock.unlock() }
    guard !closed else { return }
    for line in lines {
      // A line at a time: a line the store refuses costs only its own points.
      let points = scalars.points(in: line.hasSuffix("\r") ? String(line.dropLast()) : line)
      guard !points.isEmpty else { continue }
      do {
        try logger.log(batch: points)
      } catch {
        if problem_ == nil { problem_ = "a scalar was not recorded: \(error)" }
      }
    }
  }
}

/// Passes Ctrl-C and SIGTERM on to the program instead of ending track first. A C handler,
/// not SIG_IGN: an ignored signal stays ignored in the program it starts (a shell loop would
/// never stop), while a handler is reset to the default when the program starts.
private final class SignalForwarder: @unchecked Sendable {
  // @unchecked: the state lives in the globals below, written by the handler only.
  var received: Bool { signalForwardingReceived != 0 }

  init() {
    signalForwardingChild = 0
    signalForwardingReceived = 0
    signal(SIGINT, forwardSignal)
    signal(SIGTERM, forwardSignal)
    // A process started from a thread that blocks signals (a test runner's, a supervisor's)
    // inherits the block: unblock them here, so they reach the handler and the program
    // (which inherits this thread's mask) can be stopped.
    var set = sigset_t()
    sigemptyset(&set)
    for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&set, number) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  func forward(to pid: Int32) { signalForwardingChild = pid }

  func stop() {
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }
}

/// The program `track exec` runs, for the signal handler (0: not started yet).
nonisolated(unsafe) private var signalForwardingChild: pid_t = 0
/// Set by the handler when a signal came.
nonisolated(unsafe) private var signalForwardingReceived: sig_atomic_t = 0

/// Async-signal-safe: a store and kill(2).
private func forwardSignal(_ number: Int32) {
  signalForwardingReceived = 1
  if signalForwardingChild > 0 { kill(signalForwardingChild, number) }
}
