import Foundation
import Testing
import TestSupport

/// `Examples/split-fashion-mnist-cnn-replay.yaml` end to end with the real binary: the first
/// tasks, then `--from` on the whole stream (kept small: on synthetic 8×8 images, since
/// debug builds are slow).
@Suite(.serialized) struct ConvolutionalRunTests {
  static let small = [
    "--set", "data.source=synthetic", "--set", "data.classes=10", "--set", "data.features=64",
    "--set", "data.samples_per_class=12", "--set", "data.test_limit=10",
    "--set", "data.train_limit=24", "--set", "strategy.memory_size=20",
  ]

  @Test func theCNNExampleRunsAndContinuesWithFrom() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let spec = "Examples/split-fashion-mnist-cnn-replay.yaml"
    let first = try track.run(
      ["run", spec, "--name", "cnn-first", "--set", "scenario.tasks=2"] + ConvolutionalRunTests.small)
    #expect(first.status == 0, "\(first.stderr)")
    let rest = try track.run(
      ["run", spec, "--name", "cnn-all", "--from", "cnn-first"] + ConvolutionalRunTests.small)
    #expect(rest.status == 0, "\(rest.stderr)")
    let show = try track("show", "cnn-all", "--format", "json")
    let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
    #expect(object?["continued_from"] as? Int == 1, "\(show.stdout.prefix(400))")
    let params = object?["params"] as? [String: Any]
    #expect((params?["model.layers"] as? String)?.hasPrefix("conv2d(16,k3,s1,p1),maxpool(2,s2)") == true)
    let matrix = object?["matrix"] as? [String: Any]
    let rows = matrix?["rows"] as? [[Any]] ?? (object?["matrix"] as? [[Any]] ?? [])
    #expect(!rows.isEmpty || matrix != nil, "\(String(describing: object?["matrix"]))")
    let export = try track("export", "cnn-all", "--weights", track.directory.path("w.safetensors"))
    #expect(export.status != 0 && export.stderr.contains("convolutional"), "\(export.stderr)")
  }
}
