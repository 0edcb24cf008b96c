import Foundation
import Testing
import Tracking

/// Checkpoints: blobs stored once by SHA-256, verified when read.
struct CheckpointTests {
  @Test(arguments: Backend.all) func checkpointsAreContentAddressed(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "ckpt", experiment: nil, params: [:])
    let weights = Data((0..<10_000).map { UInt8($0 % 251) })
    let sha = try run.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: weights)
    let again = try run.saveCheckpoint(task: 2, epoch: 3, kind: "weights", data: weights)
    let abc = try run.saveCheckpoint(task: 2, epoch: 3, kind: "optimizer", data: Data("abc".utf8))
    let empty = try run.saveCheckpoint(task: 2, epoch: nil, kind: "empty", data: Data())
    try run.finish()
    #expect(sha == again)
    #expect(sha.count == 64)
    // FIPS 180-2's test vector and the hash of nothing.
    #expect(abc == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(empty == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    let checkpoints = try store.checkpoints(of: run.id)
    #expect(checkpoints.map(\.task) == [1, 2, 2, 2])  // oldest first
    #expect(checkpoints.map(\.kind) == ["weights", "weights", "optimizer", "empty"])
    #expect(checkpoints.map(\.size) == [10_000, 10_000, 3, 0])
    #expect(checkpoints.allSatisfy { $0.run == run.id })
    #expect(try store.latestCheckpoint(of: run.id, kind: "weights")?.epoch == 3)
    #expect(try store.latestCheckpoint(of: run.id, kind: "absent") == nil)
    #expect(try store.loadBlob(sha) == weights)
    #expect(try store.loadBlob(abc) == Data("abc".utf8))
    #expect(try store.loadBlob(empty) == Data())
    expectTrackingError(.blobNotFound) { try store.loadBlob(String(repeating: "0", count: 64)) }
    #expect(try store.check().isOK)
  }

  /// Two runs saving the same bytes share one blob: it goes only when neither needs it.
  @Test(arguments: Backend.all) func sameBytesAreStoredOnce(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let bytes = Data(repeating: 7, count: 20_000)
    var runs: [RunID] = []
    for name in ["first", "second"] {
      let run = try store.startRun(name: name, experiment: nil, params: [:])
      try run.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: bytes)
      try run.finish()
      runs.append(run.id)
    }
    let sha = try store.checkpoints(of: runs[1])[0].sha256
    try store.deleteRun(runs[0])
    #expect(try store.loadBlob(sha) == bytes)  // the other run still uses it
    try store.deleteRun(runs[1])
    // Gone with its last reference, in the same transaction (no `gc` needed).
    expectTrackingError(.blobNotFound) { try store.loadBlob(sha) }
    #expect(try store.collectGarbage().blobsRemoved == 0)
  }
}
