import Foundation
import Testing
import TestSupport

/// The help people read, asserted whole (as swift-argument-parser does for its own tools).
struct HelpTextTests {
  @Test(arguments: [["--help"], ["diff", "--help"], ["runs", "--help"], ["run", "--help"],
    ["sweep", "--help"]])
  func helpMatchesTheGoldenFile(_ arguments: [String]) throws {
    let result = try CommandRunner.run(
      CommandRunner.product("track"), arguments, environment: ["COLUMNS": "100"])
    #expect(result.status == 0)
    let name = (["help"] + arguments.filter { $0 != "--help" }).joined(separator: "-")
    GoldenFile.check(result.stdout, "\(name).txt")
  }
}
