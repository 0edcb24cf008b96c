"""track's own endpoints beside mlflow: a run's tasks and accuracy matrix.

Standard library only. The server is `track serve` (or the one `track exec` starts); the
address and credentials are MLflow's own environment variables, so code that already logs
with mlflow needs nothing new.
"""
import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["TrackClient", "TrackError"]


class TrackError(Exception):
    """A request the server refused: `error_code` is MLflow's code, `status` the HTTP status."""

    def __init__(self, error_code, message, status):
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
        self.status = status


class TrackClient:
    """Talks to track's `/api/2.0/track/` endpoints.

    uri: the server (default: MLFLOW_TRACKING_URI); token: a bearer token (default:
    MLFLOW_TRACKING_TOKEN); username/password: basic auth (default: MLFLOW_TRACKING_USERNAME,
    MLFLOW_TRACKING_PASSWORD).
    """

    def __init__(self, uri=None, token=None, username=None, password=None, timeout=60):
        uri = uri or os.environ.get("MLFLOW_TRACKING_URI")
        if not uri or not uri.startswith(("http://", "https://")):
            raise ValueError(
                "give the server's http(s) address, or set MLFLOW_TRACKING_URI "
                "(e.g. http://127.0.0.1:5000 for `track serve`)")
        self.uri = uri.rstrip("/")
        self.timeout = timeout
        token = token or os.environ.get("MLFLOW_TRACKING_TOKEN")
        username = username or os.environ.get("MLFLOW_TRACKING_USERNAME")
        password = password or os.environ.get("MLFLOW_TRACKING_PASSWORD")
        self._authorization = None
        if token:
            self._authorization = "Bearer " + token
        elif username and password is not None:
            pair = f"{username}:{password}".encode()
            self._authorization = "Basic " + base64.b64encode(pair).decode()

    def log_tasks(self, run_id, tasks):
        """Records the tasks of the run's stream: dicts with `name` and optionally `index`
        (from 1), `train_size`, `test_size`, `classes` (a list of ints)."""
        items = []
        for position, task in enumerate(tasks, start=1):
            item = dict(task)
            item.setdefault("index", position)
            items.append(item)
        self._call("POST", "runs/tasks", {"run_id": run_id, "tasks": items})

    def log_matrix_row(self, run_id, trained_through, scores, metric="accuracy"):
        """Records row `trained_through` of the matrix (0: the baseline, before training):
        `scores[j-1]` is the score on task j (None or NaN: not measured). Returns the matrix
        with its summaries so far."""
        values = [None if s is None or s != s else float(s) for s in scores]
        return self._call("POST", "runs/matrix-row", {
            "run_id": run_id, "trained_through": int(trained_through), "scores": values,
            "metric": metric,
        })

    def matrix(self, run_id, metric=None):
        """The run's matrix: {"metric", "tasks", "rows", "summary": {"acc", "bwt", "fwt",
        "forgetting"}}."""
        query = {"run_id": run_id}
        if metric:
            query["metric"] = metric
        return self._call("GET", "runs/matrix?" + urllib.parse.urlencode(query), None)

    def _call(self, method, path, body):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.uri}/api/2.0/track/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            try:
                payload = json.loads(text)
            except ValueError:
                payload = {"error_code": "INTERNAL_ERROR", "message": text}
            raise TrackError(payload.get("error_code", "INTERNAL_ERROR"),
                             payload.get("message", text), error.code) from None
