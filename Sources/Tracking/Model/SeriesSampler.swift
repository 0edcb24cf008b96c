/// A series cut down for drawing: at most about `2 × buckets + 2` of its points, and how
/// many it has.
public struct SampledSeries: Equatable, Sendable {
  /// The points kept, in the series' order.
  public var points: [MetricPoint]
  /// How many points the whole series has.
  public var total: Int

  public init(points: [MetricPoint], total: Int) {
    self.points = points
    self.total = total
  }
}

/// Downsampling for a chart, in one pass and bounded memory: of each of `buckets` equal spans
/// of the x range (a pixel column), the point with the lowest and the one with the highest
/// y, plus the first and the last point, in the order they came. A one-point spike survives;
/// a million points come out as ~2,000. A series of at most `2 × buckets + 2` points comes
/// out whole. Points whose y is not finite count in `total` but are never chosen.
public struct SeriesSampler<Payload> {
  public typealias Sample = (x: Double, y: Double, payload: Payload)

  private let low: Double
  private let scale: Double
  private let buckets: Int
  private var lows: [(Int, Sample)?]
  private var highs: [(Int, Sample)?]
  private var first: (Int, Sample)?
  private var last: (Int, Sample)?
  /// Every sample while there are few (the whole series is then the answer).
  private var all: [Sample] = []
  public private(set) var count = 0

  /// `low...high` is the x range the samples will fall in.
  public init(low: Double, high: Double, buckets: Int) {
    precondition(buckets > 0, "at least one bucket")
    self.low = low
    self.buckets = buckets
    scale = high > low ? Double(buckets) / (high - low) : 0
    lows = Array(repeating: nil, count: buckets)
    highs = Array(repeating: nil, count: buckets)
  }

  private var keepsAll: Bool { count <= 2 * buckets + 2 }

  public mutating func add(x: Double, y: Double, payload: Payload) {
    let sample = (x: x, y: y, payload: payload)
    let index = count
    count += 1
    if keepsAll { all.append(sample) } else if !all.isEmpty { all = [] }
    guard y.isFinite, x.isFinite else { return }
    if first == nil { first = (index, sample) }
    last = (index, sample)
    let bucket = min(buckets - 1, max(0, Int((x - low) * scale)))
    if let current = lows[bucket], current.1.y <= y {} else { lows[bucket] = (index, sample) }
    if let current = highs[bucket], current.1.y >= y {} else { highs[bucket] = (index, sample) }
  }

  /// The samples kept, in the order they were added.
  public func result() -> [Sample] {
    if keepsAll { return all }
    var chosen: [Int: Sample] = [:]
    for entry in [first, last] + lows + highs {
      if let (index, sample) = entry { chosen[index] = sample }
    }
    return chosen.keys.sorted().map { chosen[$0]! }
  }
}

extension StoreReading {
  /// The default: reads the whole series and samples it (a backend may stream instead).
  public func sampledMetricSeries(of run: RunID, key: String, buckets: Int) throws -> SampledSeries {
    let points = try metricSeries(of: run, key: key)
    return SampledSeries.sample(points, buckets: buckets)
  }
}

extension SampledSeries {
  /// `points` (by step) cut down by `SeriesSampler` over their steps.
  public static func sample(_ points: [MetricPoint], buckets: Int) -> SampledSeries {
    guard let first = points.first?.step, let last = points.last?.step else {
      return SampledSeries(points: [], total: 0)
    }
    var sampler = SeriesSampler<MetricPoint>(low: Double(first), high: Double(last), buckets: buckets)
    for point in points { sampler.add(x: Double(point.step), y: point.value, payload: point) }
    return SampledSeries(points: sampler.result().map(\.payload), total: points.count)
  }
}
