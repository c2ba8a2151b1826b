#!/usr/bin/python3
"""pytorch_forward.py — PyTorch's time for the forward pass that bench-forward
measures: the paper-size ViT-1D (tools/vit1d.py, D 192, L 12, NH 3, T 126, M 128)
on 90 windows (a 3-minute track at 50 % overlap), keeping every layer's tokens and
attention maps, with 1 and 2 threads.  Run beside build/bench/bench-forward:

    /usr/bin/python3 bench/pytorch_forward.py [--windows 90] [--reps 3]
"""
import argparse
import os
import sys
import time


import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import vit1d  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--windows", type=int, default=90)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--batches", default="1,8,16,all", help="comma-separated batch sizes")
    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)   # progress visible when redirected
    cfg = vit1d.Config.preset("tiny")
    model = vit1d.ViT1D(cfg).init_weights(0).eval()
    x = torch.randn(a.windows, cfg.frames, cfg.n_mels, generator=torch.Generator().manual_seed(1))
    N, D, H4 = cfg.frames + 1, cfg.dim, cfg.mlp_dim
    layer = 2 * N * D * 3 * D + 4 * N * N * D + 2 * N * D * D + 4 * N * D * H4
    fpw = 2 * cfg.frames * cfg.n_mels * D + cfg.depth * layer
    print(f"PyTorch {torch.__version__} ViT-1D forward, paper size; {fpw / 1e9:.3f} GFLOP/window")
    print(f"{a.windows} windows, best of {a.reps} runs")
    print(f"load average now: {os.getloadavg()[0]:.2f} (a busy machine inflates wall times)")
    print("cpu ms/window = process CPU time / windows (all threads)\n")
    print("threads  batch   total ms   ms/window   GFLOP/s   cpu ms/window")
    batches = [a.windows if b == "all" else int(b) for b in a.batches.split(",")]
    for threads in (int(t) for t in a.threads.split(",")):
        torch.set_num_threads(threads)
        for B in batches:
            with torch.no_grad():
                model(x[:B])                                   # warm-up
                best = best_cpu = float("inf")
                for _ in range(a.reps):
                    t0, c0 = time.perf_counter(), time.process_time()
                    for w in range(0, a.windows, B):
                        model(x[w:w + B])
                    best = min(best, time.perf_counter() - t0)
                    best_cpu = min(best_cpu, time.process_time() - c0)
            print(f"{threads:7d}  {B:5d}  {best * 1e3:9.1f}  {best * 1e3 / a.windows:10.3f}  "
                  f"{fpw * a.windows / best / 1e9:8.1f}  {best_cpu * 1e3 / a.windows:14.3f}")


if __name__ == "__main__":
    main()
