#!/usr/bin/python3
"""pytorch_analysis.py — PyTorch's forward time on the same windows as bench-analysis
(paper-size "tiny" ViT-1D, the same 50 %-overlap windows of the same track, the same
thread count), then Vitascope's whole analysis time and the ratio.

    /usr/bin/python3 bench/pytorch_analysis.py --threads 2 --bench build/bench/bench-analysis

Only PyTorch's forward passes are timed (its front-end and windowing are not counted),
with torch.no_grad(), in batches of --batch windows (default 8, as bench-analysis)
and also all windows at once; the faster of the two is PyTorch's figure.
"""
import argparse
import math
import os
import re
import subprocess
import sys
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import vit1d  # noqa: E402
from make_golden_analysis import window_starts  # noqa: E402

DEFAULT_AUDIO = "/usr/share/games/wesnoth/1.16/data/core/music/loyalists.ogg"


def best_of(fn, repeat):
    """(wall, process CPU) seconds of the fastest of repeat runs."""
    times = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t, time.process_time() - c))
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("audio", nargs="?", default=DEFAULT_AUDIO)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--bench", help="path of bench-analysis: run it and print the ratio")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    cfg = vit1d.Config.preset("tiny")
    model = vit1d.ViT1D(cfg).init_weights(1).eval()
    wav = vit1d.load_audio(a.audio, cfg.sample_rate)
    mel = vit1d.FrontEnd(cfg)(wav)
    n = mel.shape[0]
    T = cfg.frames
    starts = window_starts(n, T)
    pad = (math.log(cfg.log_offset) - cfg.input_mean) / cfg.input_std
    x = torch.full((len(starts), T, cfg.n_mels), pad)
    for w, s in enumerate(starts):
        v = min(T, n - s)
        x[w, :v] = mel[s:s + v]

    def batched():
        with torch.no_grad():
            for i in range(0, x.shape[0], a.batch):
                model(x[i:i + a.batch])

    def whole():
        with torch.no_grad():
            model(x)

    batched()   # warm-up
    (t_batched, c_batched) = best_of(batched, a.repeat)
    (t_whole, c_whole) = best_of(whole, a.repeat)
    t_torch, c_torch = min((t_batched, c_batched), (t_whole, c_whole))
    print(f"audio          {a.audio}")
    print(f"windows        {x.shape[0]} of {T} frames ({n} frames, {wav.shape[0] / cfg.sample_rate:.1f} s)")
    print(f"torch          {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"torch forward  {t_batched:8.3f} s in batches of {a.batch}, {t_whole:8.3f} s all at once"
          f"  (CPU {c_batched:.3f} s, {c_whole:.3f} s)")
    if a.bench:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(a.threads))
        out = subprocess.run([a.bench, "--threads", str(a.threads), "--batch", str(a.batch), a.audio],
                             check=True, capture_output=True, text=True, env=env).stdout
        print("--- bench-analysis ---")
        print(out.rstrip())
        total = float(re.search(r"^total\s+([0-9.]+) s", out, re.M).group(1))
        fwd = float(re.search(r"^forward\s+([0-9.]+) s", out, re.M).group(1))
        cpu = float(re.search(r"^cpu total\s+([0-9.]+) s", out, re.M).group(1))
        print("---")
        print(f"ratio          PyTorch forward {t_torch:.3f} s / Vitascope whole analysis {total:.3f} s"
              f" = {t_torch / total:.2f}x  (forward alone: {t_torch / fwd:.2f}x; target >= 4x)")
        print(f"cpu ratio      PyTorch forward {c_torch:.3f} s CPU / Vitascope whole analysis {cpu:.3f} s CPU"
              f" = {c_torch / cpu:.2f}x")


if __name__ == "__main__":
    main()
