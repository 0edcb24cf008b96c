// Release-build benchmarks of the Learning numerics; Benchmarks/numerics.sh runs them next to
// PyTorch and TensorFlow. Usage:
//   NumericsBenchmarks seed    [--steps N] [--threads T] [--dump DIR]
//                              [--narrow portable|avx2|avx512]
//   NumericsBenchmarks fashion [--batch B] [--epochs E] [--lr X] [--momentum M] [--threads T]
//                              [--data DIR]
//   NumericsBenchmarks peak    [--seconds S]   (this core's fp32 FMA peak, per instruction set)
//   NumericsBenchmarks machine                 (CPU model, BLAS kernel and who chose it)
// Each prints one line of key=value figures.
import CHeapStatistics
import CKernels
import CPeak
import CZlib
import Foundation
import Learning

#if canImport(Glibc)
import Glibc
#endif

struct Options {
  var values: [String: String] = [:]
  init(_ arguments: ArraySlice<String>) {
    var iterator = arguments.makeIterator()
    while let key = iterator.next() {
      if key.hasPrefix("--") { values[String(key.dropFirst(2))] = iterator.next() ?? "" }
    }
  }
  func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap { Int($0) } ?? fallback }
  func float(_ key: String, _ fallback: Float) -> Float {
    values[key].flatMap { Float($0) } ?? fallback
  }
  func string(_ key: String, _ fallback: String) -> String { values[key] ?? fallback }
}

/// Bytes currently allocated by malloc (glibc), to show the step allocates nothing.
func heapBytes() -> Int { Int(heap_allocated_bytes()) }

func now() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// FLOPs of one training step: forward x·W, backward dW = xᵀ·g and dx = g·Wᵀ (not for the
/// first layer). Elementwise work is not counted.
func trainingFlops(_ architecture: Architecture, batch: Int) -> Double {
  var total = 0.0
  for i in 0..<(architecture.sizes.count - 1) {
    let product = 2.0 * Double(batch * architecture.sizes[i] * architecture.sizes[i + 1])
    total += product * (i == 0 ? 2 : 3)
  }
  return total
}

func write(_ values: [Float], to path: String) throws {
  let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
  try data.write(to: URL(fileURLWithPath: path))
}

/// CPU seconds of the whole process (all threads): fair when the machine is shared.
func cpuNow() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func format(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }

// MARK: Workload 1: the seed regression

/// `--narrow portable|avx2|avx512`: the narrow kernels' version for this process (default:
/// the widest the CPU runs).
func chooseNarrowKernels(_ options: Options) {
  switch options.values["narrow"] {
  case "portable": narrow_kernels_use(narrow_isa_portable)
  case "avx2": narrow_kernels_use(narrow_isa_avx2)
  case "avx512": narrow_kernels_use(narrow_isa_avx512)
  default: break
  }
}

func narrowName() -> String { ["portable", "avx2", "avx512"][Int(narrow_kernels_isa().rawValue)] }

func seedWorkload(_ options: Options) throws {
  chooseNarrowKernels(options)
  let steps = options.int("steps", 1000)
  let threads = options.int("threads", 1)
  let rows = 10_000, features = 10
  var random = SeededGenerator(seed: 2024)
  var x = [Float](repeating: 0, count: rows * features)
  var y = [Float](repeating: 0, count: rows)
  for r in 0..<rows {
    for c in 0..<features { x[r * features + c] = random.nextFloat() }
    let v = x[r * features..<r * features + features].map { $0 }
    // A smooth nonlinear target with noise, so the loss neither vanishes nor stays flat.
    y[r] = sin(2 * Float.pi * v[0]) * v[1] + v[2] * v[3] - v[4] * v[4]
      + 0.5 * v[5] + 0.1 * random.nextGaussian()
  }
  let architecture = Architecture(input: features, hidden: [64], output: 1)
  let model = try MLP(architecture: architecture, seed: 7)
  model.threadCount = threads
  if let directory = options.values["dump"] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try write(x, to: directory + "/seed_x.f32")
    try write(y, to: directory + "/seed_y.f32")
    try write(model.parameters.array, to: directory + "/seed_params.f32")
  }
  let adam = Adam(parameterCount: model.parameterCount, learningRate: 0.01)
  let input = Matrix(rows: rows, columns: features, values: x)
  let targets = Matrix(rows: rows, columns: 1, values: y)
  model.reserve(batchSize: rows)
  var loss: Float = 0
  var heapBefore = 0
  let start = now(), cpuStart = cpuNow()
  for step in 0..<steps {
    if step == 1 { heapBefore = heapBytes() }
    model.zeroGradients()
    let predictions = model.forward(input)
    loss = MeanSquaredError.loss(predictions: predictions, targets: targets,
                                 gradient: model.outputGradient)
    model.backward()
    adam.step(model)
  }
  let seconds = now() - start
  let cpuSeconds = cpuNow() - cpuStart
  let heapGrowth = heapBytes() - heapBefore
  let flops = trainingFlops(architecture, batch: rows) * Double(steps)
  print("workload=seed framework=swift threads=\(model.threadCount) steps=\(steps) "
          + "seconds=\(format(seconds)) cpu_seconds=\(format(cpuSeconds)) "
          + "final_loss=\(format(Double(loss), 6)) "
          + "gflops=\(format(flops / seconds / 1e9, 2)) heap_growth_bytes=\(heapGrowth) "
          + "blas=\"\(MachineInfo.blasKernel)\" narrow=\(narrowName())")
}

// MARK: Workload 2: Fashion-MNIST

/// Reads a gzip-compressed IDX file (images or labels) into bytes after its header.
func readIDX(_ path: String) throws -> (dimensions: [Int], bytes: [UInt8]) {
  guard let file = gzopen(path, "rb") else {
    throw NSError(domain: "bench", code: 1,
                  userInfo: [NSLocalizedDescriptionKey: "cannot open \(path)"])
  }
  defer { gzclose(file) }
  var all: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 20)
  while true {
    let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
    if n <= 0 { break }
    all.append(contentsOf: chunk[0..<Int(n)])
  }
  guard all.count >= 4 else {
    throw NSError(domain: "bench", code: 2,
                  userInfo: [NSLocalizedDescriptionKey: "\(path) is too short"])
  }
  let rank = Int(all[3])
  var dimensions: [Int] = []
  for i in 0..<rank {
    let o = 4 + 4 * i
    dimensions.append(Int(all[o]) << 24 | Int(all[o + 1]) << 16 | Int(all[o + 2]) << 8
                        | Int(all[o + 3]))
  }
  return (dimensions, Array(all[(4 + 4 * rank)...]))
}

func fashionWorkload(_ options: Options) throws {
  let directory = options.string("data", "/usr/share/datasets/fashion-mnist")
  let batchSize = options.int("batch", 128)
  let epochs = options.int("epochs", 1)
  let threads = options.int("threads", 1)
  let trainImages = try readIDX(directory + "/train-images-idx3-ubyte.gz")
  let trainLabels = try readIDX(directory + "/train-labels-idx1-ubyte.gz").bytes.map(Int.init)
  let testImages = try readIDX(directory + "/t10k-images-idx3-ubyte.gz")
  let testLabels = try readIDX(directory + "/t10k-labels-idx1-ubyte.gz").bytes.map(Int.init)
  let features = 784
  let x = trainImages.bytes.map { Float($0) / 255 }
  let testX = testImages.bytes.map { Float($0) / 255 }
  let count = trainLabels.count

  let architecture = Architecture(input: features, hidden: [256, 256], output: 10)
  let model = try MLP(architecture: architecture, seed: 1)
  model.threadCount = threads
  let sgd = SGD(parameterCount: model.parameterCount, learningRate: options.float("lr", 0.01),
                momentum: options.float("momentum", 0))
  var random = SeededGenerator(seed: 3)
  var order = Array(0..<count)
  let batch = Matrix(rows: 0, columns: features, rowCapacity: batchSize)
  var labels = [Int](repeating: 0, count: batchSize)
  model.reserve(batchSize: batchSize)
  var trainSeconds = 0.0, cpuSeconds = 0.0
  var lastLoss = 0.0
  var heapGrowth = 0
  try x.withUnsafeBufferPointer { source in
    for epoch in 0..<epochs {
      random.shuffle(&order)
      var lossSum = 0.0, batches = 0
      let start = now(), cpuStart = cpuNow()
      var heapBefore = 0
      var begin = 0
      while begin < count {
        if batches == 1 { heapBefore = heapBytes() }
        let rows = min(batchSize, count - begin)
        batch.setRows(rows)
        for k in 0..<rows {
          let index = order[begin + k]
          (batch.pointer + k * features).update(from: source.baseAddress! + index * features,
                                                 count: features)
          labels[k] = trainLabels[index]
        }
        model.zeroGradients()
        let logits = model.forward(batch)
        lossSum += Double(SoftmaxCrossEntropy.loss(logits: logits, labels: labels,
                                                   gradient: model.outputGradient))
        model.backward()
        sgd.step(model)
        batches += 1
        begin += rows
      }
      trainSeconds += now() - start
      cpuSeconds += cpuNow() - cpuStart
      if epoch == 0 { heapGrowth = heapBytes() - heapBefore }
      lastLoss = lossSum / Double(batches)
      guard model.parameters.isFinite else {
        throw NSError(domain: "bench", code: 3,
                      userInfo: [NSLocalizedDescriptionKey: "training diverged"])
      }
    }
  }
  let accuracy = testX.withUnsafeBufferPointer {
    model.accuracy(inputs: $0.baseAddress!, labels: testLabels, count: testLabels.count,
                   batchSize: 1000)
  }
  let samples = Double(count * epochs)
  let flops = trainingFlops(architecture, batch: 1) * samples
  print("workload=fashion framework=swift threads=\(threads) batch=\(batchSize) "
          + "epochs=\(epochs) seconds=\(format(trainSeconds)) "
          + "cpu_seconds=\(format(cpuSeconds)) "
          + "samples_per_s=\(format(samples / trainSeconds, 0)) "
          + "gflops=\(format(flops / trainSeconds / 1e9, 2)) "
          + "train_loss=\(format(lastLoss)) test_accuracy=\(format(accuracy * 100, 2)) "
          + "heap_growth_bytes=\(heapGrowth)")
}

// MARK: The machine and its peak

/// One line per instruction set the CPU runs, then `isa=best`: the peak "share of peak" uses.
func peakWorkload(_ options: Options) {
  let seconds = Double(options.float("seconds", 1))
  var best = 0.0
  for (isa, name) in [(peak_isa_scalar, "scalar"), (peak_isa_avx2, "avx2"),
                      (peak_isa_avx512, "avx512")] where peak_isa_supported(isa) != 0 {
    let gflops = peak_gflops(isa, seconds)
    best = max(best, gflops)
    print("workload=peak isa=\(name) threads=1 gflops=\(format(gflops, 1))")
  }
  print("workload=peak isa=best threads=1 gflops=\(format(best, 1))")
}

func machineWorkload() {
  print("workload=machine cpu=\"\(MachineInfo.cpuModel)\" isa=\(MachineInfo.instructionLevel) "
          + "narrow_kernels=\(MachineInfo.narrowKernels) "
          + "blas=\"\(MachineInfo.blasKernel)\" blas_choice=\"\(MachineInfo.kernelChoice.description)\"")
}

let arguments = CommandLine.arguments
let options = Options(arguments.dropFirst(2))
do {
  switch arguments.count > 1 ? arguments[1] : "" {
  case "seed": try seedWorkload(options)
  case "fashion": try fashionWorkload(options)
  case "peak": peakWorkload(options)
  case "machine": machineWorkload()
  default:
    FileHandle.standardError.write(
      Data("usage: NumericsBenchmarks seed|fashion|peak|machine [options]\n".utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("NumericsBenchmarks: \(error)\n".utf8))
  exit(1)
}
