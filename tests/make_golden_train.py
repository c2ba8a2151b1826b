#!/usr/bin/python3
"""Golden data for tests/train (NT-Xent, AdamW, ViT-1D backward) from PyTorch.

Run from the repository root with Debian's Python (torch 1.13):
    /usr/bin/python3 tests/make_golden_train.py
Writes small .npy files to tests/data/train/.  The C tests never need Python.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "train")
os.makedirs(OUT, exist_ok=True)


def save(name, a):
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float32))
    np.save(os.path.join(OUT, name + ".npy"), a)


def ntxent(z, tau):
    """SimCLR NT-Xent: row i's positive is (i + B/2) mod B; the row itself is masked."""
    B = z.shape[0]
    zn = F.normalize(z, dim=1)
    logits = zn @ zn.t() / tau
    eye = torch.eye(B, dtype=torch.bool)
    logits = logits.masked_fill(eye, float("-inf"))
    labels = (torch.arange(B) + B // 2) % B
    loss = F.cross_entropy(logits, labels)
    acc = (logits.argmax(dim=1) == labels).float().mean()
    return loss, acc


def cosine_lr(step, lr, lr_min, warmup, total):
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * progress))


def cosine_wd(step, wd0, wd1, total):
    progress = min(1.0, step / max(1, total))
    return wd1 + 0.5 * (wd0 - wd1) * (1 + math.cos(math.pi * progress))


def golden_ntxent():
    g = torch.Generator().manual_seed(1)
    for name, B, P, tau in (("ntxent_a", 8, 8, 0.1), ("ntxent_b", 12, 5, 0.5)):
        z = torch.randn(B, P, generator=g, dtype=torch.float64)
        z[1] *= 3.0
        if name == "ntxent_a":  # correlated positives for some rows: accuracy neither 0 nor 1
            z[B // 2:B // 2 + 3] = z[:3] + 0.3 * torch.randn(3, P, generator=g, dtype=torch.float64)
        z32 = z.float()
        zz = z32.double().requires_grad_(True)
        loss, acc = ntxent(zz, tau)
        loss.backward()
        save(name + "_z", z32)
        save(name + "_loss", [loss.item(), acc.item(), tau])
        save(name + "_dz", zz.grad)


def golden_adamw():
    """10 AdamW steps on two tensors (one decayed, one not) with the schedules."""
    g = torch.Generator().manual_seed(2)
    w = torch.randn(6, 5, generator=g) * 0.1
    b = torch.randn(5, generator=g) * 0.1
    grads = torch.randn(10, 35, generator=g)
    save("adamw_p0", torch.cat([w.flatten(), b]))
    save("adamw_grads", grads)
    pw = torch.nn.Parameter(w.clone())
    pb = torch.nn.Parameter(b.clone())
    opt = torch.optim.AdamW([{"params": [pw], "weight_decay": 0.04},
                             {"params": [pb], "weight_decay": 0.0}],
                            lr=1e-2, betas=(0.9, 0.98), eps=1e-8, foreach=False)
    lr, lr_min, warmup, total = 1e-2, 1e-4, 3, 10
    for step in range(10):
        opt.param_groups[0]["lr"] = opt.param_groups[1]["lr"] = cosine_lr(step, lr, lr_min, warmup, total)
        opt.param_groups[0]["weight_decay"] = cosine_wd(step, 0.04, 0.01, total)
        pw.grad = grads[step, :30].reshape(6, 5).clone()
        pb.grad = grads[step, 30:].clone()
        opt.step()
    st_w, st_b = opt.state[pw], opt.state[pb]
    save("adamw_p10", torch.cat([pw.detach().flatten(), pb.detach()]))
    save("adamw_m10", torch.cat([st_w["exp_avg"].flatten(), st_b["exp_avg"]]))
    save("adamw_v10", torch.cat([st_w["exp_avg_sq"].flatten(), st_b["exp_avg_sq"]]))
    save("schedule", [[cosine_lr(s, lr, lr_min, warmup, total), cosine_wd(s, 0.04, 0.01, total)]
                      for s in range(12)])


if __name__ == "__main__":
    golden_ntxent()
    golden_adamw()
    if os.path.exists(os.path.join(ROOT, "tools", "vit1d.py")):
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        import golden_train_vit  # noqa: F401  (defined below once vit1d.py exists)
