import Testing

@Test func TrackBuilds() { #expect(Bool(true)) }
