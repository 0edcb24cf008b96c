import Tracking

/// Four finished-or-failed runs of one sweep, oldest first, for listing and reference tests:
///
/// | name  | optimizer.lr | acc  | status   | tag device |
/// |-------|--------------|------|----------|------------|
/// | alpha | 0.1          | 0.5  | finished | cpu        |
/// | beta  | 0.01         | 0.9  | finished | gpu        |
/// | gamma | 0.01         | 0.85 | failed   | cpu        |
/// | delta | 0.001        | —    | finished | gpu        |
///
/// `acc` comes from a one-task matrix; delta has no matrix and logs `val_loss` = 0.25 instead.
enum SweepFixture {
  static func record(in store: any TrackStore) throws {
    let specs: [(String, Double, Double?, RunStatus, String)] = [
      ("alpha", 0.1, 0.5, .finished, "cpu"), ("beta", 0.01, 0.9, .finished, "gpu"),
      ("gamma", 0.01, 0.85, .failed, "cpu"), ("delta", 0.001, nil, .finished, "gpu"),
    ]
    for (name, lr, acc, status, device) in specs {
      let run = try store.startRun(
        name: name, experiment: "sweep",
        params: ["optimizer.lr": .number(lr), "optimizer.type": .text("sgd")])
      try run.setTag("device", device)
      if let acc {
        try run.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
        try run.recordMatrixRow(trainedThrough: 1, scores: [acc], metric: "accuracy")
      } else {
        try run.log("val_loss", value: 0.25, step: 3)
      }
      try run.finish(status)
    }
  }

  /// The names of the runs `filter` selects, in `sort` order.
  static func names(
    _ store: any TrackStore, _ filter: String, sort: [RunSort] = []
  ) throws -> [String] {
    try store.runs(where: RunFilter.parse(filter), sort: sort).map(\.name)
  }
}
