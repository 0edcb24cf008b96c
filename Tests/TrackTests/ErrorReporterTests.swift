import ArgumentParser
import Foundation
import Testing

@testable import Experiments
@testable import track

/// Exit statuses for errors: 1 stays reserved for failed checks (CI gates read it).
struct ErrorReporterTests {
  struct UnexpectedError: Error, CustomStringConvertible {
    var description: String { "the disk went away" }
  }

  @Test func anUnclassifiedErrorIsARuntimeFailureNotAFailedCheck() {
    let (status, message) = ErrorReporter.classify(UnexpectedError())
    #expect(status == ExitStatus.runtime.rawValue)
    #expect(message.contains("the disk went away"))
  }

  @Test func explicitExitCodesPassThrough() {
    #expect(ErrorReporter.classify(ExitCode(1)).0 == 1)
    #expect(ErrorReporter.classify(ExitCode.success).0 == 0)
  }
}
