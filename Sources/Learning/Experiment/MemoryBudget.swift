import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What an experiment's model, batches and synthetic data would allocate, checked against
/// the memory this process may use before anything is allocated.
///
/// Sizes come from the user's numbers (`model.hidden`, `training.batch_size`,
/// `data.classes`, a CSV label): an allocation that cannot be met stops the process
/// ("failed to allocate 640 GB") with the run left `running`, so a plan larger than the
/// budget is a spec error that says what it would need. Arithmetic is in `Double`, so no
/// product of user numbers overflows.
///
/// ```swift
/// try MemoryBudget.check(spec, inputSize: 784, outputSize: 10)
/// ```
public enum MemoryBudget {
  /// Bytes an experiment may plan for: half of the smaller of physical memory and this
  /// process's address-space and data limits (`ulimit -v`, `ulimit -d`), leaving the rest
  /// for the data, the libraries and the system.
  public static var bytes: Double {
    var limit = Double(ProcessInfo.processInfo.physicalMemory)
    for resource in resourceLimits { limit = min(limit, resource) }
    return limit / 2
  }

  /// Copies of the parameters an experiment may hold, 4 bytes each: weights, gradients, two
  /// optimizer moments, and a strategy's copies (EWC's anchor and Fisher, LwF's teacher).
  static let parameterCopies = 6.0

  /// Throws `invalidSpec` naming the key to lower when the model for `inputSize` inputs
  /// and `outputSize` outputs, its batches, or the synthetic data `spec` describes would not
  /// fit in `bytes`. Unknown sizes (data not read yet) count as 1; a model too large for
  /// the sizes read from files blames `inputKey` or `outputKey`.
  public static func check(
    _ spec: ExperimentSpec, inputSize: Int?, outputSize: Int?,
    inputKey: String = "data.path", outputKey: String = "data.path"
  ) throws {
    let budget = bytes
    let data = spec.data
    if data.source == .synthetic {
      // Train plus a quarter for test, one byte per feature; the test split is also
      // evaluated as 4-byte floats.
      let samples = Double(data.classes) * Double(data.samplesPerClass) * 1.25
      let needed = samples * Double(data.features) * 2
      if needed > budget {
        let named = [
          ("data.classes", data.classes), ("data.features", data.features),
          ("data.samples_per_class", data.samplesPerClass),
        ]
        let key = named.max(by: { $0.1 < $1.1 })?.0 ?? "data.classes"
        throw LearningError.invalidSpec(
          key: key, message: "makes synthetic data of \(data.classes) classes × "
            + "\(data.samplesPerClass) samples × \(data.features) features, which needs "
            + "\(describe(needed)); \(limitText(budget)): lower data.classes, data.features "
            + "or data.samples_per_class")
      }
    }
    let synthetic = data.source == .synthetic
    let input = Double(inputSize ?? (synthetic ? data.features : 1))
    let output = Double(outputSize ?? (synthetic ? data.classes : 1))
    let widths = [input] + spec.model.denseWidths.map(Double.init) + [output]
    let layers = zip(widths, widths.dropFirst()).map { ($0 + 1) * $1 }
    let parameters = layers.reduce(0, +)
    let modelBytes = parameters * 4 * parameterCopies
    if modelBytes > budget {
      // Blame the widest width of the largest layer: the input, a hidden layer or the output.
      let largest = layers.indices.max(by: { layers[$0] < layers[$1] }) ?? 0
      let widest = widths[largest] >= widths[largest + 1] ? largest : largest + 1
      var (key, fix) = ("model.hidden", "use fewer or narrower hidden layers")
      if widest == widths.count - 1, outputSize != nil || synthetic {
        (key, fix) = (synthetic ? "data.classes" : outputKey, "use fewer classes")
      } else if widest == 0, inputSize != nil || synthetic {
        (key, fix) = (synthetic ? "data.features" : inputKey, "use fewer input features")
      }
      throw LearningError.invalidSpec(
        key: key, message: "makes a model of \(whole(input)) inputs, hidden layers "
          + "\(spec.model.denseWidths) and \(whole(output)) outputs: \(whole(parameters)) "
          + "parameters, which need \(describe(modelBytes)) (4 bytes × "
          + "\(Int(parameterCopies)) copies: weights, gradients, optimizer and strategy "
          + "state); \(limitText(budget)): \(fix)")
    }
    // Activations, their gradients and the batch of inputs, 4 bytes per value.
    let rows = Double(max(256, spec.training.batchSize, spec.strategy.sampleSize))
    let batchBytes = rows * (widths.reduce(0, +) * 3) * 4
    if batchBytes > budget {
      let fromSample = spec.strategy.sampleSize > spec.training.batchSize
      let key = fromSample ? "strategy.sample_size" : "training.batch_size"
      throw LearningError.invalidSpec(
        key: key, message: "makes batches of \(whole(rows)) samples through layers of "
          + "\(widths.map(whole).joined(separator: ", ")) values, which need "
          + "\(describe(batchBytes)); \(limitText(budget)): use a smaller \(key)")
    }
  }

  /// `bytes` in words: "640.0 GB".
  static func describe(_ bytes: Double) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    var value = bytes
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    if value >= 1000 { return String(format: "%.3g bytes", bytes) }
    return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f", value) + " " + units[unit]
  }

  private static func limitText(_ budget: Double) -> String {
    "an experiment may plan for \(describe(budget)) here (half of memory or of the "
      + "process's ulimit)"
  }

  private static func whole(_ value: Double) -> String {
    value < 1e18 ? String(Int(value)) : String(format: "%.3g", value)
  }

  /// The soft address-space and data-segment limits, when set.
  private static var resourceLimits: [Double] {
    #if canImport(Glibc)
      let resources = [
        __rlimit_resource_t(RLIMIT_AS.rawValue), __rlimit_resource_t(RLIMIT_DATA.rawValue),
      ]
    #else
      let resources = [RLIMIT_AS, RLIMIT_DATA]
    #endif
    var limits: [Double] = []
    for resource in resources {
      var limit = rlimit()
      if getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max {
        limits.append(Double(limit.rlim_cur))
      }
    }
    return limits
  }
}
