import Foundation

/// Reading a track store: runs, their params, tags, metrics, tasks, matrix, checkpoints and
/// knowledge base. Backend-neutral: SQLite (`TrackingSQLite.SQLiteStore`) implements it, and
/// every backend passes the same conformance suite (Tests/StoreConformanceTests).
///
/// ```swift
/// let store: any TrackStore = try SQLiteStore(path: "track.db", readOnly: true)
/// let best = try store.runs(where: RunFilter.parse("acc > 0.8"),
///                           sort: [RunSort(key: "acc", descending: true)], limit: 5)
/// ```
public protocol StoreReading: AnyObject, Sendable {
  /// Where the store is, as given (a file path or a URL without its password).
  var location: String { get }
  /// True when opened read-only: every write throws `.readOnly`.
  var isReadOnly: Bool { get }
  /// Schema version of the store (after any upgrade on open).
  var schemaVersion: Int { get }

  /// The run with this id; `.runNotFound` when absent.
  func run(_ id: RunID) throws -> Run
  /// The run with exactly this UUID (lowercase, with or without dashes), or nil.
  func run(uuid: String) throws -> Run?
  /// Finds a run by id, name, UUID prefix, `latest` or `latest~N` (N runs before the latest);
  /// `.ambiguousRun` (listing the candidates) or `.runNotFound` otherwise.
  func resolveRun(_ reference: String) throws -> Run
  /// Runs matching `filter`, ordered by `sort` (default: newest first), at most `limit`,
  /// after skipping the first `offset` (a page of a listing: the store skips them, so page
  /// 200 of 10,000 runs costs what page 1 does).
  func runs(where filter: RunFilter?, sort: [RunSort], limit: Int?, offset: Int) throws
    -> [RunSummary]

  /// How many runs match `filter` (all runs when nil).
  func countRuns(where filter: RunFilter?) throws -> Int
  /// Every param key and metric name any run has (for checking the names of a filter, a
  /// sort or a column without loading every run).
  func fieldNames() throws -> RunFieldNames

  /// The params of a run, sorted by key.
  func params(of run: RunID) throws -> [Param]
  /// The tags of a run.
  func tags(of run: RunID) throws -> [String: String]
  /// The names of the metrics a run logged, sorted.
  func metricKeys(of run: RunID) throws -> [String]
  /// Every point of one metric of a run, by step (then in logging order).
  func metricSeries(of run: RunID, key: String) throws -> [MetricPoint]
  /// One metric of a run cut down for a chart (`SeriesSampler` over its steps: per bucket of
  /// the step range its lowest and highest point, and the first and last), with its size.
  /// A backend may stream it instead of reading every point into memory.
  func sampledMetricSeries(of run: RunID, key: String, buckets: Int) throws -> SampledSeries
  /// The latest value (highest step, then last logged) of each metric of a run.
  func latestMetrics(of run: RunID) throws -> [String: Double]
  /// The latest point of each metric of a run (value, step and time; epoch and task nil),
  /// sorted by key.
  func latestMetricPoints(of run: RunID) throws -> [MetricPoint]
  /// The tasks of a run's stream, by index.
  func tasks(of run: RunID) throws -> [TaskRecord]
  /// The names of the matrices a run recorded (usually one, "accuracy"), in recording order.
  func matrixMetrics(of run: RunID) throws -> [String]
  /// The matrix of a run for `metric` (nil: its first matrix); empty when none recorded.
  func matrix(of run: RunID, metric: String?) throws -> AccuracyMatrix
  /// The checkpoints of a run, oldest first.
  func checkpoints(of run: RunID) throws -> [CheckpointRecord]
  /// The bytes of a blob after verifying their SHA-256 (`.blobNotFound`, `.blobCorrupt`).
  func loadBlob(_ sha256: String) throws -> Data
  /// The knowledge base of a run, oldest first, with features verified.
  func knowledgeBase(of run: RunID) throws -> [KnowledgeEntry]
  /// The number of entries in a run's knowledge base.
  func knowledgeBaseCount(of run: RunID) throws -> Int
  /// The number of entries in a run's knowledge base by task (tasks without one absent).
  func knowledgeBaseCounts(of run: RunID) throws -> [Int: Int]

  /// How long a `running` run may go without a heartbeat before it reads as `crashed`
  /// (a store setting; `RunLogger.staleHeartbeat` by default).
  func staleHeartbeat() throws -> TimeInterval

  /// Every experiment, the default one (id 0) first, then by id; deleted ones only when
  /// `includeDeleted`.
  func experiments(includeDeleted: Bool) throws -> [Experiment]
  /// The experiment with this id (0: the default one); `.experimentNotFound` when absent.
  func experiment(id: Int64) throws -> Experiment
  /// The experiment with this name ("Default": the default one), or nil.
  func experiment(named name: String) throws -> Experiment?

  /// The artifacts of a run whose paths start with `prefix` (all when nil), by path.
  func artifacts(of run: RunID, prefix: String?) throws -> [ArtifactRecord]
  /// The logged model with this id, or nil.
  func loggedModel(id: String) throws -> LoggedModelRecord?
  /// The logged models of these experiments (all when empty), newest first.
  func loggedModels(experiments: [Int64]) throws -> [LoggedModelRecord]
  /// The artifact of a run at `path`; `.artifactNotFound` when absent. Its bytes come from
  /// `loadBlob(record.sha256)`, verified.
  func artifact(of run: RunID, path: String) throws -> ArtifactRecord

  /// Read-only SQL in the backend's dialect (`track query`): a statement that would write is
  /// refused with `.writeInQuery`, SQL the backend cannot run with `.invalidQuery`.
  func query(_ sql: String) throws -> QueryResult
  /// Checks the store: the backend's integrity (`full`: its slowest, most thorough check),
  /// foreign keys, every blob's SHA-256, and that every matrix has summaries that match a
  /// recomputation.
  func check(full: Bool) throws -> IntegrityReport
}

/// Writing a track store. A live run is written through `RunLogger` (from `startRun`), which
/// buffers points and calls the run-level operations here, each one transaction.
public protocol StoreWriting: StoreReading {
  /// Creates a run with status `running` and its initial params, in one transaction.
  func createRun(_ request: RunRequest) throws -> Run
  /// Sets (or replaces) a tag of a run.
  func setTag(run: RunID, key: String, value: String) throws
  /// Stores a param unless present; the same value again is fine, another throws
  /// `.paramConflict` (params are immutable).
  func logParam(run: RunID, key: String, value: ParamValue) throws
  /// Appends points and keeps the latest value of each metric current, in one transaction;
  /// with `heartbeat`, also records that the run is alive at that time.
  func appendMetrics(_ points: [MetricPoint], to run: RunID, heartbeat: Date?) throws
  /// Appends the last points and marks the run ended with `status`, in one transaction.
  func endRun(_ run: RunID, status: RunStatus, lastPoints: [MetricPoint]) throws
  /// Records the tasks of a run's stream (replacing those recorded for the same indices).
  func recordTasks(_ tasks: [TaskRecord], run: RunID) throws
  /// Records row `trainedThrough` of a matrix (0 = baseline): `scores[j-1]` is the score on
  /// task j; recomputes the run's summaries in the same transaction.
  func recordMatrixRow(run: RunID, trainedThrough: Int, scores: [Double], metric: String) throws
  /// Saves a checkpoint blob (stored once by content); returns its SHA-256.
  func saveCheckpoint(run: RunID, task: Int, epoch: Int?, kind: String, data: Data) throws
    -> String
  /// Adds entries to a run's knowledge base; returns their ids in order. An entry's
  /// `sourceRun` and `addedAt` are kept when set (a sample carried over by `--from`).
  func addKnowledge(_ entries: [KnowledgeEntry], to run: RunID) throws -> [Int64]
  /// Removes entries from a run's knowledge base (ids of other runs are ignored), and in the
  /// same transaction the blobs nothing references any more.
  func removeKnowledge(ids: [Int64], from run: RunID) throws
  /// Deletes a run's checkpoints of tasks before `task`, and the blobs nothing references
  /// any more, in one transaction.
  func deleteCheckpoints(of run: RunID, before task: Int) throws
  /// Deletes a run and everything it owns (and the blobs nothing else references); runs
  /// continued from it keep their data.
  func deleteRun(_ id: RunID) throws
  /// Removes blobs nothing references any more and compacts the store.
  func collectGarbage() throws -> GarbageReport
  /// Recomputes every matrix's summaries from its cells (after another client wrote cells);
  /// returns how many summaries changed.
  func repairSummaries() throws -> Int
  /// Sets how long a `running` run may go without a heartbeat before it reads as `crashed`
  /// (at least twice `RunLogger.heartbeatInterval`, else `.invalidValue`).
  func setStaleHeartbeat(_ seconds: TimeInterval) throws
  /// Runs `body`, whose writes to this store (from this thread) become one transaction: all
  /// of them or none. `body` runs once; other threads' writes wait until it ends.
  func transaction<T>(_ body: () throws -> T) throws -> T

  /// Removes a tag of a run (absent: nothing to do).
  func deleteTag(run: RunID, key: String) throws
  /// Renames a run, changes its status (reopening an ended one with `running`), or moves it
  /// into or out of the trash, in one transaction.
  func updateRun(_ run: RunID, _ update: RunUpdate) throws
  /// Creates an experiment; `.experimentExists` when the name is taken (also by a deleted
  /// one), `.invalidName` for a bad name.
  func createExperiment(name: String, tags: [String: String]) throws -> Experiment
  /// Renames an experiment and/or moves it into (`deleted: true`) or out of the trash. The
  /// default experiment (0) can do neither (`.invalidValue`).
  func updateExperiment(id: Int64, name: String?, deleted: Bool?) throws
  /// Sets (or replaces) a tag of an experiment (not the default one).
  func setExperimentTag(experiment: Int64, key: String, value: String) throws
  /// Creates or replaces a logged model (its run and experiment must exist).
  func saveLoggedModel(_ model: LoggedModelRecord) throws
  /// Deletes a logged model (not its files); absent: nothing to do.
  func deleteLoggedModel(id: String) throws
  /// Stores a file of a run at `path` (replacing one there), its content once by SHA-256.
  func saveArtifact(run: RunID, path: String, data: Data) throws -> ArtifactRecord
}

/// A store that can be read and written: what the front ends open.
public typealias TrackStore = StoreWriting

/// The param keys and metric names a store's runs have.
public struct RunFieldNames: Equatable, Sendable {
  /// Every param key.
  public var params: Set<String>
  /// Every metric name (the latest value of each is filterable and sortable).
  public var metrics: Set<String>

  /// Creates the value.
  public init(params: Set<String>, metrics: Set<String>) {
    self.params = params
    self.metrics = metrics
  }
}

/// What a new run starts with (`StoreWriting.createRun`).
public struct RunRequest: Equatable, Sendable {
  /// Display name; nil gives "run-<id>". Not unique; must not look like an id.
  public var name: String?
  /// Group name, created on first use.
  public var experiment: String?
  /// The id of an existing experiment (instead of `experiment`; 0 is the default one).
  public var experimentID: Int64?
  /// Initial tags.
  public var tags: [String: String] = [:]
  /// A UUID to keep (a run copied from another store); nil makes a new one.
  public var uuid: String?
  /// When the run was created (a copied run, or a client's own start time); nil is now.
  public var createdAt: Date?
  /// Initial params.
  public var params: [String: ParamValue]
  /// The run this one continues (`--from`); recorded as `continued_from`.
  public var continuing: RunID?
  /// The command line that started the run (URL passwords replaced by `***`).
  public var command: String
  /// Git commit of the working directory, when inside a work tree.
  public var gitCommit: String?
  /// The writer's host name.
  public var host: String
  /// The writer's process id.
  public var pid: Int

  /// A request; `command`, `gitCommit`, `host` and `pid` default to this process's.
  public init(
    name: String? = nil, experiment: String? = nil, params: [String: ParamValue] = [:],
    continuing: RunID? = nil, command: String? = nil, gitCommit: String?? = nil,
    host: String? = nil, pid: Int? = nil
  ) {
    self.name = name
    self.experiment = experiment
    self.params = params
    self.continuing = continuing
    self.command = RunRequest.redactingURLPasswords(
      command ?? CommandLine.arguments.joined(separator: " "))
    self.gitCommit =
      gitCommit
      ?? GitCommit.head(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    self.host = host ?? ProcessInfo.processInfo.hostName
    self.pid = pid ?? Int(ProcessInfo.processInfo.processIdentifier)
  }

  /// Checks the names and keys people typed (`.invalidName`).
  public func validate() throws {
    if let name { try NameRules.validateName(name, kind: "run") }
    if let experiment { try NameRules.validateName(experiment, kind: "experiment") }
    for key in params.keys { try NameRules.validateKey(key, kind: "param") }
    for key in tags.keys { try NameRules.validateKey(key, kind: "tag") }
  }
}

extension StoreReading {
  /// Runs matching `filter`, ordered by `sort` (default: newest first), at most `limit`.
  public func runs(
    where filter: RunFilter? = nil, sort: [RunSort] = [], limit: Int? = nil
  ) throws -> [RunSummary] {
    try runs(where: filter, sort: sort, limit: limit, offset: 0)
  }

  /// The run's first matrix (usually "accuracy"); empty when none recorded.
  public func matrix(of run: RunID) throws -> AccuracyMatrix {
    try matrix(of: run, metric: nil)
  }

  /// Checks the store with the backend's quick integrity check (`check(full: false)`).
  public func check() throws -> IntegrityReport {
    try check(full: false)
  }

  /// The latest checkpoint of a kind ("weights") of a run, if any.
  public func latestCheckpoint(of run: RunID, kind: String) throws -> CheckpointRecord? {
    try checkpoints(of: run).last { $0.kind == kind }
  }
}

extension StoreWriting {
  /// Starts a run and returns its live logger (heartbeat and buffered logging begin now).
  ///
  /// - Parameters:
  ///   - name: display name; nil gives "run-<id>". Not unique; must not look like an id.
  ///   - experiment: group name, created on first use.
  ///   - params: initial params (more can be logged with `RunLogger.logParam`).
  ///   - from: the run this one continues (recorded; it must exist).
  ///   - command: the command line; defaults to this process's arguments.
  public func startRun(
    name: String?, experiment: String?, params: [String: ParamValue],
    continuing from: RunID? = nil, command: String? = nil
  ) throws -> RunLogger {
    let request = RunRequest(
      name: name, experiment: experiment, params: params, continuing: from, command: command)
    try request.validate()
    let run = try createRun(request)
    return RunLogger(store: self, id: run.id, uuid: run.uuid)
  }
}
