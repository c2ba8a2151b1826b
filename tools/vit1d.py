#!/usr/bin/python3
"""vit1d.py — the PyTorch reference of Vitascope's ViT-1D (shared/design/vit1d-format.md).

Module names are the timm tensor names, so ``model.state_dict()`` keys are exactly
the names of the safetensors file (patch_embed.proj.weight, blocks.0.attn.qkv.weight,
...).  Also here: the audio front-end (torchaudio MelSpectrogram, Slaney scale and
norm, log, normalisation), a pure-Python safetensors reader/writer (the
``safetensors`` package is not needed) and export helpers.

    python3 tools/vit1d.py init --config tiny --seed 0 OUT.safetensors
    python3 tools/vit1d.py export CHECKPOINT.pt --config tiny OUT.safetensors
    python3 tools/vit1d.py forward MODEL.safetensors AUDIO.ogg
    python3 tools/vit1d.py info MODEL.safetensors

Runs with Debian 12's /usr/bin/python3 (torch 1.13, torchaudio 0.13).  Vitascope
never needs Python to build, run or test; this is the contract's other side.
"""
import argparse
import json
import math
import os
import struct
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FORMAT_VERSION = "1"

# Presets, as model/vita-vit-params.c.
PRESETS = {
    "tiny": dict(dim=192, depth=12, heads=3, mlp_dim=768, frames=126, n_mels=128, proj_dim=128),
    "small-4l": dict(dim=128, depth=4, heads=4, mlp_dim=512, frames=126, n_mels=128, proj_dim=128),
    "test": dict(dim=16, depth=2, heads=2, mlp_dim=32, frames=8, n_mels=16, proj_dim=8),
}


class Config:
    """Every setting of the format document, with its defaults."""

    def __init__(self, **kw):
        # front-end
        self.sample_rate = 16000
        self.n_fft = 1024
        self.win_length = 1024
        self.hop_length = 512
        self.n_mels = 128
        self.f_min = 0.0
        self.f_max = 8000.0
        self.log_offset = 1e-6
        self.input_mean = 0.0
        self.input_std = 1.0
        # model
        self.frames = 126
        self.dim = 192
        self.depth = 12
        self.heads = 3
        self.mlp_dim = 768
        self.norm_eps = 1e-6
        self.proj_dim = 128
        self.temperature = 0.1
        for k, v in kw.items():
            if not hasattr(self, k):
                raise KeyError(f"unknown setting {k}")
            setattr(self, k, v)
        if self.dim % self.heads:
            raise ValueError(f"heads {self.heads} must divide dim {self.dim}")

    @classmethod
    def preset(cls, name, **overrides):
        if name not in PRESETS:
            raise KeyError(f"unknown configuration {name!r} (known: {', '.join(PRESETS)})")
        kw = dict(PRESETS[name])
        kw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**kw)

    def metadata(self, **provenance):
        """The file's __metadata__ (all values strings), format document order."""
        m = {
            "format": "vit1d", "format_version": FORMAT_VERSION,
            "sample_rate": str(self.sample_rate), "n_fft": str(self.n_fft),
            "win_length": str(self.win_length), "hop_length": str(self.hop_length),
            "window": "hann", "center": "true", "pad_mode": "reflect", "power": "2",
            "n_mels": str(self.n_mels), "f_min": _num(self.f_min), "f_max": _num(self.f_max),
            "mel_scale": "slaney", "mel_norm": "slaney", "log_offset": _num(self.log_offset),
            "input_mean": _num(self.input_mean), "input_std": _num(self.input_std),
            "frames": str(self.frames), "dim": str(self.dim), "depth": str(self.depth),
            "heads": str(self.heads), "mlp_dim": str(self.mlp_dim),
            "norm_eps": _num(self.norm_eps), "gelu": "erf", "cls_init": "param+mean",
            "pos": "learned", "proj_dim": str(self.proj_dim),
            "temperature": _num(self.temperature),
        }
        m.update({k: str(v) for k, v in provenance.items()})
        return m

    @classmethod
    def from_metadata(cls, m):
        def need(key, kind=str):
            if key not in m:
                raise ValueError(f"metadata key {key!r} is missing")
            return kind(m[key])
        if m.get("format") != "vit1d":
            raise ValueError(f"format is {m.get('format')!r}, not 'vit1d'")
        for key, want in (("gelu", "erf"), ("cls_init", "param+mean"), ("pos", "learned"),
                          ("mel_scale", "slaney"), ("mel_norm", "slaney"), ("window", "hann")):
            if key in m and m[key] != want:
                raise ValueError(f"unsupported variant: {key}={m[key]} (this tool runs {want})")
        for key in ("norm", "mlp", "rope"):
            if key in m and m[key] not in ("layernorm", "gelu", "none", "false"):
                raise ValueError(f"unsupported variant: {key}={m[key]}")
        return cls(sample_rate=need("sample_rate", int), n_fft=need("n_fft", int),
                   win_length=int(m.get("win_length", m["n_fft"])),
                   hop_length=need("hop_length", int), n_mels=need("n_mels", int),
                   f_min=need("f_min", float), f_max=need("f_max", float),
                   log_offset=need("log_offset", float), input_mean=need("input_mean", float),
                   input_std=need("input_std", float), frames=need("frames", int),
                   dim=need("dim", int), depth=need("depth", int), heads=need("heads", int),
                   mlp_dim=need("mlp_dim", int), norm_eps=need("norm_eps", float),
                   proj_dim=int(m.get("proj_dim", "0")),
                   temperature=float(m.get("temperature", "0.1")))


def _num(x):
    """A number as a short metadata string: '8000', '1e-06', '0.1'."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


# ----------------------------------------------------------------------- model

class PatchEmbed(nn.Module):
    """Each frame (all n_mels bands) → one token."""

    def __init__(self, n_mels, dim):
        super().__init__()
        self.proj = nn.Linear(n_mels, dim)

    def forward(self, x):          # (B, T, M) → (B, T, D)
        return self.proj(x)


class Attention(nn.Module):
    """timm Attention: qkv rows 0..D-1 = q, D..2D-1 = k, 2D..3D-1 = v; head h owns
    rows h*hs..(h+1)*hs-1 of each; scale 1/sqrt(hs); no mask."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):          # (B, N, D) → (B, N, D), att (B, NH, N, N)
        B, N, D = x.shape
        hs = D // self.heads
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, hs).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                     # (B, NH, N, hs)
        att = (q @ k.transpose(-2, -1)) * (hs ** -0.5)
        att = att.softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, N, D)
        return self.proj(y), att


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()                                 # exact (erf) GELU
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm block: x += attn(LN1(x)); x += mlp(LN2(x))."""

    def __init__(self, cfg):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.attn = Attention(cfg.dim, cfg.heads)
        self.norm2 = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.mlp = Mlp(cfg.dim, cfg.mlp_dim)

    def forward(self, x):
        a, att = self.attn(self.norm1(x))
        x = x + a
        x = x + self.mlp(self.norm2(x))
        return x, att


class ProjectionHead(nn.Module):
    """d → d, ReLU, d → proj_dim: the NT-Xent head on the final-norm class token."""

    def __init__(self, dim, proj_dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.fc2 = nn.Linear(dim, proj_dim)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class ViT1D(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.patch_embed = PatchEmbed(cfg.n_mels, cfg.dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.frames + 1, cfg.dim))
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.depth)])
        self.norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.head = ProjectionHead(cfg.dim, cfg.proj_dim) if cfg.proj_dim > 0 else None

    def init_weights(self, seed):
        """timm VisionTransformer init: trunc_normal(std .02) for Linear weights and
        pos_embed, normal(std 1e-6) for cls_token, zero biases, LayerNorm (1, 0)."""
        g = torch.Generator().manual_seed(seed)

        def tn(t, std=0.02):
            with torch.no_grad():
                t.copy_(torch.fmod(torch.randn(t.shape, generator=g), 2.0) * std)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                tn(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        tn(self.pos_embed)
        with torch.no_grad():
            self.cls_token.copy_(torch.randn(self.cls_token.shape, generator=g) * 1e-6)
        return self

    def embed(self, x):
        """(B, T, M) frames → layer-0 tokens (B, N, D): class token = cls_token + mean
        of the projected frames, prepended; + pos_embed."""
        p = self.patch_embed(x)
        cls = self.cls_token + p.mean(dim=1, keepdim=True)
        return torch.cat([cls, p], dim=1) + self.pos_embed

    def forward(self, x):
        """x (B, T, M) normalised log-mel → dict of tokens [L+1 × (B, N, D)],
        attention [L × (B, NH, N, N)], lnf (B, N, D), z (B, P) or None."""
        h = self.embed(x)
        tokens, atts = [h], []
        for blk in self.blocks:
            h, att = blk(h)
            tokens.append(h)
            atts.append(att)
        lnf = self.norm(h)
        z = self.head(lnf[:, 0]) if self.head is not None else None
        return dict(tokens=tokens, attention=atts, lnf=lnf, z=z)


# -------------------------------------------------------------------- front-end

class FrontEnd(nn.Module):
    """Audio (…, samples) at cfg.sample_rate → normalised log-mel (…, frames, n_mels)."""

    def __init__(self, cfg):
        super().__init__()
        import torchaudio
        self.cfg = cfg
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate=cfg.sample_rate, n_fft=cfg.n_fft, win_length=cfg.win_length,
            hop_length=cfg.hop_length, f_min=cfg.f_min, f_max=cfg.f_max, n_mels=cfg.n_mels,
            window_fn=torch.hann_window, power=2.0, center=True, pad_mode="reflect",
            norm="slaney", mel_scale="slaney")

    def forward(self, wav):
        m = torch.log(self.mel(wav) + self.cfg.log_offset)
        m = (m - self.cfg.input_mean) / self.cfg.input_std
        return m.transpose(-1, -2)


def load_audio(path, sample_rate):
    """Mono float32 at sample_rate: stereo averaged before resampling."""
    import torchaudio
    wav, sr = torchaudio.load(path)
    wav = wav.mean(dim=0)
    if sr != sample_rate:
        wav = torchaudio.functional.resample(wav, sr, sample_rate)
    return wav


def windows(mel, frames):
    """(n, M) → (W, frames, M): windows with 50 % overlap (the last one padded by
    repeating the track's end is NOT done here: only full windows)."""
    hop = max(frames // 2, 1)
    starts = range(0, max(mel.shape[0] - frames, 0) + 1, hop)
    return torch.stack([mel[s:s + frames] for s in starts if s + frames <= mel.shape[0]])


# ------------------------------------------------------------------ safetensors

_DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "BF16": (None, 2),
           "F64": (np.float64, 8)}


def save_file(tensors, path, metadata=None):
    """safetensors writer: 8-byte little-endian header size, JSON header (padded with
    spaces to a multiple of 8, as the reference implementation), raw F32 data.
    The file is written to a temporary name in the same folder, fsynced and renamed."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name]
        if isinstance(t, torch.Tensor):
            t = t.detach().cpu().numpy()
        a = np.ascontiguousarray(np.asarray(t, dtype="<f4"))
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=".safetensors")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(h)))
            f.write(h)
            for b in chunks:
                f.write(b)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load_file(path):
    """safetensors reader → (dict name → float32 numpy array, metadata dict).
    F16 and BF16 are widened to F32."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    metadata = header.pop("__metadata__", {}) or {}
    out = {}
    for name, info in header.items():
        dtype, shape = info["dtype"], info["shape"]
        start, end = info["data_offsets"]
        if dtype not in _DTYPES:
            raise ValueError(f"{path}: tensor {name}: dtype {dtype} not supported")
        npdt, size = _DTYPES[dtype]
        count = int(np.prod(shape)) if shape else 1
        if end - start != count * size or base + end > len(data):
            raise ValueError(f"{path}: tensor {name}: offsets disagree with shape {shape}")
        raw = data[base + start:base + end]
        if dtype == "BF16":
            u = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            a = u.view(np.float32)
        else:
            a = np.frombuffer(raw, dtype=np.dtype(npdt).newbyteorder("<")).astype(np.float32)
        out[name] = a.reshape(shape)
    return out, metadata


# ---------------------------------------------------------------------- export

def export(model, path, **provenance):
    """Writes model (its state_dict, timm names) with the full metadata."""
    cfg = model.cfg
    prov = dict(trained_steps=0, trained_pairs=0, train_data="unknown",
                created_by=f"tools/vit1d.py (torch {torch.__version__})")
    prov.update(provenance)
    sd = {k: v for k, v in model.state_dict().items()}
    save_file(sd, path, cfg.metadata(**prov))


def export_random(cfg, seed, path):
    model = ViT1D(cfg).init_weights(seed)
    export(model, path, train_data="none (random initialisation)",
           created_by=f"tools/vit1d.py init, seed {seed} (torch {torch.__version__})")
    return model


def export_checkpoint(cfg, checkpoint, path, **provenance):
    """Loads a PyTorch checkpoint (a state_dict, or a dict holding one under
    'model' / 'state_dict'; 'module.' prefixes stripped) into ViT1D(cfg), strictly."""
    ck = torch.load(checkpoint, map_location="cpu")
    for key in ("model", "state_dict", "model_state_dict"):
        if isinstance(ck, dict) and key in ck and isinstance(ck[key], dict):
            ck = ck[key]
            break
    ck = {k[len("module."):] if k.startswith("module.") else k: v for k, v in ck.items()}
    model = ViT1D(cfg)
    model.load_state_dict(ck, strict=True)
    export(model, path, **provenance)
    return model


def load(path):
    """safetensors file → ViT1D with its weights (strict)."""
    tensors, meta = load_file(path)
    cfg = Config.from_metadata(meta)
    model = ViT1D(cfg)
    sd = {k: torch.from_numpy(v.copy()) for k, v in tensors.items()}
    model.load_state_dict(sd, strict=True)
    return model, meta


# ------------------------------------------------------------------------- CLI

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def add_cfg(p):
        p.add_argument("--config", default="tiny", help=f"preset: {', '.join(PRESETS)}")
        for k in ("dim", "depth", "heads", "mlp_dim", "frames", "n_mels", "proj_dim"):
            p.add_argument("--" + k.replace("_", "-"), dest=k, type=int)
        p.add_argument("--input-mean", type=float)
        p.add_argument("--input-std", type=float)

    p = sub.add_parser("init", help="random (timm-style) model → safetensors")
    add_cfg(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("out")
    p = sub.add_parser("export", help="PyTorch checkpoint → safetensors")
    add_cfg(p)
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--pairs", type=int, default=0)
    p.add_argument("--train-data", default="unknown")
    p.add_argument("checkpoint")
    p.add_argument("out")
    p = sub.add_parser("forward", help="run a model on audio, print shapes")
    p.add_argument("model")
    p.add_argument("audio")
    p = sub.add_parser("info", help="print a model file's metadata and tensors")
    p.add_argument("model")
    a = ap.parse_args(argv)

    def cfg_of(a):
        over = {k: getattr(a, k) for k in ("dim", "depth", "heads", "mlp_dim", "frames",
                                            "n_mels", "proj_dim", "input_mean", "input_std")}
        return Config.preset(a.config, **over)

    if a.cmd == "init":
        m = export_random(cfg_of(a), a.seed, a.out)
        n = sum(p.numel() for p in m.parameters())
        print(f"{a.out}: {a.config} ViT-1D, {n} parameters, seed {a.seed}")
    elif a.cmd == "export":
        export_checkpoint(cfg_of(a), a.checkpoint, a.out, trained_steps=a.steps,
                          trained_pairs=a.pairs, train_data=a.train_data)
        print(f"{a.out}: exported from {a.checkpoint}")
    elif a.cmd == "info":
        tensors, meta = load_file(a.model)
        for k, v in meta.items():
            print(f"{k}={v}")
        for k, v in tensors.items():
            print(f"{k} {list(v.shape)}")
    elif a.cmd == "forward":
        model, _ = load(a.model)
        cfg = model.cfg
        wav = load_audio(a.audio, cfg.sample_rate)
        mel = FrontEnd(cfg)(wav)
        x = windows(mel, cfg.frames)
        with torch.no_grad():
            out = model.eval()(x)
        print(f"audio: {wav.shape[0]} samples at {cfg.sample_rate} Hz "
              f"({wav.shape[0] / cfg.sample_rate:.2f} s)")
        print(f"log-mel: {tuple(mel.shape)}  windows: {tuple(x.shape)}")
        for i, t in enumerate(out["tokens"]):
            print(f"tokens[{i}]: {tuple(t.shape)}")
        for i, t in enumerate(out["attention"]):
            print(f"attention[{i}]: {tuple(t.shape)}")
        print(f"lnf: {tuple(out['lnf'].shape)}")
        if out["z"] is not None:
            print(f"z: {tuple(out['z'].shape)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
