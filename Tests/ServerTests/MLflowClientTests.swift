import Foundation
import TestSupport
import Testing
import Tracking
import TrackingSQLite

/// The real MLflow client (mlflow-skinny 3.x) against a real `track serve`, then the same runs
/// read with `track` and straight from the SQLite file.
@Suite(.serialized) struct MLflowClientTests {
  @Test func ciHasTheMLflowClient() {
    if MLflowPython.isRequired {
      #expect(
        MLflowPython.isAvailable,
        "CI must install mlflow-skinny and scikit-learn (.ci/run makes .venv-ci) or set TRACK_TEST_PYTHON")
    }
  }

  @Test(.enabled(if: MLflowPython.isAvailable)) func fluentLoggingReadsBackEverywhere() throws {
    let server = try ServerProcess()
    let out = try MLflowPython.run("fluent.py", server: server)
    let runs = try #require(out["runs"] as? [String])
    #expect(runs.count == 2)
    #expect(out["search_order"] as? [String] == ["large-lr", "small-lr"])
    let history = try #require(out["history"] as? [[Double]])
    #expect(history.map { $0[0] } == [0, 1, 2, 3, 4])
    #expect(abs(history[0][1] - 1.01) < 1e-12)
    #expect(out["params"] as? [String: String]
      == ["lr": "0.01", "epochs": "3", "optimizer": "sgd", "spelled": "1e-3"])
    #expect(out["nan_is_nan"] as? Bool == true)
    let tags = try #require(out["tags"] as? [String: String])
    #expect(tags["owner"] == "ada")
    #expect(tags["team"] == "cv")
    #expect(tags["mlflow.runName"] == "small-lr")
    #expect(out["status"] as? String == "FINISHED")
    #expect(out["artifacts"] as? [String] == ["notes.txt", "sub"])
    #expect(out["sub_artifacts"] as? [String] == ["sub/dir/notes.txt"])
    #expect(out["downloaded"] as? String == "hello from python\n")
    #expect(out["page_token"] as? Bool == true)
    #expect(out["page_size"] as? Int == 1)
    #expect(out["like"] as? [String] == ["small-lr"])
    #expect(out["finished"] as? Int == 2)
    #expect(out["active_after_delete"] as? [String] == ["small-lr"])
    #expect(server.stop() == 0)

    // The same runs through track itself: the deleted one is in the trash.
    let track = CommandRunner.product("track")
    let listing = try CommandRunner.run(track, ["runs", "--db", server.database, "--format", "json"])
    #expect(listing.status == 0, "\(listing.stderr)")
    #expect(listing.stdout.contains("\"small-lr\""))
    #expect(!listing.stdout.contains("\"large-lr\""))
    let show = try CommandRunner.run(track, ["show", "small-lr", "--db", server.database])
    #expect(show.status == 0)
    #expect(show.stdout.contains("optimizer"))
    #expect(show.stdout.contains("loss"))
    let diff = try CommandRunner.run(
      track, ["diff", "small-lr", String(runs[1].prefix(8)), "--db", server.database])
    #expect(diff.status == 0, "\(diff.stderr)")
    #expect(diff.stdout.contains("lr"))

    // And from the file: every point is there, NaN stored as NULL.
    let store = try SQLiteStore(path: server.database, readOnly: true)
    let run = try #require(try store.run(uuid: runs[0]))
    #expect(try store.metricSeries(of: run.id, key: "loss").map(\.step) == [0, 1, 2, 3, 4])
    #expect(try store.latestMetrics(of: run.id)["nan_metric"]?.isNaN == true)
    let nulls = try store.query(
      "SELECT count(*) FROM metrics m JOIN metric_keys k ON k.id = m.key_id "
        + "WHERE k.name = 'nan_metric' AND m.value IS NULL")
    #expect(nulls.rows.first?.first?.description == "2")
    let notes = try store.artifact(of: run.id, path: "sub/dir/notes.txt")
    #expect(try store.loadBlob(notes.sha256) == Data("hello from python\n".utf8))
    #expect(try store.run(uuid: runs[1])?.deletedAt != nil)
  }

  @Test(.enabled(if: MLflowPython.isAvailable)) func clientErrorsHaveMLflowCodes() throws {
    let server = try ServerProcess()
    let out = try MLflowPython.run("errors.py", server: server)
    #expect(out as? [String: String] == [
      "duplicate_experiment": "RESOURCE_ALREADY_EXISTS",
      "unknown_run": "RESOURCE_DOES_NOT_EXIST",
      "unknown_experiment": "RESOURCE_DOES_NOT_EXIST",
      "param_change": "INVALID_PARAMETER_VALUE",
      "bad_metric_name": "INVALID_PARAMETER_VALUE",
      "long_param": "INVALID_PARAMETER_VALUE",
      "bad_filter": "INVALID_PARAMETER_VALUE",
      "unknown_attribute": "INVALID_PARAMETER_VALUE",
      "log_to_deleted": "INVALID_PARAMETER_VALUE",
    ])
  }

  @Test(.enabled(if: MLflowPython.isAvailable)) func sklearnAutologLogsParamsMetricsAndModel()
    throws
  {
    let server = try ServerProcess()
    let out = try MLflowPython.run("autolog.py", server: server)
    #expect(out["max_iter"] as? String == "300")
    let accuracy = try #require(out["accuracy"] as? Double)
    #expect(accuracy > 0.9)
    let modelID = try #require(out["model_id"] as? String)
    let files = try #require(out["files"] as? [String])
    #expect(files.contains("models/\(modelID)/model.pkl"))
    #expect(files.contains("models/\(modelID)/MLmodel"))
    #expect(out["reloaded_predicts_like_original"] as? Bool == true)
    server.stop()
    let store = try SQLiteStore(path: server.database, readOnly: true)
    let runID = try #require(out["run_id"] as? String)
    let run = try #require(try store.run(uuid: runID))
    #expect(run.status == .finished)
    #expect(try store.params(of: run.id).contains { $0.key == "max_iter" })
    #expect(try store.loggedModel(id: modelID)?.status == "LOGGED_MODEL_READY")
  }
}
