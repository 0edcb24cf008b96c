import Foundation
import Tracking

/// MLflow's tracking REST API 2.0 over a track store: experiments, runs, params, tags,
/// metrics and their histories, in MLflow's JSON shapes. Framework-free: it takes a method,
/// a path below `/api/2.0/mlflow/` and the request's fields, and returns the JSON body, so
/// the HTTP layer stays thin. Every call is synchronous and runs on a thread that may block
/// (the store may wait for another process's write lock).
final class MLflowAPI: Sendable {
  let store: any TrackStore
  /// Counts points written, for `/metrics`.
  let onPointsWritten: @Sendable (Int) -> Void

  init(store: any TrackStore, onPointsWritten: @escaping @Sendable (Int) -> Void = { _ in }) {
    self.store = store
    self.onPointsWritten = onPointsWritten
  }

  typealias Handler = @Sendable (MLflowAPI, Fields) throws -> [UInt8]

  /// The endpoints by "METHOD path" (path below `/api/2.0/mlflow/`). Reads answer GET (and
  /// POST, as MLflow's server does for the search endpoints).
  static let endpoints: [String: Handler] = {
    var table: [String: Handler] = [
      "POST experiments/create": { try $0.createExperiment($1) },
      "GET experiments/get": { try $0.getExperiment($1) },
      "GET experiments/get-by-name": { try $0.getExperimentByName($1) },
      "POST experiments/search": { try $0.searchExperiments($1) },
      "GET experiments/search": { try $0.searchExperiments($1) },
      "GET experiments/list": { try $0.searchExperiments($1) },
      "POST experiments/update": { try $0.updateExperiment($1) },
      "POST experiments/delete": { try $0.setExperimentDeleted($1, true) },
      "POST experiments/restore": { try $0.setExperimentDeleted($1, false) },
      "POST experiments/set-experiment-tag": { try $0.setExperimentTag($1) },
      "POST runs/create": { try $0.createRun($1) },
      "POST runs/update": { try $0.updateRun($1) },
      "GET runs/get": { try $0.getRun($1) },
      "POST runs/search": { try $0.searchRuns($1) },
      "POST runs/delete": { try $0.setRunDeleted($1, true) },
      "POST runs/restore": { try $0.setRunDeleted($1, false) },
      "POST runs/log-metric": { try $0.logMetric($1) },
      "POST runs/log-parameter": { try $0.logParam($1) },
      "POST runs/set-tag": { try $0.setTag($1) },
      "POST runs/delete-tag": { try $0.deleteTag($1) },
      "POST runs/log-batch": { try $0.logBatch($1) },
      "POST runs/log-inputs": { try $0.logInputs($1) },
      "POST runs/outputs": { try $0.logOutputs($1) },
      "GET metrics/get-history": { try $0.metricHistory($1) },
      "GET metrics/get-history-bulk-interval": { try $0.metricHistoryBulk($1) },
    ]
    table["GET runs/search"] = table["POST runs/search"]
    return table
  }()

  /// The endpoint paths (for 405 versus 404).
  static let paths: Set<String> = Set(endpoints.keys.map { String($0.split(separator: " ")[1]) })

  /// Whether an endpoint only reads (allowed for read-only users).
  static func isRead(method: String, path: String) -> Bool {
    method == "GET" || path.hasSuffix("/search")
  }

  // MARK: Experiments

  func createExperiment(_ fields: Fields) throws -> [UInt8] {
    let name = try fields.requiredString("name")
    try MLflowRules.validateLength(name, limit: MLflowRules.maximumExperimentNameLength, field: "name")
    var tags: [String: String] = [:]
    for tag in try fields.objects("tags") {
      let key = try tag.requiredString("key")
      let value = try tag.string("value") ?? ""
      try MLflowRules.validateLength(
        value, limit: MLflowRules.maximumExperimentTagValueLength, field: "value")
      tags[key] = value
    }
    let experiment: Experiment
    do {
      experiment = try store.createExperiment(name: name, tags: tags)
    } catch let error as TrackingError where error.code == .experimentExists {
      throw MLflowError(.resourceAlreadyExists, "Experiment(name=\(name)) already exists. "
        + "Error: \(error.message)")
    }
    var out = JSONWriter()
    out.raw("{\"experiment_id\":")
    out.string(String(experiment.id))
    out.raw("}")
    return out.bytes
  }

  func getExperiment(_ fields: Fields) throws -> [UInt8] {
    let experiment = try experiment(fields)
    var out = JSONWriter()
    out.raw("{\"experiment\":")
    write(experiment, into: &out)
    out.raw("}")
    return out.bytes
  }

  func getExperimentByName(_ fields: Fields) throws -> [UInt8] {
    let name = try fields.requiredString("experiment_name")
    guard let experiment = try store.experiment(named: name) else {
      throw MLflowError(.resourceDoesNotExist, "Could not find experiment with name '\(name)'")
    }
    var out = JSONWriter()
    out.raw("{\"experiment\":")
    write(experiment, into: &out)
    out.raw("}")
    return out.bytes
  }

  func searchExperiments(_ fields: Fields) throws -> [UInt8] {
    let view = try fields.string("view_type") ?? "ACTIVE_ONLY"
    var experiments = try store.experiments(includeDeleted: view != "ACTIVE_ONLY")
    switch view {
    case "ACTIVE_ONLY": break
    case "DELETED_ONLY": experiments = experiments.filter(\.isDeleted)
    case "ALL": break
    default: throw MLflowError.invalid("view_type", view, "expected ACTIVE_ONLY, DELETED_ONLY or ALL")
    }
    if let filter = try fields.string("filter"), !filter.isEmpty {
      experiments = try ExperimentFilter.apply(filter, to: experiments)
    }
    let orders = try fields.strings("order_by")
    if orders.isEmpty {
      experiments.sort { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    } else {
      experiments = try ExperimentFilter.sort(experiments, by: orders)
    }
    let (page, next) = try paginate(experiments, fields: fields, defaultSize: 1000, limit: 50000)
    var out = JSONWriter()
    out.raw("{\"experiments\":[")
    for (index, experiment) in page.enumerated() {
      if index > 0 { out.comma() }
      write(experiment, into: &out)
    }
    out.raw("]")
    if let next {
      out.key("next_page_token")
      out.string(next)
    }
    out.raw("}")
    return out.bytes
  }

  func updateExperiment(_ fields: Fields) throws -> [UInt8] {
    let experiment = try experiment(fields)
    let name = try fields.requiredString("new_name")
    try store.updateExperiment(id: experiment.id, name: name, deleted: nil)
    return Array("{}".utf8)
  }

  func setExperimentDeleted(_ fields: Fields, _ deleted: Bool) throws -> [UInt8] {
    let experiment = try experiment(fields)
    if experiment.id == Experiment.defaultID {
      throw MLflowError(.invalidParameterValue, "Cannot delete the default experiment '0'.")
    }
    try store.updateExperiment(id: experiment.id, name: nil, deleted: deleted)
    return Array("{}".utf8)
  }

  func setExperimentTag(_ fields: Fields) throws -> [UInt8] {
    let experiment = try experiment(fields)
    let key = try fields.requiredString("key")
    let value = try fields.string("value") ?? ""
    try MLflowRules.validateLength(key, limit: MLflowRules.maximumKeyLength, field: "key")
    try MLflowRules.validateLength(
      value, limit: MLflowRules.maximumExperimentTagValueLength, field: "value")
    try store.setExperimentTag(experiment: experiment.id, key: key, value: value)
    return Array("{}".utf8)
  }

  private func experiment(_ fields: Fields) throws -> Experiment {
    let text = try fields.requiredString("experiment_id")
    guard let id = Int64(text), id >= 0 else {
      throw MLflowError(.resourceDoesNotExist, "Could not find experiment with ID \(text)")
    }
    do {
      return try store.experiment(id: id)
    } catch let error as TrackingError where error.code == .experimentNotFound {
      throw MLflowError(.resourceDoesNotExist, "Could not find experiment with ID \(text)")
    }
  }

  func write(_ experiment: Experiment, into out: inout JSONWriter) {
    out.raw("{\"experiment_id\":")
    out.string(String(experiment.id))
    out.key("name")
    out.string(experiment.name)
    out.key("artifact_location")
    out.string("mlflow-artifacts:/\(experiment.id)")
    out.key("lifecycle_stage")
    out.string(experiment.isDeleted ? "deleted" : "active")
    out.key("last_update_time")
    out.integer(MLflowIDs.milliseconds(experiment.updatedAt))
    out.key("creation_time")
    out.integer(MLflowIDs.milliseconds(experiment.createdAt))
    out.key("tags")
    writeTags(experiment.tags, into: &out)
    out.raw("}")
  }

  // MARK: Runs

  func createRun(_ fields: Fields) throws -> [UInt8] {
    let experimentText = try fields.string("experiment_id") ?? "0"
    guard let experimentID = Int64(experimentText) else {
      throw MLflowError(.resourceDoesNotExist, "Could not find experiment with ID \(experimentText)")
    }
    var tags: [String: String] = [:]
    for tag in try fields.objects("tags") {
      let key = try tag.requiredString("key")
      try MLflowRules.validateKey(key, field: "tags.key")
      let value = try tag.string("value") ?? ""
      try MLflowRules.validateLength(value, limit: MLflowRules.maximumTagValueLength, field: "value")
      tags[key] = value
    }
    if let user = try fields.string("user_id"), tags["mlflow.user"] == nil {
      tags["mlflow.user"] = user
    }
    let name = try fields.string("run_name") ?? tags["mlflow.runName"]
    var request = RunRequest(
      name: name.flatMap { $0.isEmpty ? nil : $0 }, params: [:],
      command: tags["mlflow.source.name"] ?? "", gitCommit: .some(tags["mlflow.source.git.commit"]),
      pid: 0)
    request.experimentID = experimentID
    request.tags = tags
    if let start = try fields.int64("start_time") {
      request.createdAt = Date(timeIntervalSince1970: Double(start) / 1000)
    }
    let experiment = try experimentForWriting(experimentID, text: experimentText)
    _ = experiment
    let run: Run
    do {
      run = try store.createRun(request)
    } catch let error as TrackingError where error.code == .invalidName {
      throw MLflowError(.invalidParameterValue, error.message)
    }
    var out = JSONWriter(capacity: 1024)
    out.raw("{\"run\":")
    try write(run, into: &out)
    out.raw("}")
    return out.bytes
  }

  private func experimentForWriting(_ id: Int64, text: String) throws -> Experiment {
    let experiment: Experiment
    do {
      experiment = try store.experiment(id: id)
    } catch let error as TrackingError where error.code == .experimentNotFound {
      throw MLflowError(.resourceDoesNotExist, "Could not find experiment with ID \(text)")
    }
    if experiment.isDeleted {
      throw MLflowError(
        .invalidParameterValue,
        "The experiment \(id) must be in the 'active' state. Current state is deleted.")
    }
    return experiment
  }

  func updateRun(_ fields: Fields) throws -> [UInt8] {
    let run = try activeRun(fields)
    var update = RunUpdate()
    if let status = try fields.string("status") {
      update.status = try MLflowIDs.status(parsing: status)
    }
    if let end = try fields.int64("end_time") {
      update.endedAt = Date(timeIntervalSince1970: Double(end) / 1000)
    }
    if let name = try fields.string("run_name"), !name.isEmpty {
      update.name = name
    }
    if update.status == nil, update.endedAt != nil, run.status != .running, run.status != .crashed
    {
      update.status = run.status
    }
    try store.updateRun(run.id, update)
    if let name = update.name {
      try store.setTag(run: run.id, key: "mlflow.runName", value: name)
    }
    var out = JSONWriter(capacity: 512)
    out.raw("{\"run_info\":")
    try writeInfo(try store.run(run.id), into: &out)
    out.raw("}")
    return out.bytes
  }

  func getRun(_ fields: Fields) throws -> [UInt8] {
    let run = try findRun(fields)
    var out = JSONWriter(capacity: 2048)
    out.raw("{\"run\":")
    try write(run, into: &out)
    out.raw("}")
    return out.bytes
  }

  func setRunDeleted(_ fields: Fields, _ deleted: Bool) throws -> [UInt8] {
    let run = try findRun(fields)
    try store.updateRun(run.id, RunUpdate(deleted: deleted))
    return Array("{}".utf8)
  }

  func searchRuns(_ fields: Fields) throws -> [UInt8] {
    let experimentIDs = try fields.strings("experiment_ids")
    var expression: RunFilter.Expression? = nil
    func and(_ next: RunFilter.Expression) {
      expression = expression.map { .and($0, next) } ?? next
    }
    if !experimentIDs.isEmpty {
      var any: RunFilter.Expression? = nil
      for text in experimentIDs {
        guard let id = Int64(text) else {
          throw MLflowError.invalid("experiment_ids", text, "expected an experiment id")
        }
        let one = RunFilter.Expression.compare(field: "experiment_id", .equal, .number(Double(id)))
        any = any.map { .or($0, one) } ?? one
      }
      if let any { and(any) }
    }
    switch try fields.string("run_view_type") ?? "ACTIVE_ONLY" {
    case "ACTIVE_ONLY": and(.compare(field: "lifecycle", .equal, .text("active")))
    case "DELETED_ONLY": and(.compare(field: "lifecycle", .equal, .text("deleted")))
    case "ALL":
      and(
        .or(
          .compare(field: "lifecycle", .equal, .text("active")),
          .compare(field: "lifecycle", .equal, .text("deleted"))))
    case let other:
      throw MLflowError.invalid("run_view_type", other, "expected ACTIVE_ONLY, DELETED_ONLY or ALL")
    }
    if let text = try fields.string("filter"), let filter = try SearchFilter.compile(text) {
      and(filter)
    }
    var sort = try fields.strings("order_by").map(SearchFilter.sort)
    if sort.isEmpty { sort = [RunSort(key: "created_at", descending: true)] }
    let maximum = try pageSize(fields, defaultSize: 1000, limit: 50000)
    let offset = try pageOffset(fields)
    let filter = expression.map { RunFilter($0) }
    let found = try store.runs(where: filter, sort: sort, limit: maximum + 1, offset: offset)
    let page = found.prefix(maximum)
    var out = JSONWriter(capacity: 1024 * page.count + 64)
    out.raw("{\"runs\":[")
    for (index, summary) in page.enumerated() {
      if index > 0 { out.comma() }
      try write(try store.run(summary.id), into: &out)
    }
    out.raw("]")
    if found.count > maximum {
      out.key("next_page_token")
      out.string(MLflowAPI.pageToken(offset + maximum))
    }
    out.raw("}")
    return out.bytes
  }

  // MARK: Logging

  func logMetric(_ fields: Fields) throws -> [UInt8] {
    let run = try activeRun(fields)
    let point = try metricPoint(fields, path: "")
    try store.appendMetrics([point], to: run.id, heartbeat: Date())
    onPointsWritten(1)
    return Array("{}".utf8)
  }

  func logParam(_ fields: Fields) throws -> [UInt8] {
    let run = try activeRun(fields)
    let key = try fields.requiredString("key")
    try MLflowRules.validateKey(key, field: "key")
    let value = try fields.string("value") ?? ""
    try MLflowRules.validateLength(value, limit: MLflowRules.maximumParamValueLength, field: "value")
    try logParams([(key, value)], run: run)
    return Array("{}".utf8)
  }

  func setTag(_ fields: Fields) throws -> [UInt8] {
    let run = try activeRun(fields)
    let key = try fields.requiredString("key")
    try MLflowRules.validateKey(key, field: "key")
    let value = try fields.string("value") ?? ""
    try MLflowRules.validateLength(value, limit: MLflowRules.maximumTagValueLength, field: "value")
    try applyTags([(key, value)], run: run)
    return Array("{}".utf8)
  }

  func deleteTag(_ fields: Fields) throws -> [UInt8] {
    let run = try activeRun(fields)
    let key = try fields.requiredString("key")
    guard try store.tags(of: run.id)[key] != nil else {
      throw MLflowError(
        .resourceDoesNotExist, "No tag with name: \(key) in run with id \(MLflowIDs.runID(run))")
    }
    try store.deleteTag(run: run.id, key: key)
    return Array("{}".utf8)
  }

  /// A log-batch body of the plain shape (`JSONReader.plainLogBatch`), read with no JSON tree:
  /// the same checks and the same one transaction as `logBatch(_:)`.
  func logBatch(plain batch: PlainLogBatch) throws -> [UInt8] {
    let run = try activeRun(runID: batch.runID, runUUID: batch.runUUID)
    try checkBatchSize(metrics: batch.metrics.count, params: 0, tags: 0)
    var points: [MetricPoint] = []
    points.reserveCapacity(batch.metrics.count)
    var checkedKeys: Set<String> = []
    for (index, metric) in batch.metrics.enumerated() {
      points.append(
        try metricPoint(
          key: metric.key, value: metric.value, timestamp: metric.timestamp, step: metric.step,
          path: "metrics[\(index)].", checked: &checkedKeys))
    }
    return try commitBatch(run: run, points: points, params: [], tags: [])
  }

  func logBatch(_ fields: Fields) throws -> [UInt8] {
    let run = try activeRun(fields)
    let metrics = try fields.objects("metrics")
    let params = try fields.objects("params")
    let tags = try fields.objects("tags")
    try checkBatchSize(metrics: metrics.count, params: params.count, tags: tags.count)
    // Everything is checked before anything is written; then one transaction.
    var points: [MetricPoint] = []
    points.reserveCapacity(metrics.count)
    var checkedKeys: Set<String> = []
    for (index, metric) in metrics.enumerated() {
      points.append(try metricPoint(metric, path: "metrics[\(index)].", checked: &checkedKeys))
    }
    var paramPairs: [(String, String)] = []
    for (index, param) in params.enumerated() {
      let key = try param.requiredString("key")
      try MLflowRules.validateKey(key, field: "params[\(index)].key")
      let value = try param.string("value") ?? ""
      try MLflowRules.validateLength(
        value, limit: MLflowRules.maximumParamValueLength, field: "params[\(index)].value")
      paramPairs.append((key, value))
    }
    var tagPairs: [(String, String)] = []
    for (index, tag) in tags.enumerated() {
      let key = try tag.requiredString("key")
      try MLflowRules.validateKey(key, field: "tags[\(index)].key")
      let value = try tag.string("value") ?? ""
      try MLflowRules.validateLength(
        value, limit: MLflowRules.maximumTagValueLength, field: "tags[\(index)].value")
      tagPairs.append((key, value))
    }
    return try commitBatch(run: run, points: points, params: paramPairs, tags: tagPairs)
  }

  /// MLflow's limits on one batch.
  private func checkBatchSize(metrics: Int, params: Int, tags: Int) throws {
    if metrics > MLflowRules.maximumMetricsPerBatch {
      throw MLflowError(
        .invalidParameterValue,
        "A batch logging request can contain at most \(MLflowRules.maximumMetricsPerBatch) "
          + "metrics. Got \(metrics) metrics. Please split up metrics across multiple "
          + "requests and try again.")
    }
    if params > MLflowRules.maximumParamsTagsPerBatch {
      throw MLflowError(
        .invalidParameterValue,
        "A batch logging request can contain at most \(MLflowRules.maximumParamsTagsPerBatch) "
          + "params. Got \(params) params. Please split up params across multiple requests "
          + "and try again.")
    }
    if tags > MLflowRules.maximumParamsTagsPerBatch {
      throw MLflowError(
        .invalidParameterValue,
        "A batch logging request can contain at most \(MLflowRules.maximumParamsTagsPerBatch) "
          + "tags. Got \(tags) tags. Please split up tags across multiple requests and "
          + "try again.")
    }
    let total = metrics + params + tags
    if total > MLflowRules.maximumEntitiesPerBatch {
      throw MLflowError(
        .invalidParameterValue,
        "A batch logging request can contain at most \(MLflowRules.maximumEntitiesPerBatch) "
          + "metrics, params, and tags in total. Got \(total) entities.")
    }
  }

  /// Writes a checked batch in one transaction.
  private func commitBatch(
    run: Run, points: [MetricPoint], params paramPairs: [(String, String)],
    tags tagPairs: [(String, String)]
  ) throws -> [UInt8] {
    var points = points
    // Points of one key together (the store looks a key up once per run of equal keys), in
    // the order they came within a key (equal steps keep their logging order). Usually they
    // already are (a client logs one metric's points together): then nothing to sort.
    if !MLflowAPI.groupedByKey(points) {
      points = points.enumerated()
        .sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
    }
    try store.transaction {
      try logParams(paramPairs, run: run)
      try applyTags(tagPairs, run: run)
      try store.appendMetrics(points, to: run.id, heartbeat: Date())
    }
    onPointsWritten(points.count)
    return Array("{}".utf8)
  }

  /// Whether each key's points are one contiguous run.
  static func groupedByKey(_ points: [MetricPoint]) -> Bool {
    var seen: Set<String> = []
    var previous: String? = nil
    for point in points where point.key != previous {
      guard seen.insert(point.key).inserted else { return false }
      previous = point.key
    }
    return true
  }

  /// Datasets (log-inputs): each is kept as a tag `mlflow.dataset.NAME` holding its digest,
  /// source type and source, so `track show` lists what the run trained on.
  func logInputs(_ fields: Fields) throws -> [UInt8] {
    let run = try activeRun(fields)
    var pairs: [(String, String)] = []
    for input in try fields.objects("datasets") {
      guard case .object(let members)? = input["dataset"] else {
        throw MLflowError.missing("datasets.dataset")
      }
      let dataset = Fields(members: members)
      let name = try dataset.requiredString("name")
      let digest = try dataset.string("digest") ?? ""
      var out = JSONWriter()
      out.raw("{\"digest\":")
      out.string(digest)
      out.key("source_type")
      out.string(try dataset.string("source_type") ?? "")
      out.key("source")
      out.string(String((try dataset.string("source") ?? "").prefix(4000)))
      out.raw("}")
      let key = "mlflow.dataset." + name.filter { $0.isLetter || $0.isNumber || "_-.".contains($0) }
      pairs.append((String(key.prefix(MLflowRules.maximumKeyLength)), String(decoding: out.bytes, as: UTF8.self)))
    }
    try store.transaction { try applyTags(pairs, run: run) }
    return Array("{}".utf8)
  }

  /// Model outputs (MLflow 3's logged models): recorded as a tag naming the model ids.
  func logOutputs(_ fields: Fields) throws -> [UInt8] {
    let run = try activeRun(fields)
    let ids = try fields.objects("models").map { try $0.requiredString("model_id") }
    guard !ids.isEmpty else { return Array("{}".utf8) }
    let existing = try store.tags(of: run.id)["mlflow.outputs.models"].map { [$0] } ?? []
    let all = (existing + ids).joined(separator: ",")
    try store.setTag(run: run.id, key: "mlflow.outputs.models", value: String(all.prefix(8000)))
    return Array("{}".utf8)
  }

  private func logParams(_ pairs: [(String, String)], run: Run) throws {
    guard !pairs.isEmpty else { return }
    var seen: [String: String] = [:]
    for (key, value) in pairs {
      if let earlier = seen[key], earlier != value {
        throw MLflowError(
          .invalidParameterValue,
          "Duplicate parameter keys have been submitted: key '\(key)' with values '\(earlier)' "
            + "and '\(value)'.")
      }
      seen[key] = value
    }
    let existing = Dictionary(
      try store.params(of: run.id).map { ($0.key, $0.value.description) },
      uniquingKeysWith: { first, _ in first })
    for (key, value) in pairs {
      if let old = existing[key], old != value, old != MLflowIDs.param(value).description {
        throw MLflowError(
          .invalidParameterValue,
          "Changing param values is not allowed. Param with key='\(key)' was already logged "
            + "with value='\(old)' for run ID='\(MLflowIDs.runID(run))'. Attempted logging new "
            + "value '\(value)'.")
      }
      try store.logParam(run: run.id, key: key, value: MLflowIDs.param(value))
    }
  }

  /// Sets tags; `mlflow.runName` also renames the run.
  private func applyTags(_ pairs: [(String, String)], run: Run) throws {
    for (key, value) in pairs {
      try store.setTag(run: run.id, key: key, value: value)
      if key == "mlflow.runName", !value.isEmpty, (try? NameRules.validateName(value, kind: "run")) != nil {
        try store.updateRun(run.id, RunUpdate(name: value))
      }
    }
  }

  private func metricPoint(_ fields: Fields, path: String) throws -> MetricPoint {
    var checked: Set<String> = []
    return try metricPoint(fields, path: path, checked: &checked)
  }

  /// A metric of a request; `checked` holds the keys already validated in it.
  private func metricPoint(_ fields: Fields, path: String, checked: inout Set<String>) throws
    -> MetricPoint
  {
    let key = try fields.requiredString("key")
    if checked.insert(key).inserted { try MLflowRules.validateKey(key, field: path + "key") }
    guard let value = try fields.double("value") else { throw MLflowError.missing(path + "value") }
    return try metricPoint(
      key: key, value: value, timestamp: try fields.int64("timestamp"),
      step: try fields.int64("step"), path: path, checked: &checked)
  }

  /// A metric from its read values (the key validated once per request).
  private func metricPoint(
    key: String, value: Double, timestamp: Int64?, step: Int64?, path: String,
    checked: inout Set<String>
  ) throws -> MetricPoint {
    guard !key.isEmpty else { throw MLflowError.missing("key") }
    if checked.insert(key).inserted { try MLflowRules.validateKey(key, field: path + "key") }
    let timestamp = timestamp ?? MLflowIDs.milliseconds(Date())
    let step = step ?? 0
    guard let stepValue = Int(exactly: step) else {
      throw MLflowError.invalid(path + "step", String(step), "out of range")
    }
    return MetricPoint(
      key: key, value: value, step: stepValue,
      wallTime: Date(timeIntervalSince1970: Double(timestamp) / 1000))
  }

  // MARK: Metric histories

  func metricHistory(_ fields: Fields) throws -> [UInt8] {
    let run = try findRun(fields)
    let key = try fields.requiredString("metric_key")
    let points = try store.metricSeries(of: run.id, key: key)
    let maximum = try pageSize(fields, defaultSize: 25000, limit: 100_000_000)
    let offset = try pageOffset(fields)
    let end = min(points.count, offset + maximum)
    var out = JSONWriter(capacity: 72 * max(0, end - offset) + 64)
    out.raw("{\"metrics\":[")
    if offset < end {
      for index in offset..<end {
        if index > offset { out.comma() }
        writePoint(points[index], runID: nil, into: &out)
      }
    }
    out.raw("]")
    if end < points.count {
      out.key("next_page_token")
      out.string(MLflowAPI.pageToken(end))
    }
    out.raw("}")
    return out.bytes
  }

  /// get-history-bulk-interval: the points of one metric of several runs, between steps,
  /// sampled evenly down to `max_results` per run (the first and last kept).
  func metricHistoryBulk(_ fields: Fields) throws -> [UInt8] {
    let ids = try fields.strings("run_ids")
    guard !ids.isEmpty else { throw MLflowError.missing("run_ids") }
    guard ids.count <= 100 else {
      throw MLflowError.invalid("run_ids", "\(ids.count) ids", "at most 100 runs")
    }
    let key = try fields.requiredString("metric_key")
    let startStep = try fields.int64("start_step")
    let endStep = try fields.int64("end_step")
    let maximum = Int(try fields.int64("max_results") ?? 2500)
    guard maximum > 0 else { throw MLflowError.invalid("max_results", String(maximum), "must be positive") }
    var out = JSONWriter()
    out.raw("{\"metrics\":[")
    var first = true
    for id in ids {
      guard let run = try store.run(uuid: id) else {
        throw MLflowError(.resourceDoesNotExist, "Run with id=\(id) not found")
      }
      var points = try store.metricSeries(of: run.id, key: key)
      if let startStep { points = points.filter { Int64($0.step) >= startStep } }
      if let endStep { points = points.filter { Int64($0.step) <= endStep } }
      let chosen: [MetricPoint]
      if points.count <= maximum {
        chosen = points
      } else {
        let stride = Double(points.count - 1) / Double(maximum - 1)
        chosen = (0..<maximum).map { points[Int((Double($0) * stride).rounded())] }
      }
      for point in chosen {
        if !first { out.comma() }
        first = false
        writePoint(point, runID: MLflowIDs.runID(run), into: &out)
      }
    }
    out.raw("]}")
    return out.bytes
  }

  private func writePoint(_ point: MetricPoint, runID: String?, into out: inout JSONWriter) {
    out.raw("{\"key\":")
    out.string(point.key)
    out.raw(",\"value\":")
    out.double(point.value)
    out.raw(",\"timestamp\":")
    out.integer(MLflowIDs.milliseconds(point.wallTime))
    out.raw(",\"step\":")
    out.integer(Int64(point.step))
    if let runID {
      out.raw(",\"run_id\":")
      out.string(runID)
    }
    out.raw("}")
  }

  // MARK: Shapes

  /// The run named by `run_id` (or the older `run_uuid`).
  func findRun(_ fields: Fields) throws -> Run {
    try findRun(runID: try fields.string("run_id"), runUUID: try fields.string("run_uuid"))
  }

  func findRun(runID: String?, runUUID: String?) throws -> Run {
    let id: String
    if let given = runID, !given.isEmpty {
      id = given
    } else if let given = runUUID, !given.isEmpty {
      id = given
    } else {
      throw MLflowError.missing("run_id")
    }
    guard let run = try store.run(uuid: id) else {
      throw MLflowError(.resourceDoesNotExist, "Run with id=\(id) not found")
    }
    return run
  }

  /// A run that may be written: not in the trash.
  private func activeRun(_ fields: Fields) throws -> Run {
    try activeRun(runID: try fields.string("run_id"), runUUID: try fields.string("run_uuid"))
  }

  private func activeRun(runID: String?, runUUID: String?) throws -> Run {
    let run = try findRun(runID: runID, runUUID: runUUID)
    if run.deletedAt != nil {
      throw MLflowError(
        .invalidParameterValue,
        "The run \(MLflowIDs.runID(run)) must be in the 'active' state. Current state is deleted.")
    }
    return run
  }

  func writeInfo(_ run: Run, user: String? = nil, into out: inout JSONWriter) throws {
    let id = MLflowIDs.runID(run)
    out.raw("{\"run_id\":")
    out.string(id)
    out.raw(",\"run_uuid\":")
    out.string(id)
    out.raw(",\"run_name\":")
    out.string(run.name)
    out.raw(",\"experiment_id\":")
    out.string(String(run.experimentID))
    out.raw(",\"status\":")
    out.string(MLflowIDs.status(run.status))
    out.raw(",\"start_time\":")
    out.integer(MLflowIDs.milliseconds(run.startedAt ?? run.createdAt))
    if let ended = run.endedAt {
      out.raw(",\"end_time\":")
      out.integer(MLflowIDs.milliseconds(ended))
    }
    out.raw(",\"artifact_uri\":")
    out.string(MLflowIDs.artifactURI(run))
    out.raw(",\"lifecycle_stage\":")
    out.string(run.deletedAt == nil ? "active" : "deleted")
    if let user {
      out.raw(",\"user_id\":")
      out.string(user)
    }
    out.raw("}")
  }

  func write(_ run: Run, into out: inout JSONWriter) throws {
    out.raw("{\"info\":")
    var tags = try store.tags(of: run.id)
    try writeInfo(run, user: tags["mlflow.user"], into: &out)
    out.raw(",\"data\":{\"metrics\":[")
    for (index, point) in try store.latestMetricPoints(of: run.id).enumerated() {
      if index > 0 { out.comma() }
      writePoint(point, runID: nil, into: &out)
    }
    out.raw("],\"params\":[")
    for (index, param) in try store.params(of: run.id).enumerated() {
      if index > 0 { out.comma() }
      out.raw("{\"key\":")
      out.string(param.key)
      out.raw(",\"value\":")
      out.string(param.value.description)
      out.raw("}")
    }
    out.raw("],\"tags\":")
    tags["mlflow.runName"] = run.name
    writeTags(tags, into: &out)
    out.raw("},\"inputs\":{},\"outputs\":{}}")
  }

  func writeTags(_ tags: [String: String], into out: inout JSONWriter) {
    out.raw("[")
    for (index, key) in tags.keys.sorted().enumerated() {
      if index > 0 { out.comma() }
      out.raw("{\"key\":")
      out.string(key)
      out.raw(",\"value\":")
      out.string(tags[key] ?? "")
      out.raw("}")
    }
    out.raw("]")
  }

  // MARK: Pages

  static func pageToken(_ offset: Int) -> String {
    Data("{\"offset\":\(offset)}".utf8).base64EncodedString()
  }

  func pageOffset(_ fields: Fields) throws -> Int {
    guard let token = try fields.string("page_token"), !token.isEmpty else { return 0 }
    guard let data = Data(base64Encoded: token),
      let json = try? JSONReader.parse(Array(data)), case .number(let offset)? = json["offset"],
      offset >= 0, offset == offset.rounded(), offset < 1e12
    else {
      throw MLflowError.invalid("page_token", token, "not a page token this server gave")
    }
    return Int(offset)
  }

  func pageSize(_ fields: Fields, defaultSize: Int, limit: Int) throws -> Int {
    guard let size = try fields.int64("max_results") else { return defaultSize }
    guard size >= 1, size <= limit else {
      throw MLflowError.invalid(
        "max_results", String(size), "it must be at least 1 and at most \(limit)")
    }
    return Int(size)
  }

  func paginate<T>(_ items: [T], fields: Fields, defaultSize: Int, limit: Int) throws
    -> ([T], String?)
  {
    let size = try pageSize(fields, defaultSize: defaultSize, limit: limit)
    let offset = try pageOffset(fields)
    let page = Array(items.dropFirst(offset).prefix(size))
    let next = items.count > offset + size ? MLflowAPI.pageToken(offset + size) : nil
    return (page, next)
  }
}
