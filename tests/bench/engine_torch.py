"""Times the engine benchmark's workloads in PyTorch, for tests/bench/engine-node.ts.

Prints one JSON object: workload name -> median milliseconds. Same workloads, same sizes.
"""

import json
import statistics
import sys
import time

import torch
from torch import nn


def median_ms(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def post_3_4():
    torch.manual_seed(0)
    layers = nn.ModuleList([nn.Linear(32, 32) for _ in range(20)])
    x = torch.randn(16, 32)
    target = torch.randn(16, 32)
    h = x
    for layer in layers:
        h = torch.sigmoid(layer(h))
    h.sub(target).pow(2).mean().backward()
    return [layer.weight.grad.norm().item() for layer in layers]


def mlp_step_factory():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(256, 784)
    y = torch.randint(0, 10, (256,))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def matmul_factory():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    return lambda: torch.matmul(a, b)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    results = {
        'post-3.4 experiment': median_ms(post_3_4, 50, warmup=100),
        'MLP 784-512-512-512-10 SGD step, batch 256': median_ms(mlp_step_factory(), 10),
        'matmul 1024x1024': median_ms(matmul_factory(), 10),
    }
    print(json.dumps(results))


main()
