"""MLflow tracking servers side by side: `track serve`, FastTrackML and `mlflow server`, each
on SQLite, on this machine, in one run (Benchmarks/server.sh starts it).

Figures: log-batch of 1,000 metrics with pre-built request bodies (points/s); log_metric one
call per point through the real MLflow client (calls/s), with the client-only floor (the
same client against an endpoint that does nothing); get-history of 100,000 points; runs/search
with a filter over 10,000 runs; 8 client processes x 50,000 points at once (errors, points
lost, server peak RSS).
"""
import argparse
import http.client
import http.server
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, path, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


class Server:
    def __init__(self, name, command, port, folder, env=None, ready="/health"):
        self.name, self.port = name, port
        self.log = open(os.path.join(folder, f"{name}.log"), "w")
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
            start_new_session=True)
        wait_ready(port, ready)

    def peak_rss_mb(self):
        """Peak resident memory of the server and its children (VmHWM), MB."""
        total = 0
        pids = [self.process.pid]
        try:
            out = subprocess.run(["pgrep", "-g", str(self.process.pid)], capture_output=True, text=True)
            pids = [int(p) for p in out.stdout.split()] or pids
        except OSError:
            pass
        for pid in pids:
            try:
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except Exception:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def call(conn, method, path, body=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    if response.status != 200:
        raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
    return json.loads(payload or b"{}")


def create_run(conn, name):
    out = call(conn, "POST", "/api/2.0/mlflow/runs/create",
               {"experiment_id": "0", "run_name": name, "start_time": int(time.time() * 1000)})
    return out["run"]["info"]["run_id"]


def batch_bodies(run_id, batches, size=1000, key="loss", start=0):
    now = int(time.time() * 1000)
    bodies = []
    for b in range(batches):
        metrics = [{"key": key, "value": 1.0 / (i + 1), "timestamp": now, "step": start + b * size + i}
                   for i in range(size)]
        bodies.append(json.dumps({"run_id": run_id, "metrics": metrics}).encode())
    return bodies


def log_batch_rate(port, batches=60):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    run = create_run(conn, "batch")
    bodies = batch_bodies(run, batches)
    call(conn, "POST", "/api/2.0/mlflow/runs/log-batch", bodies[0])  # warm up
    started = time.perf_counter()
    for body in bodies[1:]:
        call(conn, "POST", "/api/2.0/mlflow/runs/log-batch", body)
    return (batches - 1) * 1000 / (time.perf_counter() - started)


def client_log_metric_rate(port, calls=1000):
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}"}
    script = f"""
import time, mlflow
from mlflow import MlflowClient
client = MlflowClient()
run = client.create_run("0").info.run_id
client.log_metric(run, "warm", 1.0, step=0)
started = time.perf_counter()
for i in range({calls}):
    client.log_metric(run, "m", float(i), step=i)
print({calls} / (time.perf_counter() - started))
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().split("\n")[-1])


class NothingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with the smallest valid MLflow reply, in one write (headers and
    body apart meet the client's delayed ACK: 40 ms a call): the client-only floor."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        body = (b'{"run":{"info":{"run_id":"0123456789abcdef0123456789abcdef","experiment_id":"0",'
                b'"status":"RUNNING","artifact_uri":"x","lifecycle_stage":"active"},"data":{}}}'
                if "runs/create" in self.path else b"{}")
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
        self.wfile.flush()

    do_GET = do_POST

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass


def history_ms(port, points=100_000):
    """The best of 5: (server's answer, the bytes received: curl's time_total; the same
    read and parsed by Python's json)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    run = create_run(conn, "history")
    for body in batch_bodies(run, points // 1000, key="h"):
        call(conn, "POST", "/api/2.0/mlflow/runs/log-batch", body)
    url = f"http://127.0.0.1:{port}/api/2.0/mlflow/metrics/get-history?run_id={run}&metric_key=h&max_results=100000"
    served, parsed = None, None
    for _ in range(5):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", url],
                             capture_output=True, text=True)
        ms = float(out.stdout) * 1000
        served = ms if served is None else min(served, ms)
        started = time.perf_counter()
        got = call(conn, "GET", url.split(str(port), 1)[1])
        ms = (time.perf_counter() - started) * 1000
        assert len(got["metrics"]) == points, len(got["metrics"])
        parsed = ms if parsed is None else min(parsed, ms)
    return served, parsed


def search_ms(port, runs=10_000):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for i in range(runs):
        run = create_run(conn, f"r{i}")
        call(conn, "POST", "/api/2.0/mlflow/runs/log-batch", {
            "run_id": run, "metrics": [{"key": "acc", "value": (i % 1000) / 1000,
                                        "timestamp": 1, "step": 0}],
            "params": [{"key": "lr", "value": str([0.01, 0.1][i % 2])}]})
    body = {"experiment_ids": ["0"], "filter": "metrics.acc > 0.99 and params.lr = '0.1'",
            "max_results": 100}
    best = None
    for _ in range(5):
        started = time.perf_counter()
        out = call(conn, "POST", "/api/2.0/mlflow/runs/search", body)
        elapsed = (time.perf_counter() - started) * 1000
        best = elapsed if best is None else min(best, elapsed)
    return best, len(out.get("runs", []))


def writer(args):
    port, index, points = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    run = create_run(conn, f"writer-{index}")
    errors = 0
    for body in batch_bodies(run, points // 1000, key="w"):
        try:
            call(conn, "POST", "/api/2.0/mlflow/runs/log-batch", body)
        except Exception:
            errors += 1
    return run, errors


def concurrent(port, processes=8, points=50_000):
    with multiprocessing.Pool(processes) as pool:
        started = time.perf_counter()
        results = pool.map(writer, [(port, i, points) for i in range(processes)])
        elapsed = time.perf_counter() - started
    conn = http.client.HTTPConnection("127.0.0.1", port)
    stored = 0
    for run, _ in results:
        out = call(conn, "GET", f"/api/2.0/mlflow/metrics/get-history?run_id={run}&metric_key=w&max_results=1000000")
        stored += len(out["metrics"])
    errors = sum(e for _, e in results)
    return errors, processes * points - stored, processes * points / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--track", required=True)
    parser.add_argument("--fml")
    parser.add_argument("--mlflow")
    parser.add_argument("--quick", action="store_true", help="smaller workloads")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="server-bench-")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    print(f"CPU: {cpu}, {os.cpu_count()} cores; servers use their defaults (track: one process; "
          f"mlflow server: 1 worker); SQLite backends; load {os.getloadavg()[0]:.1f}")
    runs = 1000 if args.quick else 10_000
    servers = []
    port = free_port()
    servers.append(("track serve", lambda: Server(
        "track", [args.track, "serve", "--db", os.path.join(folder, "track.db"), "--port", str(port), "--quiet"],
        port, folder), port))
    if args.fml:
        fml_port = free_port()
        servers.append(("FastTrackML", lambda: Server(
            "fml", [args.fml, "server", "--listen-address", f"127.0.0.1:{fml_port}",
                    "--database-uri", f"sqlite://{os.path.join(folder, 'fml.db')}",
                    "--default-artifact-root", os.path.join(folder, "fml-artifacts")],
            fml_port, folder, ready="/health"), fml_port))
    if args.mlflow:
        ml_port = free_port()
        servers.append(("mlflow server", lambda: Server(
            "mlflow", [args.mlflow, "server", "--host", "127.0.0.1", "--port", str(ml_port),
                       "--workers", "1", "--backend-store-uri", f"sqlite:///{os.path.join(folder, 'mlflow.db')}",
                       "--artifacts-destination", os.path.join(folder, "mlflow-artifacts")],
            ml_port, folder, ready="/health"), ml_port))

    floor_port = free_port()
    floor = http.server.ThreadingHTTPServer(("127.0.0.1", floor_port), NothingHandler)
    threading.Thread(target=floor.serve_forever, daemon=True).start()
    floor_rate = client_log_metric_rate(floor_port)

    rows = []
    for name, start, p in servers:
        server = start()
        try:
            row = {"server": name}
            row["log-batch points/s"] = log_batch_rate(p)
            row["log_metric calls/s"] = client_log_metric_rate(p)
            served, parsed = history_ms(p)
            row["get-history 100k ms"] = served
            row["  + Python json.loads ms"] = parsed
            ms, found = search_ms(p, runs)
            row[f"search {runs} runs ms"] = ms
            errors, lost, rate = concurrent(p, points=50_000 if not args.quick else 10_000)
            row["8 writers: errors"] = errors
            row["8 writers: lost"] = lost
            row["8 writers points/s"] = rate
            row["peak RSS MB"] = server.peak_rss_mb()
        except Exception as error:  # a peer that cannot do a part still prints the rest
            row["error"] = str(error)[:200]
        finally:
            server.stop()
        rows.append(row)
        print(json.dumps(row), flush=True)
    floor.shutdown()
    keys = [k for k in rows[0] if k != "server"]
    print()
    print(f"{'':24}" + "".join(f"{r['server']:>16}" for r in rows))
    for key in keys:
        cells = []
        for r in rows:
            value = r.get(key, "—")
            cells.append(f"{value:>16,.1f}" if isinstance(value, float) else f"{str(value):>16}")
        print(f"{key:24}" + "".join(cells))
    print(f"{'client-only floor':24}{floor_rate:>16,.1f}  (log_metric calls/s against a do-nothing endpoint)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
