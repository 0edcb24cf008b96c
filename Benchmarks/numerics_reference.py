"""The numerics benchmark workloads in PyTorch and TensorFlow (run by Benchmarks/numerics.sh).

usage: numerics_reference.py torch|tf seed --dump DIR [--steps N] [--threads T]
       numerics_reference.py torch cnn [--batch B] [--epochs E] [--lr X] [--momentum M]
       numerics_reference.py torch|tf fashion [--batch B] [--epochs E] [--lr X]
                             [--momentum M] [--threads T] [--data DIR]
Prints one line of key=value figures, like the Swift NumericsBenchmarks executable.
The seed workload reads the data and initial weights the Swift run dumped, so all three
frameworks start from the same point and their final losses are directly comparable.
"""
import argparse
import gzip
import os
import time

import numpy as np


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def fashion(directory):
    x = idx(f"{directory}/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y = idx(f"{directory}/train-labels-idx1-ubyte.gz").astype(np.int64)
    tx = idx(f"{directory}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    ty = idx(f"{directory}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    return x, y, tx, ty


def seed_data(directory):
    x = np.fromfile(f"{directory}/seed_x.f32", dtype="<f4").reshape(10000, 10)
    y = np.fromfile(f"{directory}/seed_y.f32", dtype="<f4").reshape(10000, 1)
    p = np.fromfile(f"{directory}/seed_params.f32", dtype="<f4")
    # Swift layout: W1 (10x64, in x out), b1 (64), W2 (64x1), b2 (1).
    w1 = p[:640].reshape(10, 64)
    b1 = p[640:704]
    w2 = p[704:768].reshape(64, 1)
    b2 = p[768:769]
    return x, y, (w1, b1, w2, b2)


def flops(sizes, batch):
    total = 0.0
    for i in range(len(sizes) - 1):
        product = 2.0 * batch * sizes[i] * sizes[i + 1]
        total += product * (2 if i == 0 else 3)
    return total


def torch_seed(a):
    import torch
    torch.set_num_threads(a.threads)
    x, y, (w1, b1, w2, b2) = seed_data(a.dump)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(10, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(w1.T.copy()))
        model[0].bias.copy_(torch.from_numpy(b1.copy()))
        model[2].weight.copy_(torch.from_numpy(w2.T.copy()))
        model[2].bias.copy_(torch.from_numpy(b2.copy()))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    final = loss.item()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    report("seed", "torch", a, seconds, cpu_seconds=f"{cpu:.4f}", final_loss=f"{final:.6f}",
           gflops=f"{flops([10, 64, 1], 10000) * a.steps / seconds / 1e9:.2f}",
           version=torch.__version__)


def tf_setup(threads):
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    return tf


def tf_seed(a):
    tf = tf_setup(a.threads)
    x, y, (w1, b1, w2, b2) = seed_data(a.dump)
    x, y = tf.constant(x), tf.constant(y)
    model = tf.keras.Sequential([tf.keras.Input((10,)),
                                 tf.keras.layers.Dense(64, activation="relu"),
                                 tf.keras.layers.Dense(1)])
    model.set_weights([w1, b1, w2, b2])
    opt = tf.keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-8)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    step.get_concrete_function()  # trace once, outside the timing
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        loss = step()
    final = float(loss.numpy())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    report("seed", "tf", a, seconds, cpu_seconds=f"{cpu:.4f}", final_loss=f"{final:.6f}",
           gflops=f"{flops([10, 64, 1], 10000) * a.steps / seconds / 1e9:.2f}",
           version=tf.__version__)


def torch_train(torch, model, x, y, a):
    """SGD with momentum over shuffled batches for a.epochs; returns (wall s, CPU s, last
    epoch's mean loss), timing the training loop only."""
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
    generator = torch.Generator().manual_seed(3)
    n = x.shape[0]
    seconds, cpu, last = 0.0, 0.0, 0.0
    for _ in range(a.epochs):
        order = torch.randperm(n, generator=generator)
        total, batches = 0.0, 0
        start, cpu_start = time.perf_counter(), time.process_time()
        for i in range(0, n, a.batch):
            index = order[i:i + a.batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[index]), y[index])
            loss.backward()
            opt.step()
            total += loss.item()
            batches += 1
        seconds += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        last = total / batches
    return seconds, cpu, last


def torch_fashion(a):
    import torch
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y, tx, ty = (torch.from_numpy(v) for v in fashion(a.data))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    n = x.shape[0]
    seconds, cpu, last = torch_train(torch, model, x, y, a)
    with torch.no_grad():
        accuracy = (model(tx).argmax(1) == ty).float().mean().item()
    fashion_report("torch", a, n, seconds, cpu, last, accuracy, torch.__version__)


def tf_fashion(a):
    tf = tf_setup(a.threads)
    tf.random.set_seed(1)
    x, y, tx, ty = fashion(a.data)
    n = x.shape[0]
    xt, yt = tf.constant(x), tf.constant(y)
    model = tf.keras.Sequential([tf.keras.Input((784,)),
                                 tf.keras.layers.Dense(256, activation="relu"),
                                 tf.keras.layers.Dense(256, activation="relu"),
                                 tf.keras.layers.Dense(10)])
    opt = tf.keras.optimizers.SGD(learning_rate=a.lr, momentum=a.momentum)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(index):
        with tf.GradientTape() as tape:
            loss = loss_fn(tf.gather(yt, index), model(tf.gather(xt, index), training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    rng = np.random.default_rng(3)
    step.get_concrete_function(tf.TensorSpec([None], tf.int64))
    seconds, cpu, last = 0.0, 0.0, 0.0
    for _ in range(a.epochs):
        order = rng.permutation(n).astype(np.int64)
        batches = [tf.constant(order[i:i + a.batch]) for i in range(0, n, a.batch)]
        total = 0.0
        start, cpu_start = time.perf_counter(), time.process_time()
        losses = [step(index) for index in batches]
        total = float(tf.add_n(losses).numpy())
        seconds += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        last = total / len(batches)
    accuracy = float(np.mean(np.argmax(model(tx).numpy(), 1) == ty))
    fashion_report("tf", a, n, seconds, cpu, last, accuracy, tf.__version__)


def torch_cnn(a):
    """Issue 15's CNN: conv 32 3x3 (padding 1) -> max pool 2 -> conv 64 3x3 (padding 1) -> max
    pool 2 -> dense 128 -> 10, ReLU, SGD, on 28x28 Fashion-MNIST (Benchmarks/specs/fashion-cnn.yaml
    is the same model in track)."""
    import torch
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y, tx, ty = (torch.from_numpy(v) for v in fashion(a.data))
    x, tx = x.reshape(-1, 1, 28, 28), tx.reshape(-1, 1, 28, 28)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    n = x.shape[0]
    seconds, cpu, last = torch_train(torch, model, x, y, a)
    with torch.no_grad():
        accuracy = sum((model(tx[i:i + 1000]).argmax(1) == ty[i:i + 1000]).sum().item()
                       for i in range(0, tx.shape[0], 1000)) / tx.shape[0]
    samples = n * a.epochs
    report("cnn", "torch", a, seconds, cpu_seconds=f"{cpu:.4f}", batch=a.batch,
           epochs=a.epochs, samples_per_s=f"{samples / seconds:.0f}",
           train_loss=f"{last:.4f}", test_accuracy=f"{accuracy * 100:.2f}",
           version=torch.__version__)


def fashion_report(framework, a, n, seconds, cpu, loss, accuracy, version):
    samples = n * a.epochs
    report("fashion", framework, a, seconds, cpu_seconds=f"{cpu:.4f}", batch=a.batch,
           epochs=a.epochs,
           samples_per_s=f"{samples / seconds:.0f}",
           gflops=f"{flops([784, 256, 256, 10], 1) * samples / seconds / 1e9:.2f}",
           train_loss=f"{loss:.4f}", test_accuracy=f"{accuracy * 100:.2f}", version=version)


def report(workload, framework, a, seconds, **figures):
    fields = [f"workload={workload}", f"framework={framework}", f"threads={a.threads}"]
    if workload == "seed":
        fields.append(f"steps={a.steps}")
    fields.append(f"seconds={seconds:.4f}")
    fields += [f"{k}={v}" for k, v in figures.items()]
    print(" ".join(fields), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("framework", choices=["torch", "tf"])
    parser.add_argument("workload", choices=["seed", "fashion", "cnn"])
    parser.add_argument("--dump", default="/tmp/numerics-bench")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.0)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    {("torch", "seed"): torch_seed, ("tf", "seed"): tf_seed,
     ("torch", "fashion"): torch_fashion, ("tf", "fashion"): tf_fashion,
     ("torch", "cnn"): torch_cnn}[
        (a.framework, a.workload)](a)


if __name__ == "__main__":
    main()
