#!/usr/bin/python3
"""make_golden_analysis.py — golden data of the long-audio analysis (model/vita-analysis.h)
computed with the PyTorch reference (tools/vit1d.py).

Real audio: a 3 s excerpt of Wesnoth's "loyalists.ogg" (Debian package
wesnoth-1.16-music), decoded and resampled by torchaudio, turned into the model's
normalised log-mel by vit1d.FrontEnd.  The C test feeds THIS mel to the analysis, so
it checks windowing, padding, ownership, class tokens, received attention and SSM
pooling against PyTorch independently of the C front-end (tested in tests/dsp).

Small model "ana": n_mels 128, T 32 frames (hop 16), d 32, depth 2, heads 2, mlp 64,
weights drawn so that attention is peaked (as tests/make_golden_vit.py).

Writes to tests/data/:
  ana.safetensors, ana_params.npy    the model (file, and flat in VitaVitParams order)
  ana_config.npy       n_mels, frames, dim, depth, heads, mlp_dim, proj_dim, input_mean, input_std
  ana_long_mel.npy     (94, 128)     3 s of real audio: 5 windows, SSM with ssm_max 40
  ana_long_{tokens,cls,received,ssm,attention,windows}.npy
  ana_short_*          the first 20 frames only: one window padded with silence
  ana_clip.wav         the same 3 s, mono 16 kHz float WAV (end-to-end CLI test)
The reference runs in float64 from the float32 weights and mel.

    /usr/bin/python3 tests/make_golden_analysis.py
"""
import math
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import vit1d  # noqa: E402
# The golden weights and the flat VitaVitParams order are shared with the forward goldens.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden_vit import golden_weights, flat_params  # noqa: E402

DATA = os.path.join(ROOT, "tests", "data")
AUDIO = "/usr/share/games/wesnoth/1.16/data/core/music/loyalists.ogg"
EXCERPT_START = 30.0   # seconds
EXCERPT_LEN = 3.0
LONG_SSM_MAX = 40
SHORT_FRAMES = 20

def window_starts(n, T):
    """vita-analysis.h: hop T/2 (>= 1), the last window aligned to the end."""
    hop = max(T // 2, 1)
    if n <= T:
        return [0]
    nw = 1 + math.ceil((n - T) / hop)
    return [w * hop for w in range(nw - 1)] + [n - T]


def owners(n, T, starts):
    """Most central window, the earlier on a tie."""
    own = []
    for f in range(n):
        best, best_score = -1, None
        for w, s in enumerate(starts):
            if s <= f < s + T:
                score = abs(2 * (f - s) - (T - 1))
                if best < 0 or score < best_score:
                    best, best_score = w, score
        own.append(best)
    return own


def analyse(model, mel, ssm_max):
    """The analysis of vita-analysis.h, literally, in float64."""
    cfg = model.cfg
    T, M = cfg.frames, cfg.n_mels
    n = mel.shape[0]
    starts = window_starts(n, T)
    pad = (math.log(cfg.log_offset) - cfg.input_mean) / cfg.input_std
    x = torch.full((len(starts), T, M), pad, dtype=torch.float64)
    for w, s in enumerate(starts):
        valid = min(T, n - s)
        x[w, :valid] = mel[s:s + valid].double()
    with torch.no_grad():
        out = model(x)
    toks = torch.stack(out["tokens"])            # (L+1, W, N, D)
    att = torch.stack(out["attention"])          # (L, W, NH, N, N)
    own = owners(n, T, starts)
    pos = [1 + f - starts[own[f]] for f in range(n)]
    tokens = torch.stack([toks[:, own[f], pos[f]] for f in range(n)], dim=1)    # (L+1, n, D)
    cls = toks[:, :, 0].permute(1, 0, 2)                                         # (W, L+1, D)
    colsum = att.sum(dim=3)                                                      # (L, W, NH, N)
    received = torch.stack([colsum[:, own[f], :, pos[f]] for f in range(n)], dim=2)  # (L, NH, n)
    pool = math.ceil(n / ssm_max)
    S = math.ceil(n / pool)
    u = tokens / tokens.norm(dim=-1, keepdim=True).clamp(min=1e-8)
    P = torch.stack([u[:, i * pool:min(n, (i + 1) * pool)].mean(dim=1) for i in range(S)], dim=1)
    ssm = P @ P.transpose(1, 2)                                                  # (L+1, S, S)
    owned = [[starts[w], own.index(w) if w in own else 0,
              (max(f for f in range(n) if own[f] == w) + 1) if w in own else 0]
             for w in range(len(starts))]
    return dict(tokens=tokens, cls=cls, received=received, ssm=ssm,
                attention=att.permute(1, 0, 2, 3, 4), windows=torch.tensor(owned, dtype=torch.float64))


def save(name, a):
    a = np.ascontiguousarray(a.detach().numpy() if isinstance(a, torch.Tensor) else a,
                             dtype="<f4")
    path = os.path.join(DATA, name)
    np.save(path, a)
    return os.path.getsize(path)


def write_wav_f32(path, wav, rate):
    """Mono IEEE-float WAV (format 3), written by hand: no soundfile needed."""
    import struct
    data = np.ascontiguousarray(wav, dtype="<f4").tobytes()
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + 26 + 12 + 8 + len(data)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<IHHIIHHH", 18, 3, 1, rate, rate * 4, 4, 32, 0))
        f.write(b"fact" + struct.pack("<II", 4, len(wav)))
        f.write(b"data" + struct.pack("<I", len(data)) + data)
    return os.path.getsize(path)


def main():
    torch.set_num_threads(1)
    os.makedirs(DATA, exist_ok=True)
    total = 0
    cfg = vit1d.Config(n_mels=128, frames=32, dim=32, depth=2, heads=2, mlp_dim=64, proj_dim=16)

    wav = vit1d.load_audio(AUDIO, cfg.sample_rate)
    a = int(EXCERPT_START * cfg.sample_rate)
    wav = wav[a:a + int(EXCERPT_LEN * cfg.sample_rate)].contiguous()
    mel = vit1d.FrontEnd(cfg)(wav)               # un-normalised (mean 0, std 1)
    cfg.input_mean = round(float(mel.mean()), 3)
    cfg.input_std = round(float(mel.std()), 3)
    mel = vit1d.FrontEnd(cfg)(wav).float()       # (n, M), the model's input

    g = torch.Generator().manual_seed(4242)
    model = vit1d.ViT1D(cfg)
    golden_weights(model, g)
    path = os.path.join(DATA, "ana.safetensors")
    vit1d.export(model, path, train_data="none (golden analysis weights)",
                 created_by="tests/make_golden_analysis.py")
    total += os.path.getsize(path)
    total += save("ana_params.npy", flat_params(model, cfg))
    total += save("ana_config.npy", np.array([cfg.n_mels, cfg.frames, cfg.dim, cfg.depth, cfg.heads,
                                              cfg.mlp_dim, cfg.proj_dim, cfg.input_mean, cfg.input_std]))
    total += write_wav_f32(os.path.join(DATA, "ana_clip.wav"), wav.numpy(), cfg.sample_rate)
    m64 = model.double().eval()

    for name, m, ssm_max in (("long", mel, LONG_SSM_MAX), ("short", mel[:SHORT_FRAMES], 1024)):
        res = analyse(m64, m, ssm_max)
        total += save(f"ana_{name}_mel.npy", m)
        for k, v in res.items():
            total += save(f"ana_{name}_{k}.npy", v)
        print(f"{name}: {m.shape[0]} frames, {res['cls'].shape[0]} windows, ssm {tuple(res['ssm'].shape)}, "
              f"|tokens| max {res['tokens'].abs().max().item():.2f}, "
              f"attention max {res['attention'].max().item():.3f}")
    print(f"input_mean {cfg.input_mean} input_std {cfg.input_std}; wrote {total} bytes to {DATA}")


if __name__ == "__main__":
    main()
