import Foundation

/// What a finished stream produced: the matrix R and its summaries.
public struct ExperimentResult: Sendable {
  /// The tasks of the stream.
  public var tasks: [TaskDescription]
  /// b and R (entries the run never measured are nil).
  public var matrix: ScoreMatrix
  /// What the matrix holds: "accuracy", or "neg_mse" for regression (higher is better).
  public var metric: String
  /// Scores are better when higher (always true: regression stores −MSE).
  public var higherIsBetter: Bool { true }
  /// ACC = (1/T) Σ_j R[T][j].
  public var accuracy: Double? { matrix.averageAccuracy }
  /// BWT = (1/(T−1)) Σ_{j<T} (R[T][j] − R[j][j]).
  public var backwardTransfer: Double? { matrix.backwardTransfer }
  /// FWT = (1/(T−1)) Σ_{j≥2} (R[j−1][j] − b[j]).
  public var forwardTransfer: Double? { matrix.forwardTransfer }
  /// F = (1/(T−1)) Σ_{j<T} (max_{l<T} R[l][j] − R[T][j]).
  public var forgetting: Double? { matrix.averageForgetting }
  /// Prequential scores of a time-series run per task: "model_mse", "last_value_mse",
  /// "moving_average_mse" (empty for other runs).
  public var prequential: [Int: [String: Double]]
  /// Wall-clock seconds spent training and evaluating.
  public var seconds: Double
}
