import Testing

@Test func TrackingBuilds() { #expect(Bool(true)) }
