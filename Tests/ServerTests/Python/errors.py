"""MLflow's own exceptions from `track serve`: each case prints its error code."""
import json

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

client = MlflowClient()
results = {}


def expect(name, call):
    try:
        call()
        results[name] = "no error"
    except MlflowException as error:
        results[name] = error.error_code


experiment = client.create_experiment("errors")
expect("duplicate_experiment", lambda: client.create_experiment("errors"))
expect("unknown_run", lambda: client.get_run("0123456789abcdef0123456789abcdef"))
expect("unknown_experiment", lambda: client.get_experiment("424242"))
run = client.create_run(experiment)
run_id = run.info.run_id
client.log_param(run_id, "lr", "0.01")
expect("param_change", lambda: client.log_param(run_id, "lr", "0.1"))
expect("bad_metric_name", lambda: client.log_metric(run_id, "bad*name", 1.0))
expect("long_param", lambda: client.log_param(run_id, "big", "x" * 6001))
expect("bad_filter", lambda: client.search_runs([experiment], "metrics.acc >"))
expect("unknown_attribute", lambda: client.search_runs([experiment], "attributes.colour = 'red'"))
client.delete_run(run_id)
expect("log_to_deleted", lambda: client.log_metric(run_id, "m", 1.0))
print(json.dumps(results))
