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
///
/// A sample's payload is computed only when the sample is kept (so a backend reads a row's
/// other columns for ~2,000 rows, not for all of them); the last sample's payload is given to
/// `result(last:)`, since every sample is the last one for a moment.
@frozen public struct SeriesSampler<Payload> {
  public typealias Sample = (x: Double, y: Double, payload: Payload)

  // @usableFromInline/@inlinable: a backend streams every point through `add`, so it must be
  // specialized in the caller's module (unspecialized generic code measured 2x slower).
  @usableFromInline let low: Double
  @usableFromInline let scale: Double
  @usableFromInline let buckets: Int
  @usableFromInline var lows: [(Int, Sample)?]
  @usableFromInline var highs: [(Int, Sample)?]
  @usableFromInline var first: (Int, Sample)?
  @usableFromInline var last: (index: Int, x: Double, y: Double)?
  /// Every sample while there are few (the whole series is then the answer).
  @usableFromInline var all: [Sample] = []
  @usableFromInline var added = 0
  /// How many samples were added.
  @inlinable public var count: Int { added }

  /// `low...high` is the x range the samples will fall in.
  @inlinable public init(low: Double, high: Double, buckets: Int) {
    precondition(buckets > 0, "at least one bucket")
    self.low = low
    self.buckets = buckets
    scale = high > low ? Double(buckets) / (high - low) : 0
    lows = Array(repeating: nil, count: buckets)
    highs = Array(repeating: nil, count: buckets)
  }

  @inlinable var keepsAll: Bool { added <= 2 * buckets + 2 }

  @inlinable public mutating func add(x: Double, y: Double, payload: @autoclosure () -> Payload) {
    let index = added
    added += 1
    if keepsAll {
      all.append((x, y, payload()))
    } else if !all.isEmpty {
      all = []
    }
    last = (index, x, y)
    guard y.isFinite, x.isFinite else { return }
    if first == nil { first = (index, (x, y, payload())) }
    let bucket = min(buckets - 1, max(0, Int((x - low) * scale)))
    let isLow = lows[bucket].map { $0.1.y > y } ?? true
    let isHigh = highs[bucket].map { $0.1.y < y } ?? true
    guard isLow || isHigh else { return }
    let sample = (x: x, y: y, payload: payload())
    if isLow { lows[bucket] = (index, sample) }
    if isHigh { highs[bucket] = (index, sample) }
  }

  /// The samples kept, in the order they were added; `last` is the payload of the last
  /// sample added (kept when its y is finite).
  @inlinable public func result(last lastPayload: Payload?) -> [Sample] {
    if keepsAll { return all }
    var chosen: [Int: Sample] = [:]
    for entry in [first] + lows + highs {
      if let (index, sample) = entry { chosen[index] = sample }
    }
    if let last, let lastPayload, last.x.isFinite, last.y.isFinite {
      chosen[last.index] = (last.x, last.y, lastPayload)
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
    return SampledSeries(points: sampler.result(last: points.last).map(\.payload), total: points.count)
  }
}
