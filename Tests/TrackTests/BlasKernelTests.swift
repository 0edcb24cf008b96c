import Foundation
import Testing
import TestSupport

/// The BLAS kernel a run used is in `track run`'s header and in `track show` (tags `blas`,
/// `blas_choice`), and a user's OPENBLAS_CORETYPE is kept.
@Suite(.serialized) struct BlasKernelTests {
  static let spec = """
    name: kernel
    seed: 1
    data: {source: synthetic, classes: 4, features: 8, samples_per_class: 8}
    scenario: {type: class-incremental, tasks: 2, classes_per_task: 2}
    model: {hidden: [8]}
    training: {epochs: 1, batch_size: 8}
    strategy: {type: naive}
    """

  /// `track ARGUMENTS` with OPENBLAS_CORETYPE set to `core`, or removed when nil.
  func track(_ binary: TrackBinary, core: String?, _ arguments: String...) throws -> CommandResult {
    let path = CommandRunner.product("track").path
    let environment = ["TRACK_STABLE_TIMES": "1", "NO_COLOR": "1"]
    let prefix = core.map { ["OPENBLAS_CORETYPE=\($0)"] } ?? ["-u", "OPENBLAS_CORETYPE"]
    return try CommandRunner.run(
      URL(fileURLWithPath: "/usr/bin/env"), prefix + [path] + arguments + ["--db", binary.database],
      directory: TrackBinary.repository, environment: environment)
  }

  @Test func theUsersCoreTypeIsKeptAndShown() throws {
    let binary = try TrackBinary()
    defer { binary.remove() }
    let specPath = try binary.directory.write("spec.yaml", BlasKernelTests.spec)
    let run = try track(binary, core: "Prescott", "run", specPath)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("BLAS: OpenBLAS 0.3") && run.stderr.contains(" Prescott (OPENBLAS_CORETYPE)"),
            "\(run.stderr)")
    let show = try track(binary, core: nil, "show", "latest", "--format", "json")
    let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
    let tags = object?["tags"] as? [String: String]
    #expect(tags?["blas"]?.hasSuffix(" Prescott") == true, "\(show.stdout)")
    #expect(tags?["blas_choice"] == "OPENBLAS_CORETYPE")
    #expect(tags?["cpu"]?.isEmpty == false)
    let table = try track(binary, core: nil, "show", "latest")
    #expect(table.stdout.contains("blas_choice") && table.stdout.contains("Prescott"))
  }

  /// A C compiler for the preloaded library below (the toolchain's clang, or the system's).
  static let compiler: String? = ["/opt/swift/usr/bin/clang", "/usr/bin/clang", "/usr/bin/cc"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

  /// The CPU's flags from /proc/cpuinfo.
  static var cpuFlags: Set<String> {
    let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flags = cpuInfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
    return Set(flags.split(separator: " ").map(String.init))
  }

  /// OpenBLAS made to answer "Prescott" (what it picks for a CPU newer than its build) the
  /// first time it is asked, through a preloaded library: track must replace the kernel by the
  /// best one the CPU runs, and say so in the header and the tags.
  @Test(.enabled(if: compiler != nil && cpuFlags.contains("avx2") && cpuFlags.contains("fma")))
  func aKernelBelowTheCPUIsReplacedBeforeMain() throws {
    let binary = try TrackBinary()
    defer { binary.remove() }
    let source = try binary.directory.write("shim.c", """
      #define _GNU_SOURCE
      #include <dlfcn.h>
      static int calls;
      char *openblas_get_corename(void) {
        char *(*real)(void) = (char *(*)(void))dlsym(RTLD_NEXT, "openblas_get_corename");
        return calls++ == 0 ? "Prescott" : real();
      }
      """)
    let library = binary.directory.path("shim.so")
    let built = try CommandRunner.run(
      URL(fileURLWithPath: BlasKernelTests.compiler!), ["-shared", "-fPIC", source, "-o", library])
    try #require(built.status == 0, "\(built.stderr)")
    let specPath = try binary.directory.write("spec.yaml", BlasKernelTests.spec)
    let path = CommandRunner.product("track").path
    let run = try CommandRunner.run(
      URL(fileURLWithPath: "/usr/bin/env"),
      ["-u", "OPENBLAS_CORETYPE", "LD_PRELOAD=\(library)", path, "run", specPath,
       "--db", binary.database],
      directory: TrackBinary.repository, environment: ["NO_COLOR": "1"])
    #expect(run.status == 0, "\(run.stderr)")
    let avx512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
      .allSatisfy(BlasKernelTests.cpuFlags.contains)
    let expected = avx512
      ? (BlasKernelTests.cpuFlags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX") : "Haswell"
    #expect(run.stderr.contains(" \(expected) (CPU features; OpenBLAS picked Prescott)"),
            "\(run.stderr)")
    let show = try track(binary, core: nil, "show", "latest", "--format", "json")
    let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
    let tags = object?["tags"] as? [String: String]
    #expect(tags?["blas"]?.hasSuffix(" \(expected)") == true, "\(tags ?? [:])")
    #expect(tags?["blas_choice"] == "CPU features; OpenBLAS picked Prescott")
  }

  @Test func withoutTheVariableTheKernelIsChosenForTheCPU() throws {
    let binary = try TrackBinary()
    defer { binary.remove() }
    let specPath = try binary.directory.write("spec.yaml", BlasKernelTests.spec)
    let run = try track(binary, core: nil, "run", specPath)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!run.stderr.contains("(OPENBLAS_CORETYPE)"), "\(run.stderr)")
    let show = try track(binary, core: nil, "show", "latest", "--format", "json")
    let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
    let tags = object?["tags"] as? [String: String]
    let choice = tags?["blas_choice"] ?? ""
    #expect(choice == "OpenBLAS" || choice.hasPrefix("CPU features; OpenBLAS picked "), "\(choice)")
    // On a CPU with AVX-512 the kernel is one of OpenBLAS's AVX-512 ones, whoever chose it.
    let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flags = cpuInfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
    let words = Set(flags.split(separator: " ").map(String.init))
    if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(words.contains) {
      let kernel = tags?["blas"] ?? ""
      #expect(kernel.hasSuffix(" SkylakeX") || kernel.hasSuffix(" Cooperlake"), "\(kernel)")
    }
  }
}
