import Tracking

/// One fresh store of a backend, for one test: the store, a second connection to it opened
/// read-only, and its removal.
///
/// ```swift
/// let fixture = try backend.makeStore()
/// defer { fixture.remove() }
/// let store = fixture.store
/// ```
struct StoreFixture {
  /// The store, open for writing.
  let store: any TrackStore
  /// Opens the same store again read-only (while `store` stays open).
  let openReadOnly: () throws -> any TrackStore
  /// Deletes the store and everything it holds.
  let remove: () -> Void
}
