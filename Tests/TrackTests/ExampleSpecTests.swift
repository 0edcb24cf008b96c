import Foundation
import Learning
import Testing

@testable import Experiments
@testable import track

/// Every spec in Examples/ parses, has only allowed keys, decodes and validates.
struct ExampleSpecTests {
  static let examples: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Examples")

  static var specFiles: [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted()
  }

  @Test func examplesExistForTheQuickStartAndEveryScenarioAndStrategy() throws {
    let files = ExampleSpecTests.specFiles
    #expect(files.contains("split-fashion-mnist-naive.yaml"))
    #expect(files.contains("split-fashion-mnist-replay.yaml"))
    let specs = try files.map { try SpecLoader.load(path: ExampleSpecTests.examples.appendingPathComponent($0).path) }
    let scenarios = Set(specs.map(\.scenario.type.rawValue))
    let strategies = Set(specs.map(\.strategy.type.rawValue))
    #expect(scenarios == Set(ScenarioSpec.Kind.allCases.map(\.rawValue)))
    #expect(strategies == Set(StrategySpec.Kind.allCases.map(\.rawValue)))
  }

  @Test(arguments: ExampleSpecTests.specFiles)
  func exampleParsesAndValidates(_ name: String) throws {
    let spec = try SpecLoader.load(path: ExampleSpecTests.examples.appendingPathComponent(name).path)
    #expect(spec.name != nil)
  }
}
