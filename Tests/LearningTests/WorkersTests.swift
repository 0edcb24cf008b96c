import Foundation
import Testing

@testable import Learning

/// `Workers.forEachSlice`: every index is handed out exactly once, on the pool's threads,
/// whatever the number of slices per thread and however many callers share the pool.
@Suite struct WorkersTests {
  static func coverage(count: Int, alignment: Int, threads: Int, slicesPerThread: Int)
    -> (visits: [Int], slices: [Range<Int>])
  {
    let visits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
    visits.initialize(repeating: 0)
    defer { visits.deallocate() }
    let lock = NSLock()
    var slices: [Range<Int>] = []
    Workers.forEachSlice(
      of: count, alignment: alignment, threads: threads, slicesPerThread: slicesPerThread
    ) { range in
      for i in range { visits[i] += 1 }  // slices are disjoint: no two threads share an i
      lock.lock()
      slices.append(range)
      lock.unlock()
    }
    return (Array(visits.prefix(count)), slices.sorted { $0.lowerBound < $1.lowerBound })
  }

  @Test(arguments: [(0, 1), (1, 1), (7, 1), (100, 16), (1000, 8), (4099, 16)])
  func everyIndexIsVisitedOnce(_ shape: (Int, Int)) {
    let (count, alignment) = shape
    for threads in [1, 2, 3] {
      for slicesPerThread in [1, 4] {
        let (visits, slices) = Self.coverage(
          count: count, alignment: alignment, threads: threads,
          slicesPerThread: slicesPerThread)
        #expect(visits.allSatisfy { $0 == 1 }, "count \(count) threads \(threads)")
        #expect(slices.count <= threads * slicesPerThread)
        #expect(slices.allSatisfy { $0.lowerBound % alignment == 0 && !$0.isEmpty })
        #expect(slices.first?.lowerBound ?? 0 == 0 && slices.last?.upperBound ?? 0 == count)
      }
    }
  }

  @Test func manyCallersAtOnceEachGetTheirWholeJob() {
    // `nonisolated(unsafe)`: each caller writes only its own element.
    nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 8)
    defer { results.deallocate() }
    DispatchQueue.concurrentPerform(iterations: 8) { caller in
      var whole = true
      for round in 0..<50 {
        let count = 500 + caller * 37 + round
        let (visits, _) = Self.coverage(
          count: count, alignment: 4, threads: 2, slicesPerThread: 3)
        whole = whole && visits.allSatisfy { $0 == 1 }
      }
      results[caller] = whole
    }
    #expect(results.allSatisfy { $0 })
  }
}
