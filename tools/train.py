#!/usr/bin/env python3
"""tools/train.py — train a Vitascope ViT-1D with NT-Xent in PyTorch (for users with GPUs).

Same model, same loss, same optimiser and the same file format as Vitascope's own C
trainer (shared/design/vit1d-format.md): the result loads in the app directly.

    python3 tools/train.py MUSIC_DIR --out model.safetensors [--config small-4l] [--steps N]
        [--batch 64] [--lr 5e-4] [--device cuda] [--resume ckpt.safetensors]

Multi-GPU: launch with torchrun; each process draws its own pairs (seed + rank) and
the gradients are averaged by DistributedDataParallel.  NT-Xent is computed per process
(negatives from the local batch), as in SimCLR without the all-gather.

Requires torch and torchaudio; nothing else (the safetensors writer is built in).
"""
import argparse
import hashlib
import json
import math
import os
import random
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # name: (dim, depth, heads, mlp_dim, frames, n_mels, proj_dim)
    "tiny": (192, 12, 3, 768, 126, 128, 128),
    "small-4l": (128, 4, 4, 512, 126, 128, 128),
    "test": (16, 2, 2, 32, 8, 16, 8),
}

FRONTEND = dict(sample_rate=16000, n_fft=1024, win_length=1024, hop_length=512, window="hann",
                center="true", pad_mode="reflect", power=2, f_min=0, f_max=8000, mel_scale="slaney",
                mel_norm="slaney", log_offset=1e-6)


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_dim):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(dim, 3 * dim)
        self.attn.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(dim, mlp_dim)
        self.mlp.fc2 = nn.Linear(mlp_dim, dim)

    def forward(self, x):
        B, N, D = x.shape
        hs = D // self.heads
        q, k, v = self.attn.qkv(self.norm1(x)).split(D, dim=-1)
        q, k, v = (t.view(B, N, self.heads, hs).transpose(1, 2) for t in (q, k, v))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hs), dim=-1)
        x = x + self.attn.proj((att @ v).transpose(1, 2).reshape(B, N, D))
        return x + self.mlp.fc2(F.gelu(self.mlp.fc1(self.norm2(x))))  # exact erf GELU


class ViT1D(nn.Module):
    """timm-named ViT-1D of vit1d-format.md: class token = param + mean of frame tokens."""

    def __init__(self, dim, depth, heads, mlp_dim, frames, n_mels, proj_dim):
        super().__init__()
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Linear(n_mels, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, frames + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Module()
        self.head.fc1 = nn.Linear(dim, dim)
        self.head.fc2 = nn.Linear(dim, proj_dim)
        # timm init: trunc_normal(.02) weights and positions, normal(1e-6) class token
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)
                nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.pos_embed, std=0.02, a=-0.04, b=0.04)
        nn.init.normal_(self.cls_token, std=1e-6)

    def forward(self, x):  # x: (B, T, M) normalised log-mel → z (B, P)
        p = self.patch_embed.proj(x)
        cls = self.cls_token + p.mean(dim=1, keepdim=True)
        h = torch.cat([cls, p], dim=1) + self.pos_embed
        for blk in self.blocks:
            h = blk(h)
        h = self.norm(h)
        return self.head.fc2(torch.relu(self.head.fc1(h[:, 0])))


NO_DECAY_SUFFIXES = (".bias", "norm1.weight", "norm2.weight", "norm.weight")


def no_decay(name):
    return name in ("cls_token", "pos_embed") or name.endswith(NO_DECAY_SUFFIXES)


def ntxent(z, tau):
    """SimCLR NT-Xent; rows 0..n-1 view a, n..2n-1 view b; returns loss, accuracy."""
    B = z.shape[0]
    zn = F.normalize(z, dim=1)
    logits = (zn @ zn.t() / tau).masked_fill(torch.eye(B, dtype=torch.bool, device=z.device), float("-inf"))
    labels = (torch.arange(B, device=z.device) + B // 2) % B
    return F.cross_entropy(logits, labels), (logits.argmax(1) == labels).float().mean()


def cosine_lr(step, lr, lr_min, warmup, total):
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * progress))


def cosine_wd(step, wd0, wd1, total):
    return wd1 + 0.5 * (wd0 - wd1) * (1 + math.cos(math.pi * min(1.0, step / max(1, total))))


def make_optimizer(model):
    decay = [p for n, p in model.named_parameters() if not no_decay(n)]
    nodecay = [p for n, p in model.named_parameters() if no_decay(n)]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.04},
                              {"params": nodecay, "weight_decay": 0.0}],
                             lr=5e-4, betas=(0.9, 0.98), eps=1e-8)


# ---------------------------------------------------------------------------------
# safetensors (F32), written atomically; same layout Vitascope reads and writes

def save_safetensors(path, tensors, metadata):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype("<f4"))
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    dt = {"F32": np.float32, "F16": np.float16}
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dt[info["dtype"]]).astype(np.float32)
                                     .reshape(info["shape"]).copy())
    return out, meta


def state_tensors(model):
    return {n: p for n, p in model.state_dict().items()}


def model_metadata(cfgname, args, mean, std, steps, pairs):
    dim, depth, heads, mlp, frames, n_mels, proj = PRESETS[cfgname]
    md = dict(format="vit1d", format_version=1, n_mels=n_mels, input_mean=repr(float(mean)),
              input_std=repr(float(std)), frames=frames, dim=dim, depth=depth, heads=heads, mlp_dim=mlp,
              norm_eps="1e-6", gelu="erf", cls_init="param+mean", pos="learned", proj_dim=proj,
              temperature=args.temperature, trained_steps=steps, trained_pairs=steps * pairs,
              train_data=os.path.basename(os.path.abspath(args.data)), created_by="vitascope tools/train.py (PyTorch %s)" % torch.__version__)
    md.update(FRONTEND)
    return md


# ---------------------------------------------------------------------------------
# data

AUDIO_EXTS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff")


def load_tracks(root, n_mels, min_frames):
    import torchaudio
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=1024, win_length=1024, hop_length=512,
                                               f_min=0.0, f_max=8000.0, n_mels=n_mels, power=2.0, center=True,
                                               pad_mode="reflect", norm="slaney", mel_scale="slaney")
    tracks = []
    for dirpath, _, files in sorted(os.walk(root)):
        for fn in sorted(files):
            if not fn.lower().endswith(AUDIO_EXTS):
                continue
            path = os.path.join(dirpath, fn)
            try:
                wav, sr = torchaudio.load(path)
            except Exception as e:  # unreadable files are skipped, never fatal
                print("skipping %s: %s" % (path, e), file=sys.stderr)
                continue
            wav = torchaudio.functional.resample(wav.mean(0, keepdim=True), sr, 16000)
            m = torch.log(mel(wav)[0].t() + 1e-6)  # (frames, n_mels)
            if m.shape[0] >= min_frames:
                tracks.append((os.path.relpath(path, root), m))
    return tracks


def fnv1a(s):
    """FNV-1a 64 + splitmix64 finaliser: the hold-out rule of Vitascope's C trainer."""
    m = 0xFFFFFFFFFFFFFFFF
    h = 0xcbf29ce484222325
    for c in s.encode():
        h = ((h ^ c) * 0x100000001b3) & m
    h = ((h ^ (h >> 30)) * 0xbf58476d1ce4e5b9) & m
    h = ((h ^ (h >> 27)) * 0x94d049bb133111eb) & m
    return h ^ (h >> 31)


def draw_batch(tracks, pairs, frames, gap_min, gap_max, rng, mean, std):
    fps = 16000 / 512
    a_views, b_views = [], []
    for _ in range(pairs):
        m = tracks[rng.randrange(len(tracks))][1]
        span = m.shape[0] - frames
        gmin, gmax = round(gap_min * fps), max(round(gap_min * fps), round(gap_max * fps))
        gap = rng.randint(gmin, min(gmax, span)) if span >= gmin else span
        s0 = rng.randint(0, span - gap)
        a, b = (s0, s0 + gap) if rng.random() < 0.5 else (s0 + gap, s0)
        a_views.append(m[a:a + frames])
        b_views.append(m[b:b + frames])
    return (torch.stack(a_views + b_views) - mean) / std


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--out", required=True, help="model file to write (.safetensors)")
    ap.add_argument("--config", default="small-4l", choices=sorted(PRESETS))
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=64, help="positive pairs per step and process")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--temperature", type=float, default=0.1)
    ap.add_argument("--gap-min", type=float, default=4.2)
    ap.add_argument("--gap-max", type=float, default=8.0)
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    rank = 0
    if distributed:
        torch.distributed.init_process_group("nccl" if args.device.startswith("cuda") else "gloo")
        rank = torch.distributed.get_rank()
        if args.device.startswith("cuda"):
            args.device = "cuda:%d" % int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dim, depth, heads, mlp, frames, n_mels, proj = PRESETS[args.config]
    tracks = load_tracks(args.data, n_mels, frames)
    threshold = int(args.val_fraction * 2 ** 64)
    train = [t for t in tracks if fnv1a(t[0]) >= threshold] or tracks
    allmel = torch.cat([t[1] for t in train])
    mean, std = allmel.mean().item(), allmel.std(unbiased=False).item()
    model = ViT1D(dim, depth, heads, mlp, frames, n_mels, proj).to(args.device)
    net = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    opt = make_optimizer(model)
    rng = random.Random(args.seed + 1000 * rank)
    warmup = min(200, max(1, args.steps // 10))
    for step in range(args.steps):
        lr = cosine_lr(step, args.lr, 1e-6, warmup, args.steps)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.param_groups[0]["weight_decay"] = cosine_wd(step, 0.04, 0.01, args.steps)
        x = draw_batch(train, args.batch, frames, args.gap_min, args.gap_max, rng, mean, std).to(args.device)
        loss, acc = ntxent(net(x), args.temperature)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 3.0)
        opt.step()
        if rank == 0 and (step % 10 == 0 or step == args.steps - 1):
            print("step %d/%d loss %.4f acc %.3f lr %.2e" % (step + 1, args.steps, loss.item(), acc.item(), lr),
                  file=sys.stderr)
    if rank == 0:
        save_safetensors(args.out, state_tensors(model),
                         model_metadata(args.config, args, mean, std, args.steps, args.batch))
        print("wrote", args.out, file=sys.stderr)


if __name__ == "__main__":
    main()
