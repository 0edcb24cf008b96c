import Foundation
import Testing
import Tracking

@testable import Experiments

/// The grid × seeds a sweep runs, and the statistics of a group, without processes.
struct SweepPlanTests {
  @Test func everyCombinationTimesEverySeedInOrder() throws {
    let plan = try SweepPlan(
      name: "g", grid: ["optimizer.lr=[0.01, 0.05]", "model.hidden=[[128],[256,256]]"],
      seeds: [11, 12])
    #expect(plan.cells.count == 8)
    #expect(plan.axes.map(\.values) == [["0.01", "0.05"], ["[128]", "[256,256]"]])
    #expect(plan.cells[0].name == "g lr=0.01 hidden=[128] seed=11")
    #expect(plan.cells[1].name == "g lr=0.01 hidden=[128] seed=12")
    #expect(plan.cells[7].overrides.map(\.value) == ["0.05", "[256,256]"])
    // Keys that share their last part keep the whole key in run names.
    let clash = try SweepPlan(name: "c", grid: ["a.lr=[1]", "b.lr=[2]"], seeds: [0])
    #expect(clash.cells[0].name == "c a.lr=1 b.lr=2 seed=0")
    // No grid: one combination per seed.
    #expect(try SweepPlan(name: "s", grid: [], seeds: [1, 2]).cells.map(\.name) == ["s seed=1", "s seed=2"])
  }

  @Test func malformedGridsAndSeedsAreRefusedByOption() throws {
    for bad in ["optimizer.lr", "=[1]", "optimizer.lr=[0.1", "optimizer.lr=[1,,2]", "k=[1,1]"] {
      #expect(throws: ExperimentError.self) { try SweepPlan(name: "x", grid: [bad], seeds: [1]) }
    }
    #expect(throws: ExperimentError.self) {
      try SweepPlan(name: "x", grid: ["k=[1]", "k=[2]"], seeds: [1])
    }
    #expect(try SweepPlan.seeds("3", first: 11) == [11, 12, 13])
    #expect(try SweepPlan.seeds("11, 13", first: 0) == [11, 13])
    for bad in ["0", "-1,2", "a", "1,1"] {
      #expect(throws: ExperimentError.self) { try SweepPlan.seeds(bad, first: 0) }
    }
  }

  @Test func groupsSortNumbersAsNumbersAndUseTheSampleSpread() {
    func run(_ id: RunID, _ memory: String?, _ acc: Double) -> RunSummary {
      var params: [String: ParamValue] = [:]
      if let memory { params["strategy.memory_size"] = .number(Double(memory)!) }
      return RunSummary(
        id: id, uuid: "u\(id)", name: "r\(id)", status: .finished, createdAt: Date(),
        params: params, summary: ["acc": acc])
    }
    let runs = [run(1, "500", 0.7), run(2, "2000", 0.8), run(3, "500", 0.9), run(4, nil, 0.1)]
    let groups = RunGrouping.groups(runs, by: ["strategy.memory_size"], metrics: ["acc", "bwt"])
    #expect(groups.map(\.values) == [["500"], ["2000"], [""]])
    #expect(groups[0].runs == [1, 3])
    let acc = groups[0].statistics["acc"]!
    #expect(abs(acc.mean - 0.8) < 1e-12)
    #expect(abs(acc.standardDeviation! - (0.02).squareRoot()) < 1e-12)  // n − 1
    #expect(groups[1].statistics["acc"]?.standardDeviation == nil)
    #expect(groups[0].statistics["bwt"] == nil)
  }
}
