#!/usr/bin/python3
"""make_golden_vit.py — golden data for tests/model/test-vit.c.

For two small ViT-1D configurations ("test" preset and a non-square one that
catches layout bugs: D 24, L 3, NH 3, H4 40, T 10, M 12, P 6) it writes to
tests/data/:

  vit_<name>.safetensors       the model (tools/vit1d.py writer, full metadata)
  vit_<name>_params.npy        the same weights flat, in VitaVitParams order
                               (the test's loader until vita_vit_load is in main)
  vit_<name>_input.npy         (B, T, M) random normalised log-mel windows
  vit_<name>_<act>.npy         every activation of the forward pass, in the
                               VitaVitActs layout (per-layer ones as (L, B, ...)):
                               patch encoded ln1 ln1_mean ln1_rstd qkv att atty
                               res_att ln2 ln2_mean ln2_rstd fch fch_gelu res_mlp
                               lnf lnf_mean lnf_rstd head_h head_relu z

The weights are NOT the timm init (std 0.02 would give near-uniform attention and
LayerNorm affines of 1/0, hiding bugs): every tensor is drawn at a scale that makes
attention peaked and every affine matter.  PyTorch computes in float64; files are
float32.  Run: /usr/bin/python3 tests/make_golden_vit.py
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import vit1d  # noqa: E402

DATA = os.path.join(HERE, "data")

CONFIGS = {
    "test": (vit1d.Config.preset("test"), 3),
    "odd": (vit1d.Config(dim=24, depth=3, heads=3, mlp_dim=40, frames=10, n_mels=12,
                         proj_dim=6), 2),
}

# VitaVitParams order (model/vita-vit.h); per-layer tensors stacked over blocks.
PARAM_ORDER = [
    "patch_embed.proj.weight", "patch_embed.proj.bias", "cls_token", "pos_embed",
    "blocks.{}.norm1.weight", "blocks.{}.norm1.bias",
    "blocks.{}.attn.qkv.weight", "blocks.{}.attn.qkv.bias",
    "blocks.{}.attn.proj.weight", "blocks.{}.attn.proj.bias",
    "blocks.{}.norm2.weight", "blocks.{}.norm2.bias",
    "blocks.{}.mlp.fc1.weight", "blocks.{}.mlp.fc1.bias",
    "blocks.{}.mlp.fc2.weight", "blocks.{}.mlp.fc2.bias",
    "norm.weight", "norm.bias",
    "head.fc1.weight", "head.fc1.bias", "head.fc2.weight", "head.fc2.bias",
]


def golden_weights(model, g):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") \
                    or name == "norm.weight":
                p.copy_(1.0 + 0.3 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            elif name in ("cls_token", "pos_embed"):
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            else:
                fan_in = p.shape[-1]
                scale = 2.0 if "qkv" in name else 1.0   # peaked attention
                p.copy_(scale * torch.randn(p.shape, generator=g) / fan_in ** 0.5)


def flat_params(model, cfg):
    sd = model.state_dict()
    parts = []
    for key in PARAM_ORDER:
        if "{}" in key:
            parts += [sd[key.format(l)].reshape(-1) for l in range(cfg.depth)]
        elif key in sd:
            parts.append(sd[key].reshape(-1))
    return torch.cat(parts)


def capture(model, x):
    """Runs the float64 forward and returns every VitaVitActs tensor."""
    cfg = model.cfg
    eps = cfg.norm_eps
    acts = {k: [] for k in ("ln1", "qkv", "atty", "res_att", "ln2", "fch", "fch_gelu",
                            "proj_out")}
    hooks = []

    def keep(key, use_input=False, also=None):
        def hook(module, inputs, output):   # must return None (else replaces output)
            acts[key].append(inputs[0] if use_input else output)
            if also:
                acts[also].append(output)
        return hook
    for blk in model.blocks:
        hooks.append(blk.norm1.register_forward_hook(keep("ln1")))
        hooks.append(blk.attn.qkv.register_forward_hook(keep("qkv")))
        hooks.append(blk.attn.proj.register_forward_hook(keep("atty", True, "proj_out")))
        hooks.append(blk.norm2.register_forward_hook(keep("ln2")))
        hooks.append(blk.mlp.fc1.register_forward_hook(keep("fch")))
        hooks.append(blk.mlp.act.register_forward_hook(keep("fch_gelu")))
    with torch.no_grad():
        out = model(x)
        patch = model.patch_embed(x)
    for h in hooks:
        h.remove()
    toks = out["tokens"]

    def stats(t):
        mean = t.mean(-1)
        rstd = 1.0 / torch.sqrt(t.var(-1, unbiased=False) + eps)
        return mean, rstd

    res = {"patch": patch, "encoded": toks[0]}
    L = cfg.depth
    res["ln1"] = torch.stack(acts["ln1"])
    res["ln1_mean"] = torch.stack([stats(toks[l])[0] for l in range(L)])
    res["ln1_rstd"] = torch.stack([stats(toks[l])[1] for l in range(L)])
    res["qkv"] = torch.stack(acts["qkv"])
    res["att"] = torch.stack(out["attention"])
    res["atty"] = torch.stack(acts["atty"])
    res["res_att"] = torch.stack([toks[l] + acts["proj_out"][l] for l in range(L)])
    res["ln2"] = torch.stack(acts["ln2"])
    res["ln2_mean"] = torch.stack([stats(res["res_att"][l])[0] for l in range(L)])
    res["ln2_rstd"] = torch.stack([stats(res["res_att"][l])[1] for l in range(L)])
    res["fch"] = torch.stack(acts["fch"])
    res["fch_gelu"] = torch.stack(acts["fch_gelu"])
    res["res_mlp"] = torch.stack(toks[1:])
    res["lnf"] = out["lnf"]
    res["lnf_mean"], res["lnf_rstd"] = stats(toks[-1])
    with torch.no_grad():
        cls = out["lnf"][:, 0]
        res["head_h"] = model.head.fc1(cls)
        res["head_relu"] = torch.relu(res["head_h"])
    res["z"] = out["z"]
    # sanity: the hooks saw the same computation as the model's own outputs
    assert torch.allclose(model.head.fc2(res["head_relu"]), out["z"])
    return res


def save(name, a):
    a = np.ascontiguousarray(a.detach().numpy() if isinstance(a, torch.Tensor) else a,
                             dtype="<f4")
    path = os.path.join(DATA, name)
    np.save(path, a)
    return os.path.getsize(path)


def main():
    torch.set_num_threads(1)
    os.makedirs(DATA, exist_ok=True)
    total = 0
    for i, (name, (cfg, B)) in enumerate(CONFIGS.items()):
        g = torch.Generator().manual_seed(1234 + i)
        model = vit1d.ViT1D(cfg)
        golden_weights(model, g)
        path = os.path.join(DATA, f"vit_{name}.safetensors")
        vit1d.export(model, path, train_data="none (golden test weights)",
                     created_by="tests/make_golden_vit.py")
        total += os.path.getsize(path)
        total += save(f"vit_{name}_params.npy", flat_params(model, cfg))
        x = torch.randn(B, cfg.frames, cfg.n_mels, generator=g)
        total += save(f"vit_{name}_input.npy", x)
        # the reference in float64 from the float32 weights and input
        m64 = model.double()
        acts = capture(m64, x.double())
        for k, v in acts.items():
            total += save(f"vit_{name}_{k}.npy", v)
        att = acts["att"]
        print(f"{name}: B {B}, attention max prob {att.max().item():.3f}, "
              f"min {att.min().item():.2e}; |tokens| max {acts['res_mlp'].abs().max().item():.2f}")
    print(f"wrote {total} bytes to {DATA}")


if __name__ == "__main__":
    main()
