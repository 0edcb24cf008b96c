import TestSupport

/// TestSupport's temporary folder, named here so that every test file of the target sees it
/// without importing TestSupport.
typealias TemporaryFolder = TestSupport.TemporaryFolder
