import Foundation
import Testing
import TestSupport

/// Seeded fuzzing of spec files: mutations of Examples/synthetic-smoke.yaml (lines deleted,
/// duplicated or swapped, numbers made huge, negative or NaN, indentation changed, junk
/// inserted), each run by `track run` under a 4 GiB address-space limit and a 20 s timeout.
/// No mutation may crash (a signal, status >= 128) or hang; a rejected one says `error:`.
///
/// TRACK_FUZZ_COUNT (default 40) and TRACK_FUZZ_SEED (default 1) choose the cases; a failure
/// prints the case's seed and spec text.
@Suite struct SpecFuzzTests {
  typealias Generator = SeededRandom

  static let numbers = [
    "0", "-1", "-7", "10000000000", "99999999999999999999", "9223372036854775807",
    "-9223372036854775808", "1e30", "1e308", ".nan", "nan", ".inf", "-.inf", "1.5", "0.0001",
    "1e-300", "0x10", "1_000", "[1]", "{}", "~", "\"3\"",
  ]
  static let junk = [
    "{{{", "- - -", ": :", "x: &a [*a]", "\t", "key: [", "\"unterminated", "!!binary AAAA",
    "? complex", "%YAML 1.1", "---", "...", "*undefined", "&x", "model: {hidden: [1, [2]]}",
    "training: [1, 2]", "data: null", "seed: -1", "  - 3", "'", "\u{0}", "é: ü",
  ]

  /// One mutation of `lines`.
  static func mutate(_ lines: inout [String], _ random: inout Generator) {
    guard !lines.isEmpty else { return }
    let at = random.below(lines.count)
    switch random.below(10) {
    case 0: lines.remove(at: at)
    case 1: lines.insert(lines[at], at: at)
    case 2: lines.swapAt(at, random.below(lines.count))
    case 3...6:
      // Replace the value on a line with a number (or an odd scalar).
      let line = lines[at]
      if let colon = line.firstIndex(of: ":") {
        lines[at] = String(line[...colon]) + " " + random.pick(numbers)
      }
    case 7:
      let line = lines[at]
      lines[at] = random.below(2) == 0
        ? "  " + line : String(line.drop(while: { $0 == " " }))
    default: lines.insert(random.pick(junk), at: at)
    }
  }

  @Test func mutatedSpecsNeverCrashOrHang() throws {
    let environment = ProcessInfo.processInfo.environment
    let count = environment["TRACK_FUZZ_COUNT"].flatMap(Int.init) ?? 40
    let seed = environment["TRACK_FUZZ_SEED"].flatMap(UInt64.init) ?? 1
    let source = try String(
      contentsOf: TrackBinary.repository.appendingPathComponent("Examples/synthetic-smoke.yaml"),
      encoding: .utf8)
    // Valid mutations train: keep them short.
    let base = source.replacingOccurrences(of: "epochs: 2", with: "epochs: 1")
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let folder = try TemporaryDirectory(prefix: "track-fuzz")
    defer { folder.remove() }
    let track = CommandRunner.product("track").path
    let failures = FailureList()
    // Two at a time: the machine has two cores.
    DispatchQueue.concurrentPerform(iterations: 2) { lane in
      for index in stride(from: lane, to: count, by: 2) {
        var random = Generator(seed: seed &* 1_000_003 &+ UInt64(index))
        var lines = base
        for _ in 0...random.below(2) { SpecFuzzTests.mutate(&lines, &random) }
        let text = lines.joined(separator: "\n")
        let spec = folder.path("case-\(index).yaml")
        let database = folder.path("case-\(index).db")
        do {
          try Data(text.utf8).write(to: URL(fileURLWithPath: spec))
          // timeout exits 124 when the 20 s ran out; ulimit -v is in KiB (4 GiB).
          let script = "ulimit -v 4194304; exec timeout 20 \"$0\" run \"$1\" --db \"$2\""
          let result = try CommandRunner.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", script, track, spec, database],
            directory: TrackBinary.repository, environment: ["NO_COLOR": "1"])
          var problem: String?
          if result.status == 124 {
            problem = "hung (killed after 20 s)"
          } else if result.status >= 128 {
            problem = "died with status \(result.status)"
          } else if result.status != 0, !result.stderr.contains("error: ") {
            problem = "exit \(result.status) without an error: line"
          }
          if environment["TRACK_FUZZ_VERBOSE"] != nil {
            print("case \(index): \(result.status) \(result.stderr.suffix(200))")
          }
          if let problem {
            failures.append(
              "case \(index) (TRACK_FUZZ_SEED=\(seed)) \(problem): \(result.stderr.suffix(400))"
                + "\n--- spec ---\n\(text)\n------------")
          }
        } catch {
          failures.append("case \(index): \(error)")
        }
      }
    }
    #expect(failures.items.isEmpty, "\(failures.items.joined(separator: "\n\n"))")
  }
}

/// Failures collected from concurrent lanes.
final class FailureList: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []
  func append(_ item: String) { lock.withLock { list.append(item) } }
  var items: [String] { lock.withLock { list } }
}
