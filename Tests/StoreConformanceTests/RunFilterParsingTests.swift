import Testing
import Tracking

/// The filter and sort language as people type it, before any backend sees it.
struct RunFilterParsingTests {
  @Test func parseErrorsNameTheColumn() throws {
    let cases: [(String, Int)] = [
      ("acc >", 6), ("acc 0.8", 5), ("acc > 0.8 and", 14), ("(acc > 0.8", 11),
      ("acc > 0.8 status = x", 11), ("name = 'open", 8), ("acc ! 1", 5), ("", 1), ("acc > 1 $", 9),
    ]
    for (text, column) in cases {
      let error = expectTrackingError(.invalidFilter) { try RunFilter.parse(text) }
      #expect(
        error?.message.contains("column \(column):") == true, "\(text): \(error?.message ?? "")")
    }
    expectTrackingError(.invalidFilter) { try RunSort.parse("") }
  }
}
