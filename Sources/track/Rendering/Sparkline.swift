import Experiments
/// A metric curve as one line of block characters: `▁▂▃▅▆▇█`.
enum Sparkline {
  private static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  /// `values` resampled to at most `width` points (bucket means), scaled min..max.
  static func render(_ values: [Double], width: Int = 40) -> String {
    let finite = values.filter(\.isFinite)
    guard !finite.isEmpty, width > 0 else { return "" }
    let points = resample(finite, to: width)
    let low = points.min() ?? 0
    let high = points.max() ?? 0
    let span = high - low
    return String(
      points.map { value -> Character in
        guard span > 0 else { return blocks[3] }
        let level = Int(((value - low) / span * Double(blocks.count - 1)).rounded())
        return blocks[min(max(level, 0), blocks.count - 1)]
      })
  }

  /// Bucket means so that a long curve keeps its shape in `width` characters.
  static func resample(_ values: [Double], to width: Int) -> [Double] {
    guard values.count > width else { return values }
    return (0..<width).map { bucket in
      let start = bucket * values.count / width
      let end = max(start + 1, (bucket + 1) * values.count / width)
      let slice = values[start..<end]
      return slice.reduce(0, +) / Double(slice.count)
    }
  }
}
