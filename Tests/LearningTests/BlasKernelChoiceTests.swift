import CKernels
import Foundation
import Testing

@testable import Learning

/// The rule that picks OpenBLAS's kernel by CPU features (CKernels' BlasCore.h), on every
/// CPU: a pure function of OpenBLAS's pick and the CPU's level.
struct BlasKernelChoiceTests {
  @Test func aKernelBelowTheCPUIsReplacedByTheBestOneItSupports() {
    #expect(better("Prescott", blas_level_avx512) == "SkylakeX")
    #expect(better("Prescott", blas_level_avx512, bf16: true) == "Cooperlake")
    #expect(better("Haswell", blas_level_avx512) == "SkylakeX")
    #expect(better("Zen", blas_level_avx512, bf16: true) == "Cooperlake")
    #expect(better("Nehalem", blas_level_avx2) == "Haswell")
    #expect(better("Sandybridge", blas_level_avx2) == "Haswell")
    #expect(better("Core2", blas_level_avx) == "Sandybridge")
  }

  @Test func aKernelThatUsesTheWholeCPUIsKept() {
    #expect(better("SkylakeX", blas_level_avx512) == nil)
    #expect(better("COOPERLAKE", blas_level_avx512, bf16: true) == nil)
    #expect(better("Cooperlake", blas_level_avx512) == nil)  // not downgraded to SkylakeX
    #expect(better("Zen", blas_level_avx2) == nil)  // AMD's own AVX2 tuning stays
    #expect(better("Haswell", blas_level_avx2) == nil)
    #expect(better("Prescott", blas_level_baseline) == nil)
    // A kernel above the CPU (a user's OPENBLAS_CORETYPE) is not second-guessed here.
    #expect(better("SkylakeX", blas_level_avx2) == nil)
  }

  @Test func kernelLevelsFollowTheirInstructionSets() {
    #expect(blas_core_level("SkylakeX") == blas_level_avx512)
    #expect(blas_core_level("haswell") == blas_level_avx2)
    #expect(blas_core_level("Zen") == blas_level_avx2)
    #expect(blas_core_level("Bulldozer") == blas_level_avx)
    #expect(blas_core_level("Prescott") == blas_level_baseline)
    #expect(blas_core_level("Unknown") == blas_level_baseline)
    #expect(blas_core_level(nil) == blas_level_baseline)
  }

  /// In this process: the user's OPENBLAS_CORETYPE is kept as it is; otherwise the kernel uses
  /// the CPU's level (OpenBLAS's own pick, or the one chosen instead).
  @Test func thisProcessRunsTheKernelTheRuleChose() {
    let kernel = MachineInfo.blasKernel
    let core = String(kernel.split(separator: " ").last ?? "")
    if let user = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
      #expect(MachineInfo.kernelChoice == .environment)
      #expect(core.lowercased() == user.lowercased())
    } else {
      #expect(MachineInfo.kernelChoice != .environment)
      #expect(blas_core_level(core).rawValue >= blas_cpu_level().rawValue)
      if case .cpuFeatures(let replaced) = MachineInfo.kernelChoice {
        #expect(blas_core_level(replaced).rawValue < blas_cpu_level().rawValue)
      }
    }
    #expect(!MachineInfo.instructionLevel.isEmpty)
  }

  private func better(_ picked: String, _ cpu: blas_level, bf16: Bool = false) -> String? {
    blas_core_better_than(picked, cpu, bf16 ? 1 : 0).map { String(cString: $0) }
  }
}
