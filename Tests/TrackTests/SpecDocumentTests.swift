import Foundation
import Testing

@testable import Experiments
@testable import track

/// The spec loader: key validation with file and line, overrides, wrong types.
struct SpecDocumentTests {
  let allowed: [String: [String]] = [
    "": ["name", "seed", "training", "model"],
    "training": ["epochs", "batch_size"],
    "model": ["hidden"],
  ]

  struct Small: Decodable, Equatable {
    struct Training: Decodable, Equatable {
      var epochs: Int
      var batch_size: Int?
    }
    struct Model: Decodable, Equatable { var hidden: [Int] }
    var name: String?
    var seed: Int?
    var training: Training
    var model: Model?
  }

  @Test func unknownKeyNamesTheKeyFileLineAndAllowedKeys() throws {
    let document = try SpecDocument.parse(
      "name: x\ntraining:\n  epochs: 2\n  epoch: 3\n", file: "spec.yaml")
    let error = #expect(throws: SpecError.self) { try document.validateKeys(allowed) }
    #expect(error?.code == .unknownKey)
    #expect(
      error?.message == "spec.yaml:4: unknown key 'training.epoch' (did you mean 'epochs'?); "
        + "allowed in 'training': epochs, batch_size")
  }

  @Test func unknownTopLevelKeyListsTopLevelKeys() throws {
    let document = try SpecDocument.parse("name: x\noptimiser: {}\n", file: "s.yaml")
    let error = #expect(throws: SpecError.self) { try document.validateKeys(allowed) }
    #expect(error?.message.hasPrefix("s.yaml:2: unknown key 'optimiser'") == true)
    #expect(error?.message.hasSuffix("allowed at the top level: name, seed, training, model") == true)
  }

  @Test func sectionThatIsNotAMappingIsAWrongType() throws {
    let document = try SpecDocument.parse("training: 3\n", file: "s.yaml")
    let error = #expect(throws: SpecError.self) { try document.validateKeys(allowed) }
    #expect(error?.code == .wrongType)
    #expect(error?.message.hasPrefix("s.yaml:1: 'training' must be a mapping") == true)
  }

  @Test func wrongTypeNamesTheKeyAndLine() throws {
    let document = try SpecDocument.parse(
      "name: x\ntraining:\n  epochs: ten\n", file: "spec.yaml")
    let error = #expect(throws: SpecError.self) { try document.decode(Small.self) }
    #expect(error?.code == .wrongType)
    #expect(
      error?.message
        == "spec.yaml:3: wrong type for 'training.epochs': expected an integer, got ten")
  }

  @Test func plainScalarsWhereStringsAreExpectedStayStrings() throws {
    let document = try SpecDocument.parse("name: 2024\ntraining: {epochs: 2}\n", file: "s")
    #expect(try document.decode(Small.self).name == "2024")
  }

  @Test func overridesSetValuesReadAsYAML() throws {
    var document = try SpecDocument.parse("training:\n  epochs: 1\n", file: "s.yaml")
    try document.apply(override: "training.epochs=5", allowedKeys: allowed)
    try document.apply(override: "model.hidden=[8, 4]", allowedKeys: allowed)
    try document.apply(override: "seed=3", allowedKeys: allowed)
    let small = try document.decode(Small.self)
    #expect(small.training.epochs == 5)
    #expect(small.model?.hidden == [8, 4])
    #expect(small.seed == 3)
  }

  @Test func overrideOfAnUnknownKeyIsAnError() throws {
    var document = try SpecDocument.parse("training:\n  epochs: 1\n", file: "s.yaml")
    let error = #expect(throws: SpecError.self) {
      try document.apply(override: "training.epohcs=5", allowedKeys: allowed)
    }
    #expect(
      error?.message == "--set training.epohcs: unknown key 'training.epohcs' (did you mean "
        + "'epochs'?); allowed in 'training': epochs, batch_size")
    #expect(throws: SpecError.self) {
      try document.apply(override: "training.epochs", allowedKeys: allowed)
    }
  }

  @Test func wrongTypeFromAnOverrideSaysSo() throws {
    var document = try SpecDocument.parse("training:\n  epochs: 1\n", file: "s.yaml")
    try document.apply(override: "training.epochs=many", allowedKeys: allowed)
    let error = #expect(throws: SpecError.self) { try document.decode(Small.self) }
    #expect(error?.message.hasPrefix("s.yaml (--set training.epochs): wrong type") == true)
  }

  @Test func jsonSpecsParseWithLines() throws {
    let document = try SpecDocument.parse(
      "{\n  \"training\": {\n    \"epochs\": 2,\n    \"bogus\": 1\n  }\n}\n", file: "s.json")
    let error = #expect(throws: SpecError.self) { try document.validateKeys(allowed) }
    #expect(error?.message.hasPrefix("s.json:4: unknown key 'training.bogus'") == true)
  }

  @Test func badYAMLNamesTheLine() {
    let error = #expect(throws: SpecError.self) {
      try SpecDocument.parse("training:\n  epochs: [1, 2\n", file: "bad.yaml")
    }
    #expect(error?.code == .invalidSyntax)
    #expect(error?.message.hasPrefix("bad.yaml: line") == true)
  }

  @Test func duplicateKeysAreRejected() {
    let error = #expect(throws: SpecError.self) {
      try SpecDocument.parse("seed: 1\nseed: 2\n", file: "d.yaml")
    }
    #expect(error?.message == "d.yaml:2: duplicate key 'seed'; keep one of them")
  }

  @Test func missingFileIsAClearError() {
    let error = #expect(throws: SpecError.self) {
      try SpecDocument.load(path: "/nonexistent/spec.yaml")
    }
    #expect(error?.code == .fileNotFound)
  }
}
