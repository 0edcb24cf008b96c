"""The MLflow fluent API and MlflowClient against `track serve` (MLFLOW_TRACKING_URI set by
the test). Prints one JSON object with what the client read back."""
import json
import os
import sys
import tempfile

import mlflow
from mlflow import MlflowClient

mlflow.set_experiment("fluent")
folder = tempfile.mkdtemp()
notes = os.path.join(folder, "notes.txt")
with open(notes, "w") as handle:
    handle.write("hello from python\n")

runs = []
for lr, name in [(0.01, "small-lr"), (0.1, "large-lr")]:
    with mlflow.start_run(run_name=name) as run:
        mlflow.log_param("lr", lr)
        mlflow.log_params({"epochs": 3, "optimizer": "sgd", "spelled": "1e-3"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1) + lr, step=step)
        mlflow.log_metrics({"acc": 0.9 if lr == 0.1 else 0.7, "nan_metric": float("nan")}, step=4)
        mlflow.set_tag("owner", "ada")
        mlflow.set_tags({"team": "cv", "mlflow.note.content": "a note"})
        mlflow.log_artifact(notes)
        mlflow.log_artifact(notes, artifact_path="sub/dir")
        runs.append(run.info.run_id)

client = MlflowClient()
experiment = client.get_experiment_by_name("fluent")
found = client.search_runs(
    [experiment.experiment_id],
    "metrics.acc > 0.5 and params.optimizer = 'sgd' and tags.owner = 'ada'",
    order_by=["metrics.acc DESC"],
)
history = client.get_metric_history(runs[0], "loss")
run = client.get_run(runs[0])
paged = client.search_runs([experiment.experiment_id], max_results=1)
downloaded = client.download_artifacts(runs[0], "sub/dir/notes.txt", folder)
like = client.search_runs([experiment.experiment_id], "attributes.run_name LIKE 'small%'")
status = client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'")
client.delete_tag(runs[1], "team")
client.delete_run(runs[1])
active_after_delete = client.search_runs([experiment.experiment_id])
print(json.dumps({
    "runs": runs,
    "experiment_id": experiment.experiment_id,
    "search_order": [r.info.run_name for r in found],
    "history": [[m.step, m.value] for m in history],
    "params": run.data.params,
    "metrics": {k: (None if v != v else v) for k, v in run.data.metrics.items()},
    "nan_is_nan": run.data.metrics["nan_metric"] != run.data.metrics["nan_metric"],
    "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.source")},
    "status": run.info.status,
    "artifacts": sorted(f.path for f in client.list_artifacts(runs[0])),
    "sub_artifacts": sorted(f.path for f in client.list_artifacts(runs[0], "sub/dir")),
    "downloaded": open(downloaded).read(),
    "page_token": paged.token is not None,
    "page_size": len(paged),
    "like": [r.info.run_name for r in like],
    "finished": len(status),
    "active_after_delete": [r.info.run_name for r in active_after_delete],
}))
