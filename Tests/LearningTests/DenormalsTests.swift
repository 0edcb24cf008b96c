import Foundation
import Testing

@testable import Learning

/// Denormals are flushed to zero on every thread that trains, and a caller's state comes
/// back after (`Denormals`, CKernels' Numerics.h).
@Suite struct DenormalsTests {
  /// 1e-38 × 1e-3 is 1e-41, a denormal Float; flushed, it is 0. The operands are parsed at
  /// run time so that the compiler cannot fold the product.
  @inline(never) static func denormalProduct() -> Float {
    Float("1e-38")! * Float("1e-3")!
  }

  #if arch(x86_64) || arch(i386)
  @Test func aDenormalProductFlushesToZeroInsideAndComesBackAfter() {
    let before = Denormals.areFlushed
    let outside = DenormalsTests.denormalProduct()
    let inside = Denormals.flushed { (Denormals.areFlushed, DenormalsTests.denormalProduct()) }
    #expect(inside.0)
    #expect(inside.1 == 0)
    #expect(Denormals.areFlushed == before)
    #expect(DenormalsTests.denormalProduct() == outside)
    if !before { #expect(outside != 0 && !outside.isNormal) }
  }

  @Test func theThreadThatRunsAnExperimentFlushesAndIsRestoredAfter() throws {
    let before = Denormals.areFlushed
    let recorder = InMemoryRecorder()
    var seen: (flushed: Bool, product: Float)?
    recorder.onRecordTasks = { seen = (Denormals.areFlushed, DenormalsTests.denormalProduct()) }
    _ = try ContinualExperiment(spec: smallSpec(), recorder: recorder).run()
    #expect(seen?.flushed == true)
    #expect(seen?.product == 0)
    #expect(Denormals.areFlushed == before)
  }

  @Test func everySliceOfASharedJobRunsFlushed() {
    let lock = NSLock()
    var flushed = [Bool]()
    Denormals.flushed {
      Workers.forEachSlice(of: 4096, threads: 2, slicesPerThread: 16) { _ in
        let value = Denormals.areFlushed && DenormalsTests.denormalProduct() == 0
        lock.lock()
        flushed.append(value)
        lock.unlock()
      }
    }
    #expect(!flushed.isEmpty)
    #expect(flushed.allSatisfy { $0 })
  }
  #endif
}
