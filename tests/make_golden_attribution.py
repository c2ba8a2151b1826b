#!/usr/bin/python3
"""Golden data for tests/model/test-attribution (attribution targets and their
gradients with respect to the normalised mel input) from PyTorch autograd.

Run from the repository root with Debian's Python (torch 1.13):
    /usr/bin/python3 tests/make_golden_attribution.py
Writes small .npy files to tests/data/attribution/.  The C tests never need Python.

The ViT-1D is make_golden_train.py's independent PyTorch model (parameters in one flat
vector in Vitascope's layout), here returning every token layer and attention map.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden_train import unpack, random_params  # noqa: E402

torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "attribution")
os.makedirs(OUT, exist_ok=True)


def save(name, a):
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float32))
    np.save(os.path.join(OUT, name + ".npy"), a)


def vit_layers(p, x, c):
    """x: (B, T, M) → tokens [layer 0..L] (B, N, D) and attention [block 0..L-1]."""
    B, T, _ = x.shape
    D, L, NH, eps = c["D"], c["L"], c["NH"], 1e-6
    hs = D // NH
    N = T + 1
    patch = x @ p["patch_w"].t() + p["patch_b"]
    cls = p["cls_token"] + patch.mean(dim=1)
    h = torch.cat([cls[:, None, :], patch], dim=1) + p["pos_embed"][None]
    tokens, atts = [h], []
    for l in range(L):
        a = F.layer_norm(h, (D,), p["ln1w"][l], p["ln1b"][l], eps)
        qkv = a @ p["qkvw"][l].t() + p["qkvb"][l]
        q, k, v = qkv.split(D, dim=-1)
        q = q.view(B, N, NH, hs).transpose(1, 2)
        k = k.view(B, N, NH, hs).transpose(1, 2)
        v = v.view(B, N, NH, hs).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hs), dim=-1)
        atts.append(att)
        y = (att @ v).transpose(1, 2).reshape(B, N, D)
        h = h + y @ p["projw"][l].t() + p["projb"][l]
        a = F.layer_norm(h, (D,), p["ln2w"][l], p["ln2b"][l], eps)
        m = F.gelu(a @ p["fc1w"][l].t() + p["fc1b"][l])
        h = h + m @ p["fc2w"][l].t() + p["fc2b"][l]
        tokens.append(h)
    return tokens, atts


def pool(tok, kind):
    cls, mean = tok[:, 0], tok[:, 1:].mean(dim=1)
    return {"cls": cls, "mean": mean, "cls+mean": 0.5 * (cls + mean)}[kind]


def golden(tag, c, B, seed):
    g = torch.Generator().manual_seed(seed)
    flat = random_params(c, g)
    x = torch.randn(B, c["T"], c["M"], generator=g)
    D, L, NH, T = c["D"], c["L"], c["NH"], c["T"]
    C = 5
    probe_w = torch.randn(C, D, generator=g) / math.sqrt(D)
    probe_b = 0.1 * torch.randn(C, generator=g)
    reference = torch.randn(D, generator=g)
    save(tag + "_config", [c[k] for k in ("M", "T", "D", "L", "NH", "H4", "P")] + [c["tau"], B])
    save(tag + "_params", flat)
    save(tag + "_input", x)
    save(tag + "_probe_w", probe_w)
    save(tag + "_probe_b", probe_b)
    save(tag + "_reference", reference)
    p = unpack(flat.double(), c)
    W, b = probe_w.double(), probe_b.double()

    # name: (kind, spec...) — mirrored by the C test's table
    targets = {
        # probe: layer, frame_level, pool, activation, probability, class, rows
        "probe_logit": lambda tk, at: (tk[1][:, 3] @ W.t() + b)[:, 2],
        "probe_softmax_range": lambda tk, at: torch.softmax(tk[L][:, 2:6] @ W.t() + b, dim=-1)[..., 4].sum(dim=1),
        "probe_clip_sigmoid": lambda tk, at: torch.sigmoid(pool(tk[L], "cls+mean") @ W.t() + b)[:, 1],
        "probe_clip_mean_logit": lambda tk, at: (pool(tk[1], "mean") @ W.t() + b)[:, 0],
        "cosine": lambda tk, at: F.cosine_similarity(tk[L][:, 0], reference.double()[None], dim=-1),
        "cosine_l0": lambda tk, at: F.cosine_similarity(tk[0][:, 0], reference.double()[None], dim=-1),
        "received_b0_h1": lambda tk, at: at[0][:, 1, :, 4].sum(dim=-1),
        "received_last_mean": lambda tk, at: at[L - 1][:, :, :, 2].sum(dim=-1).mean(dim=1),
    }
    for name, fn in targets.items():
        xx = x.double().requires_grad_(True)
        tk, at = vit_layers(p, xx, c)
        v = fn(tk, at)
        v.sum().backward()
        save(f"{tag}_{name}_value", v.detach())
        save(f"{tag}_{name}_grad", xx.grad)


if __name__ == "__main__":
    golden("attr_test", dict(M=16, T=8, D=16, L=2, NH=2, H4=32, P=8, tau=0.1), B=3, seed=11)
    golden("attr_odd", dict(M=7, T=5, D=12, L=3, NH=3, H4=20, P=6, tau=0.2), B=2, seed=12)
