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



# ------------------------------------------------------------------------------------
# A minimal, independent PyTorch ViT-1D following shared/design/vit1d-format.md, with
# its parameters unpacked from one flat vector in Vitascope's layout (VitaVitParams
# order), so the C test needs no safetensors I/O.

PARAM_NAMES = ["patch_w", "patch_b", "cls_token", "pos_embed", "ln1w", "ln1b", "qkvw", "qkvb",
               "projw", "projb", "ln2w", "ln2b", "fc1w", "fc1b", "fc2w", "fc2b", "lnfw", "lnfb",
               "head_fc1w", "head_fc1b", "head_fc2w", "head_fc2b"]


def param_shapes(c):
    M, T, D, L, H4, P = c["M"], c["T"], c["D"], c["L"], c["H4"], c["P"]
    N = T + 1
    return [(D, M), (D,), (D,), (N, D), (L, D), (L, D), (L, 3 * D, D), (L, 3 * D),
            (L, D, D), (L, D), (L, D), (L, D), (L, H4, D), (L, H4), (L, D, H4), (L, D),
            (D,), (D,), (D, D), (D,), (P, D), (P,)]


def unpack(flat, c):
    out, off = {}, 0
    for name, shp in zip(PARAM_NAMES, param_shapes(c)):
        n = int(np.prod(shp))
        out[name] = flat[off:off + n].view(*shp)
        off += n
    assert off == flat.numel()
    return out


def vit_forward(p, x, c):
    """x: (B, T, M) → z (B, P)."""
    B, T, _ = x.shape
    D, L, NH, eps = c["D"], c["L"], c["NH"], 1e-6
    hs = D // NH
    patch = x @ p["patch_w"].t() + p["patch_b"]                    # (B, T, D)
    cls = p["cls_token"] + patch.mean(dim=1)                        # class token rule
    h = torch.cat([cls[:, None, :], patch], dim=1) + p["pos_embed"][None]
    N = T + 1
    for l in range(L):
        a = F.layer_norm(h, (D,), p["ln1w"][l], p["ln1b"][l], eps)
        qkv = a @ p["qkvw"][l].t() + p["qkvb"][l]
        q, k, v = qkv.split(D, dim=-1)
        q = q.view(B, N, NH, hs).transpose(1, 2)
        k = k.view(B, N, NH, hs).transpose(1, 2)
        v = v.view(B, N, NH, hs).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hs), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, N, D)
        h = h + y @ p["projw"][l].t() + p["projb"][l]
        a = F.layer_norm(h, (D,), p["ln2w"][l], p["ln2b"][l], eps)
        m = F.gelu(a @ p["fc1w"][l].t() + p["fc1b"][l])             # exact erf GELU
        h = h + m @ p["fc2w"][l].t() + p["fc2b"][l]
    h = F.layer_norm(h, (D,), p["lnfw"], p["lnfb"], eps)
    e = torch.relu(h[:, 0] @ p["head_fc1w"].t() + p["head_fc1b"])
    return e @ p["head_fc2w"].t() + p["head_fc2b"]


def random_params(c, g):
    ps = []
    for name, shp in zip(PARAM_NAMES, param_shapes(c)):
        t = torch.randn(*shp, generator=g, dtype=torch.float64)
        if name in ("ln1w", "ln2w", "lnfw"):
            t = 1.0 + 0.1 * t
        elif name.endswith("b") and name != "patch_w" or name == "cls_token":
            t = 0.1 * t
        else:
            t = t / math.sqrt(shp[-1])   # fan-in scaling keeps activations O(1)
        ps.append(t.flatten())
    return torch.cat(ps).float()


def golden_vit(tag, c, B, seed, steps=10):
    g = torch.Generator().manual_seed(seed)
    flat = random_params(c, g)
    x = torch.randn(steps, B, c["T"], c["M"], generator=g)
    save(tag + "_config", [c[k] for k in ("M", "T", "D", "L", "NH", "H4", "P")] + [c["tau"], B])
    save(tag + "_params", flat)
    save(tag + "_input", x)
    # gradients of the first batch, in float64
    w = flat.double().requires_grad_(True)
    z = vit_forward(unpack(w, c), x[0].double(), c)
    loss, acc = ntxent(z, c["tau"])
    loss.backward()
    save(tag + "_z", z.detach())
    save(tag + "_loss", [loss.item(), acc.item()])
    save(tag + "_grads", w.grad)
    # `steps` AdamW steps in float32 with the schedules and clipping the C trainer uses
    sched = dict(lr=1e-3, lr_min=1e-5, warmup=3, total=steps, clip=1.0)
    param_list = [torch.nn.Parameter(t.clone()) for t in torch.split(flat, [int(np.prod(s)) for s in param_shapes(c)])]
    no_decay = {"patch_b", "cls_token", "pos_embed", "ln1w", "ln1b", "qkvb", "projb", "ln2w", "ln2b",
                "fc1b", "fc2b", "lnfw", "lnfb", "head_fc1b", "head_fc2b"}
    decay_ps = [q for n, q in zip(PARAM_NAMES, param_list) if n not in no_decay]
    nodecay_ps = [q for n, q in zip(PARAM_NAMES, param_list) if n in no_decay]
    opt = torch.optim.AdamW([{"params": decay_ps, "weight_decay": 0.04},
                             {"params": nodecay_ps, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.98), eps=1e-8, foreach=False)
    losses = []
    for step in range(steps):
        lr = cosine_lr(step, sched["lr"], sched["lr_min"], sched["warmup"], sched["total"])
        for grp in opt.param_groups:
            grp["lr"] = lr
        opt.param_groups[0]["weight_decay"] = cosine_wd(step, 0.04, 0.01, sched["total"])
        opt.zero_grad()
        pdict = {n: q.view(*shp) for n, q, shp in zip(PARAM_NAMES, param_list, param_shapes(c))}
        loss, _ = ntxent(vit_forward(pdict, x[step], c), c["tau"])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(param_list, sched["clip"])
        opt.step()
        losses.append(loss.item())
    save(tag + "_losses", losses)
    save(tag + "_params_after", torch.cat([q.detach().flatten() for q in param_list]))


if __name__ == "__main__":
    golden_ntxent()
    golden_adamw()
    # the "test" preset and a non-square configuration (no dimension equal to another)
    golden_vit("vit_test", dict(M=16, T=8, D=16, L=2, NH=2, H4=32, P=8, tau=0.1), B=8, seed=3)
    golden_vit("vit_odd", dict(M=7, T=5, D=12, L=2, NH=3, H4=20, P=6, tau=0.2), B=6, seed=4)
