import Testing

@testable import Experiments
@testable import track

/// Number, delta, duration and sparkline formatting.
struct NumberFormattingTests {
  @Test func formatsValues() {
    #expect(NumberFormatting.value(0.81234) == "0.8123")
    #expect(NumberFormatting.value(3) == "3.0000")
    #expect(NumberFormatting.value(0) == "0.0000")
    #expect(NumberFormatting.value(1.5e-6) == "1.5e-06")
    #expect(NumberFormatting.value(nil) == "")
    #expect(NumberFormatting.value(.nan) == "nan")
  }

  @Test func formatsSignedDeltasAndRelativeChanges() {
    #expect(NumberFormatting.delta(0.05) == "+0.0500")
    #expect(NumberFormatting.delta(-0.25) == "-0.2500")
    #expect(NumberFormatting.delta(0) == "0")
    #expect(NumberFormatting.relative(0.1, base: 0.5) == "+20.0%")
    #expect(NumberFormatting.relative(-0.1, base: -0.5) == "-20.0%")
    #expect(NumberFormatting.relative(0.1, base: 0) == "")
  }

  @Test func formatsDurations() {
    #expect(NumberFormatting.duration(0.25) == "250ms")
    #expect(NumberFormatting.duration(12.34) == "12.3s")
    #expect(NumberFormatting.duration(245) == "4m05s")
    #expect(NumberFormatting.duration(7380) == "2h03m")
  }

  @Test func drawsSparklinesScaledMinToMax() {
    #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█")
    #expect(Sparkline.render([3, 3, 3]) == "▄▄▄")
    #expect(Sparkline.render([]) == "")
    // 100 points resampled to 10 buckets keep the rising shape.
    let line = Sparkline.render((0..<100).map(Double.init), width: 10)
    #expect(line.count == 10 && line.first == "▁" && line.last == "█")
  }

  @Test func rendersStableJSON() {
    let value = JSONValue.object([
      ("name", .string("a \"b\"\n")), ("values", .array([.number(0.5), .null, .integer(3)])),
      ("empty", .object([])), ("nested", .array([.object([("x", .bool(true))])])),
    ])
    #expect(
      value.rendered() == """
        {
          "name": "a \\"b\\"\\n",
          "values": [0.5, null, 3],
          "empty": {},
          "nested": [
            {
              "x": true
            }
          ]
        }

        """)
  }
}
