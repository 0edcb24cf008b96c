import Foundation

/// A named group of runs. Id 0 is the default experiment: the runs created without one
/// (MLflow's "Default"); it has no stored row and cannot be renamed or deleted.
public struct Experiment: Equatable, Sendable {
  /// The id of the default experiment.
  public static let defaultID: Int64 = 0
  /// The name the default experiment is shown with.
  public static let defaultName = "Default"

  /// Store-local id (0 for the default experiment).
  public var id: Int64
  /// Unique name.
  public var name: String
  /// True while it is in the trash (MLflow's soft delete); restoring clears it.
  public var isDeleted: Bool
  /// When it was created (the store's creation for the default experiment).
  public var createdAt: Date
  /// When its name, lifecycle or tags last changed.
  public var updatedAt: Date
  /// Its tags.
  public var tags: [String: String]

  /// Creates the value (backends build it from their rows).
  public init(
    id: Int64, name: String, isDeleted: Bool = false, createdAt: Date, updatedAt: Date? = nil,
    tags: [String: String] = [:]
  ) {
    self.id = id
    self.name = name
    self.isDeleted = isDeleted
    self.createdAt = createdAt
    self.updatedAt = updatedAt ?? createdAt
    self.tags = tags
  }
}

/// A change to a run's life cycle or name (`StoreWriting.updateRun`); nil fields stay.
public struct RunUpdate: Equatable, Sendable {
  /// A new display name.
  public var name: String?
  /// A new status. An ended status sets `ended_at` (to `endedAt`, else now); `running` again
  /// reopens an ended run (clears `ended_at` and beats its heartbeat).
  public var status: RunStatus?
  /// When it ended, with an ended `status`.
  public var endedAt: Date?
  /// Moves the run into the trash (true) or out of it (false).
  public var deleted: Bool?

  /// Creates the change.
  public init(
    name: String? = nil, status: RunStatus? = nil, endedAt: Date? = nil, deleted: Bool? = nil
  ) {
    self.name = name
    self.status = status
    self.endedAt = endedAt
    self.deleted = deleted
  }
}

/// A file a run logged (an MLflow artifact), its content stored once by SHA-256.
public struct ArtifactRecord: Equatable, Sendable {
  /// The run that logged it.
  public var run: RunID
  /// Its path inside the run's artifacts, '/'-separated, relative (`model/model.pkl`).
  public var path: String
  /// SHA-256 of the content (lowercase hex); `loadBlob` reads and verifies it.
  public var sha256: String
  /// Size in bytes.
  public var size: Int64
  /// When it was stored.
  public var createdAt: Date

  /// Creates the value.
  public init(run: RunID, path: String, sha256: String, size: Int64, createdAt: Date) {
    self.run = run
    self.path = path
    self.sha256 = sha256
    self.size = size
    self.createdAt = createdAt
  }

  /// Checks an artifact path: relative, '/'-separated, no `.`/`..`/empty segments, no NUL or
  /// backslash, at most 1,024 bytes (`.invalidName`).
  public static func validate(path: String) throws {
    func refuse(_ why: String) -> TrackingError {
      TrackingError(.invalidName, "Artifact path '\(path.prefix(200))' is invalid: \(why).")
    }
    guard !path.isEmpty else { throw refuse("it is empty") }
    guard path.utf8.count <= 1024 else { throw refuse("it is longer than 1,024 bytes") }
    guard !path.hasPrefix("/") else { throw refuse("absolute paths are refused") }
    guard !path.contains("\0") else { throw refuse("it contains a NUL byte") }
    guard !path.contains("\\") else { throw refuse("use '/' to separate folders, not '\\'") }
    for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
      if segment.isEmpty { throw refuse("it has an empty folder name ('//' or a trailing '/')") }
      if segment == "." || segment == ".." { throw refuse("'.' and '..' are refused") }
    }
  }
}

/// A model a run produced (MLflow 3's logged model). Its files are artifacts of the source
/// run under `models/ID/`.
public struct LoggedModelRecord: Equatable, Sendable {
  /// MLflow's model id (`m-` and 32 hex digits).
  public var id: String
  /// The run that produced it, if any.
  public var run: RunID?
  /// Its experiment (0: the default one).
  public var experimentID: Int64
  /// Its name (`model`).
  public var name: String
  /// The flavor's model type, when given.
  public var modelType: String?
  /// MLflow's status (`LOGGED_MODEL_PENDING`, `LOGGED_MODEL_READY`, `LOGGED_MODEL_UPLOAD_FAILED`).
  public var status: String
  /// When it was created.
  public var createdAt: Date
  /// When its status, params or tags last changed.
  public var updatedAt: Date
  /// Its params.
  public var params: [String: String]
  /// Its tags.
  public var tags: [String: String]

  public init(
    id: String, run: RunID?, experimentID: Int64, name: String, modelType: String?,
    status: String, createdAt: Date, updatedAt: Date, params: [String: String],
    tags: [String: String]
  ) {
    self.id = id
    self.run = run
    self.experimentID = experimentID
    self.name = name
    self.modelType = modelType
    self.status = status
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.params = params
    self.tags = tags
  }
}
