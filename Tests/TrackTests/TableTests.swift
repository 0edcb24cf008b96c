import Testing

@testable import Experiments
@testable import track

/// The table renderer: alignment, CSV quoting, Markdown, and no colors off a terminal.
struct TableTests {
  let plain = Terminal(isInteractive: false, usesColor: false, width: 80)

  func sample() -> Table {
    var table = Table(columns: [Table.Column("name"), Table.Column("acc", numeric: true)])
    table.append(texts: ["naive", "0.5"])
    table.append([Table.Cell("replay, big"), Table.Cell("0.8123", style: .green)])
    return table
  }

  @Test func alignsNumbersRightAndTextLeft() {
    let text = sample().aligned(terminal: plain)
    #expect(
      text == """
        name            acc
        ───────────  ──────
        naive           0.5
        replay, big  0.8123

        """)
  }

  @Test func colorsOnlyWhenTheTerminalUsesThem() {
    let colored = Terminal(isInteractive: true, usesColor: true, width: 80)
    #expect(sample().aligned(terminal: colored).contains("\u{1B}[32m0.8123\u{1B}[0m"))
    #expect(!sample().aligned(terminal: plain).contains("\u{1B}"))
  }

  @Test func quotesCSVFieldsThatNeedIt() {
    #expect(sample().csv() == "name,acc\nnaive,0.5\n\"replay, big\",0.8123\n")
    #expect(Table.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
  }

  @Test func rendersMarkdownWithRightAlignedNumbers() {
    #expect(
      sample().markdown() == """
        | name | acc |
        | --- | ---: |
        | naive | 0.5 |
        | replay, big | 0.8123 |

        """)
  }
}
