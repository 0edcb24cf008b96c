import Testing

@Test func LearningBuilds() { #expect(Bool(true)) }
