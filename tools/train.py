#!/usr/bin/env python3
"""tools/train.py — train a Vitascope ViT-1D with NT-Xent in PyTorch (for users with GPUs).

Same model, same loss, same optimiser and the same file format as Vitascope's own C
trainer (shared/design/vit1d-format.md): the result loads in the app directly.

    /usr/bin/python3 tools/train.py MUSIC_DIR --out model.safetensors [--config small-4l]
        [--steps N] [--batch 64] [--lr 5e-4] [--device cuda] [--nproc N]
        [--checkpoint CKPT --save-every 100] [--resume CKPT] [--stop-after S]

Checkpoints: every --save-every steps and at the end, CKPT (default OUT.ckpt.safetensors)
is written atomically with the weights, AdamW's moments, the step and the input
statistics.  --resume CKPT continues from it: the pairs of step s are drawn from a
generator seeded with (seed, rank, s), so a resumed run equals an uninterrupted one.

Several processes (CPU with gloo, or one GPU each with NCCL): --nproc N starts N ranks
of this script itself with WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR and MASTER_PORT set
(torch.distributed's env:// rendezvous) and waits for them; if one fails the others are
stopped.  This replaces torchrun, whose entry point from Debian 12's python3-torch does
not start on Python 3.11.  Launching each rank by hand with those variables works too:

    WORLD_SIZE=2 RANK=0 LOCAL_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 \
        /usr/bin/python3 tools/train.py DATA --out m.safetensors &
    WORLD_SIZE=2 RANK=1 LOCAL_RANK=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 \
        /usr/bin/python3 tools/train.py DATA --out m.safetensors

Each process draws its own pairs and DistributedDataParallel averages the gradients;
NT-Xent is computed per process (negatives from the local batch), as in SimCLR without
the all-gather.  Rank 0 writes the model and the checkpoints.
tests/train/test-train-py.sh runs a two-process CPU (gloo) smoke test.

MUSIC_DIR holds audio files (read with torchaudio) and/or *.logmel.npy arrays
(frames × n_mels, natural-log mel power as computed here), which need only numpy.

Requires torch (and torchaudio for audio files); the safetensors writer is built in.
"""
import argparse
import hashlib
import json
import math
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

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
    mel = None
    tracks = []
    for dirpath, _, files in sorted(os.walk(root)):
        for fn in sorted(files):
            path = os.path.join(dirpath, fn)
            if fn.endswith(".logmel.npy"):
                try:
                    m = torch.from_numpy(np.load(path).astype(np.float32))
                except Exception as e:
                    print("skipping %s: %s" % (path, e), file=sys.stderr)
                    continue
                if m.ndim != 2 or m.shape[1] != n_mels or not torch.isfinite(m).all():
                    print("skipping %s: expected a finite (frames, %d) array" % (path, n_mels), file=sys.stderr)
                    continue
                if m.shape[0] >= min_frames:
                    tracks.append((os.path.relpath(path, root), m))
                continue
            if not fn.lower().endswith(AUDIO_EXTS):
                continue
            if mel is None:
                import torchaudio
                mel = torchaudio.transforms.MelSpectrogram(
                    sample_rate=16000, n_fft=1024, win_length=1024, hop_length=512, f_min=0.0, f_max=8000.0,
                    n_mels=n_mels, power=2.0, center=True, pad_mode="reflect", norm="slaney", mel_scale="slaney")
            try:
                import torchaudio
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


def step_rng(seed, rank, step):
    """The pairs of one step: the same on a resumed run as on an uninterrupted one."""
    return random.Random((seed * 1000003 + rank) * 1000003 + step)


def save_checkpoint(path, model, opt, step, mean, std, args):
    tensors = {"model." + n: p for n, p in state_tensors(model).items()}
    names = dict(model.named_parameters())
    index = {id(p): n for n, p in names.items()}
    for group in opt.param_groups:
        for p in group["params"]:
            st = opt.state.get(p)
            if st:
                tensors["adam_m." + index[id(p)]] = st["exp_avg"]
                tensors["adam_v." + index[id(p)]] = st["exp_avg_sq"]
                adam_step = float(st["step"])
    meta = dict(format="vit1d-train-checkpoint", step=step, input_mean=repr(mean), input_std=repr(std),
                config=args.config, seed=args.seed, steps=args.steps, batch=args.batch, lr=repr(args.lr))
    if step > 0:
        meta["adam_step"] = repr(adam_step)
    save_safetensors(path, tensors, meta)


def load_checkpoint(path, model, opt, args):
    tensors, meta = load_safetensors(path)
    if meta.get("format") != "vit1d-train-checkpoint":
        raise SystemExit("%s: not a tools/train.py checkpoint (format=%s)" % (path, meta.get("format")))
    if meta.get("config") != args.config:
        raise SystemExit("%s: checkpoint of config %s, this run is %s" % (path, meta.get("config"), args.config))
    model.load_state_dict({n[6:]: t for n, t in tensors.items() if n.startswith("model.")})
    step = int(meta["step"])
    if step > 0:
        for n, p in model.named_parameters():
            opt.state[p] = {"step": torch.tensor(float(meta["adam_step"])),
                            "exp_avg": tensors["adam_m." + n].to(p.device),
                            "exp_avg_sq": tensors["adam_v." + n].to(p.device)}
    return step, float(meta["input_mean"]), float(meta["input_std"])


def launch(nproc, argv):
    """Starts nproc ranks of this script (env:// rendezvous on a free local port)."""
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        port = so.getsockname()[1]
    procs = []
    for rank in range(nproc):
        env = dict(os.environ, WORLD_SIZE=str(nproc), RANK=str(rank), LOCAL_RANK=str(rank),
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        procs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__)] + argv, env=env))
    status = 0
    while procs:
        for p in list(procs):
            rc = p.poll()
            if rc is None:
                continue
            procs.remove(p)
            if rc != 0 and status == 0:
                status = rc
                print("train.py: a rank exited with status %d; stopping the others" % rc, file=sys.stderr)
                for q in procs:
                    q.send_signal(signal.SIGTERM)
        time.sleep(0.05)
    return status


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
    ap.add_argument("--nproc", type=int, default=1,
                    help="start this many processes (ranks) of this script; see the module docstring")
    ap.add_argument("--checkpoint", help="checkpoint file (default OUT.ckpt.safetensors)")
    ap.add_argument("--save-every", type=int, default=100, help="checkpoint every N steps (0: only at the end)")
    ap.add_argument("--resume", help="continue from this checkpoint")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="write the checkpoint after this step and stop (a time-limited job); "
                         "the schedule stays that of --steps")
    args = ap.parse_args()
    if args.nproc > 1 and "WORLD_SIZE" not in os.environ:
        argv = sys.argv[1:]
        i = argv.index("--nproc") if "--nproc" in argv else None
        argv = argv[:i] + argv[i + 2:] if i is not None else [a for a in argv if not a.startswith("--nproc=")]
        sys.exit(launch(args.nproc, argv))
    ckpt_path = args.checkpoint or (os.path.splitext(args.out)[0] + ".ckpt.safetensors")

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    rank = 0
    if distributed:
        torch.distributed.init_process_group("nccl" if args.device.startswith("cuda") else "gloo")
        rank = torch.distributed.get_rank()
        if rank == 0:
            print("distributed: world size %d (%s)" % (torch.distributed.get_world_size(),
                                                        torch.distributed.get_backend()), file=sys.stderr)
        if args.device.startswith("cuda"):
            args.device = "cuda:%d" % int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dim, depth, heads, mlp, frames, n_mels, proj = PRESETS[args.config]
    tracks = load_tracks(args.data, n_mels, frames)
    if not tracks:
        raise SystemExit("%s: no audio file or .logmel.npy array of at least %d frames" % (args.data, frames))
    threshold = int(args.val_fraction * 2 ** 64)
    train = [t for t in tracks if fnv1a(t[0]) >= threshold] or tracks
    allmel = torch.cat([t[1] for t in train])
    mean, std = allmel.mean().item(), allmel.std(unbiased=False).item()
    model = ViT1D(dim, depth, heads, mlp, frames, n_mels, proj)
    opt = make_optimizer(model)
    start = 0
    if args.resume:
        start, mean, std = load_checkpoint(args.resume, model, opt, args)
        if rank == 0:
            print("resumed from %s at step %d" % (args.resume, start), file=sys.stderr)
    model.to(args.device)
    for st in opt.state.values():
        for k in ("exp_avg", "exp_avg_sq"):
            st[k] = st[k].to(args.device)
    net = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    warmup = min(200, max(1, args.steps // 10))
    for step in range(start, args.steps):
        rng = step_rng(args.seed, rank, step)
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
        if rank == 0 and args.save_every > 0 and (step + 1) % args.save_every == 0 and step + 1 < args.steps:
            save_checkpoint(ckpt_path, model, opt, step + 1, mean, std, args)
        if args.stop_after and step + 1 == args.stop_after and step + 1 < args.steps:
            if rank == 0:
                save_checkpoint(ckpt_path, model, opt, step + 1, mean, std, args)
                print("stopped after step %d; continue with --resume %s" % (step + 1, ckpt_path),
                      file=sys.stderr)
            if distributed:
                torch.distributed.destroy_process_group()
            return
    if rank == 0:
        save_checkpoint(ckpt_path, model, opt, args.steps, mean, std, args)
        save_safetensors(args.out, state_tensors(model),
                         model_metadata(args.config, args, mean, std, args.steps, args.batch))
        print("wrote", args.out, "and", ckpt_path, file=sys.stderr)
    if distributed:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
