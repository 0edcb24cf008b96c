"""scikit-learn autologging into `track serve`: params, metrics and the model's files."""
import json

import mlflow
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

mlflow.set_experiment("autolog")
mlflow.sklearn.autolog(log_datasets=False)
features, labels = load_iris(return_X_y=True)
with mlflow.start_run(run_name="iris") as run:
    model = LogisticRegression(max_iter=300).fit(features, labels)
client = mlflow.MlflowClient()
read = client.get_run(run.info.run_id)


def walk(path=None):
    out = []
    for item in client.list_artifacts(run.info.run_id, path):
        out += walk(item.path) if item.is_dir else [item.path]
    return out


logged = mlflow.last_logged_model()
loaded = mlflow.sklearn.load_model(f"models:/{logged.model_id}")
print(json.dumps({
    "run_id": run.info.run_id,
    "max_iter": read.data.params.get("max_iter"),
    "accuracy": read.data.metrics.get("training_accuracy_score"),
    "files": sorted(walk()),
    "model_id": logged.model_id,
    "reloaded_predicts_like_original": bool(
        (loaded.predict(features) == model.predict(features)).all()),
}))
