"""Run under `track exec`: mlflow calls continue the exec's run; printed scalars are read too."""
import mlflow

with mlflow.start_run():
    mlflow.log_param("batch_size", 32)
    for step in range(3):
        mlflow.log_metric("val_loss", 1.0 - step * 0.25, step=step)
        print(f"step={step} train_loss={0.9 - step * 0.2:.2f}", flush=True)
