#!/usr/bin/python3
"""bench/pytorch_train.py — PyTorch reference throughput of one NT-Xent training step of
the ViT-1D (same model, loss, optimiser as Vitascope's C trainer; tools/train.py).

    /usr/bin/python3 bench/pytorch_train.py [--config tiny] [--pairs 32] [--threads 2] [--steps 5]

Prints one line: 'pytorch <config> pairs=<P> threads=<T> <pairs/s> pairs/s <ms> ms/step'.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import torch  # noqa: E402
from train import PRESETS, ViT1D, make_optimizer, ntxent  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--config", default="tiny", choices=sorted(PRESETS))
ap.add_argument("--pairs", type=int, default=32)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--warmup", type=int, default=1)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
dim, depth, heads, mlp, frames, n_mels, proj = PRESETS[args.config]
model = ViT1D(dim, depth, heads, mlp, frames, n_mels, proj)
opt = make_optimizer(model)
x = torch.randn(2 * args.pairs, frames, n_mels)


def step():
    loss, acc = ntxent(model(x), 0.1)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 3.0)
    opt.step()
    return loss.item()


for _ in range(args.warmup):
    step()
t0 = time.perf_counter()
c0 = time.process_time()  # CPU time of all threads: robust on a shared machine
for _ in range(args.steps):
    step()
dt = (time.perf_counter() - t0) / args.steps
cpu = (time.process_time() - c0) / args.steps
print("pytorch %s pairs=%d threads=%d %.2f pairs/s %.1f ms/step wall; %.1f s CPU/step cpu_pairs_per_s=%.2f"
      % (args.config, args.pairs, args.threads, args.pairs / dt, dt * 1000, cpu, args.pairs / (cpu / args.threads)))
