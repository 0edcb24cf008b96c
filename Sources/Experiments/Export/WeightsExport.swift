import Foundation
import Learning
import Tracking

/// A run's latest "weights" checkpoint, ready to leave track as a safetensors file that
/// PyTorch loads into `nn.Sequential` of `nn.Linear` layers (docs/checkpoints.md).
///
/// Tensor names follow the module indices `nn.Sequential` gives: each dense layer is an
/// `nn.Linear` and each activation other than identity a module of its own, so a
/// 16 → 16 → 6 ReLU model is `0.weight` [16, 16], `0.bias` [16], `2.weight` [6, 16],
/// `2.bias` [6]. Weights are transposed to PyTorch's [out, in] (track keeps in × out).
///
/// ```swift
/// let export = try WeightsExport(store: store, run: run)
/// try export.safetensors().write(to: url)
/// ```
public struct WeightsExport {
  /// The run the weights belong to.
  public let run: Run
  /// The checkpoint row the weights come from (the run's last "weights" one).
  public let record: CheckpointRecord
  /// The decoded checkpoint.
  public let checkpoint: Checkpoint

  /// Reads `run`'s latest "weights" checkpoint. Throws `ExperimentError.invalidRequest`
  /// when the run has none, the store's `TrackingError` when its blob is missing or damaged,
  /// and `CheckpointError` when the blob is not a readable checkpoint.
  public init(store: any StoreReading, run: Run) throws {
    guard let record = try store.latestCheckpoint(of: run.id, kind: "weights") else {
      throw ExperimentError(
        .invalidRequest,
        "run #\(run.id) \(run.name) (\(run.status.rawValue)) has no weights checkpoint: "
          + "one is saved after each task and this run completed none; export a run that "
          + "did ('track show RUN' lists its checkpoints)")
    }
    self.run = run
    self.record = record
    checkpoint = try Checkpoint(serialized: try store.loadBlob(record.sha256))
    guard checkpoint.architecture.features.isEmpty else {
      throw ExperimentError(
        .invalidRequest,
        "run #\(run.id) \(run.name) has a convolutional model; the safetensors export"
          + " covers dense models only for now (its weights are in the checkpoint blob,"
          + " docs/checkpoints.md)")
    }
  }

  /// The `nn.Sequential` index of each dense layer: activations other than identity take
  /// an index of their own after their layer.
  public static func moduleIndices(of architecture: Architecture) -> [Int] {
    var indices: [Int] = []
    var next = 0
    for activation in architecture.activations {
      indices.append(next)
      next += activation == .identity ? 1 : 2
    }
    return indices
  }

  /// The PyTorch module that `activation` becomes (nil for identity).
  static func module(of activation: Activation) -> String? {
    switch activation {
    case .identity: return nil
    case .relu: return "nn.ReLU()"
    case .tanh: return "nn.Tanh()"
    case .sigmoid: return "nn.Sigmoid()"
    }
  }

  /// The equivalent PyTorch model as text: "nn.Sequential(nn.Linear(16, 16), nn.ReLU(), …)".
  public var pytorchModel: String {
    let architecture = checkpoint.architecture
    var modules: [String] = []
    for (i, activation) in architecture.activations.enumerated() {
      modules.append("nn.Linear(\(architecture.sizes[i]), \(architecture.sizes[i + 1]))")
      if let module = WeightsExport.module(of: activation) { modules.append(module) }
    }
    return "nn.Sequential(" + modules.joined(separator: ", ") + ")"
  }

  /// String metadata saved in the file's `__metadata__`.
  public var metadata: [String: String] {
    let architecture = checkpoint.architecture
    return [
      "format": "pt",
      "producer": "track",
      "run_id": String(run.id),
      "run_uuid": run.uuid,
      "run_name": run.name,
      "task": String(record.task),
      "checkpoint_sha256": record.sha256,
      "sizes": architecture.sizes.map(String.init).joined(separator: ","),
      "activations": architecture.activations.map(\.rawValue).joined(separator: ","),
      "pytorch": pytorchModel,
    ]
  }

  /// The safetensors file: per layer `N.weight` [out, in] then `N.bias` [out], Float32.
  public func safetensors() -> Data {
    let architecture = checkpoint.architecture
    var writer = SafetensorsWriter(metadata: metadata)
    var offset = 0
    for (layer, index) in WeightsExport.moduleIndices(of: architecture).enumerated() {
      let inputs = architecture.sizes[layer]
      let outputs = architecture.sizes[layer + 1]
      // track: W row-major inputs × outputs, then b; PyTorch: weight[o][i].
      var weight = [Float](repeating: 0, count: inputs * outputs)
      for i in 0..<inputs {
        for o in 0..<outputs {
          weight[o * inputs + i] = checkpoint.parameters[offset + i * outputs + o]
        }
      }
      offset += inputs * outputs
      let bias = Array(checkpoint.parameters[offset..<offset + outputs])
      offset += outputs
      writer.append("\(index).weight", shape: [outputs, inputs], values: weight)
      writer.append("\(index).bias", shape: [outputs], values: bias)
    }
    return writer.data()
  }
}
