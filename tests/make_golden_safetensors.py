#!/usr/bin/python3
"""Writes small safetensors files laid out exactly as safetensors.torch.save_file
(safetensors 0.4, Rust `serialize`) does, for tests/model/test-safetensors.c and
test-vit-io.c.  The `safetensors` package is not installed here, so the container is
written with struct + json + numpy, following the crate's rules:

  * u64 little-endian header length N, then N bytes of compact JSON
    (separators ",", ":"), "__metadata__" first, then the tensors;
  * tensors ordered by dtype (descending in the crate's Dtype enum: F32 > BF16 > F16),
    then by name; data_offsets relative to the data section, contiguous;
  * the header padded with spaces so that 8 + N is a multiple of 8.

BF16 is rounded to nearest-even from float32, as torch's .to(torch.bfloat16) does.

It also writes the seed corpus of the fuzz target, tests/fuzz/corpus-safetensors/
(named by the verdict the replay test expects: valid-model-*, valid-container-*,
bad-model-*, bad-*; see tests/fuzz/fuzz-safetensors.c).

Run: /usr/bin/python3 tests/make_golden_safetensors.py
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "safetensors")
CORPUS = os.path.join(HERE, "fuzz", "corpus-safetensors")

# Rust Dtype enum order (safetensors/src/tensor.rs); the crate sorts descending.
DTYPE_RANK = {"BOOL": 0, "U8": 1, "I8": 2, "F8_E5M2": 3, "F8_E4M3": 4, "I16": 5,
              "U16": 6, "F16": 7, "BF16": 8, "I32": 9, "U32": 10, "F32": 11,
              "F64": 12, "I64": 13, "U64": 14}


def bf16_bits(x):
    """float32 array -> uint16 bfloat16 bits, round to nearest even."""
    b = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def save_file(tensors, path, metadata=None):
    """tensors: name -> (dtype string, shape tuple, raw little-endian bytes)."""
    with open(path, "wb") as f:
        f.write(serialize(tensors, metadata))


def serialize(tensors, metadata=None):
    order = sorted(tensors, key=lambda n: (-DTYPE_RANK[tensors[n][0]], n))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name in order:
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(tensors[n][2] for n in order)


def f32(x):
    x = np.ascontiguousarray(x, dtype="<f4")
    return ("F32", x.shape, x.tobytes())


def f16(x):
    x = np.ascontiguousarray(x, dtype="<f2")
    return ("F16", x.shape, x.tobytes())


def bf16(x):
    bits = bf16_bits(x)
    return ("BF16", bits.shape, bits.astype("<u2").tobytes())


def mixed_dtypes(rng):
    x = rng.standard_normal((2, 3, 5)).astype(np.float32) * 3
    x[0, 0, 0] = 6.0e-8      # F16 subnormal
    x[0, 0, 1] = 65504.0     # F16 max
    x[0, 0, 2] = -0.0
    y = rng.standard_normal((4, 4)).astype(np.float32)
    y[0, 0] = 1e-40          # float32 subnormal
    z = rng.standard_normal((17,)).astype(np.float32) * 100
    tensors = {
        "x_f16": f16(x),
        "x_f16_as_f32": f32(x.astype(np.float16).astype(np.float32)),
        "x_bf16": bf16(z),
        "x_bf16_as_f32": f32(bf16_to_f32(bf16_bits(z))),
        "y_f32": f32(y),
    }
    save_file(tensors, os.path.join(OUT, "mixed-dtypes.safetensors"),
              {"written_by": "tests/make_golden_safetensors.py"})


# The "test" preset of model/vita-vit-params.c, with every metadata key of
# shared/design/vit1d-format.md, as a PyTorch user would write them with str().
TEST_CFG = dict(dim=16, depth=2, heads=2, mlp_dim=32, frames=8, n_mels=16, proj_dim=8)


def vit_metadata(cfg):
    return {
        "format": "vit1d", "format_version": "1",
        "sample_rate": "16000", "n_fft": "1024", "win_length": "1024", "hop_length": "512",
        "window": "hann", "center": "true", "pad_mode": "reflect", "power": "2.0",
        "n_mels": str(cfg["n_mels"]), "f_min": "0.0", "f_max": "8000.0",
        "mel_scale": "slaney", "mel_norm": "slaney", "log_offset": "1e-06",
        "input_mean": "-4.25", "input_std": "2.5",
        "frames": str(cfg["frames"]), "dim": str(cfg["dim"]), "depth": str(cfg["depth"]),
        "heads": str(cfg["heads"]), "mlp_dim": str(cfg["mlp_dim"]), "norm_eps": "1e-06",
        "gelu": "erf", "cls_init": "param+mean", "pos": "learned",
        "proj_dim": str(cfg["proj_dim"]), "temperature": "0.1",
        "trained_steps": "0", "trained_pairs": "0",
        "train_data": "none: golden file of tests/make_golden_safetensors.py",
        "created_by": "tests/make_golden_safetensors.py (numpy)",
    }


def vit_state_dict(cfg, rng):
    D, L, H4, T, M, P = (cfg[k] for k in ("dim", "depth", "mlp_dim", "frames", "n_mels", "proj_dim"))

    def w(*shape):
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    def b(*shape):
        return (rng.standard_normal(shape) * 0.01).astype(np.float32)

    sd = {
        "patch_embed.proj.weight": w(D, M), "patch_embed.proj.bias": b(D),
        "cls_token": w(1, 1, D), "pos_embed": w(1, T + 1, D),
        "norm.weight": 1 + b(D), "norm.bias": b(D),
        "head.fc1.weight": w(D, D), "head.fc1.bias": b(D),
        "head.fc2.weight": w(P, D), "head.fc2.bias": b(P),
    }
    for i in range(L):
        p = f"blocks.{i}."
        sd.update({
            p + "norm1.weight": 1 + b(D), p + "norm1.bias": b(D),
            p + "attn.qkv.weight": w(3 * D, D), p + "attn.qkv.bias": b(3 * D),
            p + "attn.proj.weight": w(D, D), p + "attn.proj.bias": b(D),
            p + "norm2.weight": 1 + b(D), p + "norm2.bias": b(D),
            p + "mlp.fc1.weight": w(H4, D), p + "mlp.fc1.bias": b(H4),
            p + "mlp.fc2.weight": w(D, H4), p + "mlp.fc2.bias": b(D),
        })
    return sd


def vit_files(rng):
    sd = vit_state_dict(TEST_CFG, rng)
    meta = vit_metadata(TEST_CFG)
    # Half precision for some tensors (as model.half() / .bfloat16() would store
    # them); the F32 file holds the same values widened, so both must load equal.
    as_f16 = {"patch_embed.proj.weight", "blocks.0.attn.qkv.weight", "blocks.1.mlp.fc2.weight"}
    as_bf16 = {"pos_embed", "blocks.0.mlp.fc1.weight", "head.fc2.weight", "norm.bias"}
    mixed, plain = {}, {}
    for name, x in sd.items():
        if name in as_f16:
            mixed[name] = f16(x)
            plain[name] = f32(x.astype(np.float16).astype(np.float32))
        elif name in as_bf16:
            mixed[name] = bf16(x)
            plain[name] = f32(bf16_to_f32(bf16_bits(x)))
        else:
            mixed[name] = f32(x)
            plain[name] = f32(x)
    save_file(mixed, os.path.join(OUT, "vit-test-mixed.safetensors"), meta)
    save_file(plain, os.path.join(OUT, "vit-test-f32.safetensors"), meta)


# A very small model for the fuzz corpus (a few KB per file).
MICRO_CFG = dict(dim=4, depth=1, heads=2, mlp_dim=8, frames=2, n_mels=4, proj_dim=2)


def raw(header_bytes, data=b"", n=None):
    """A container from a literal header (n overrides the length field)."""
    return struct.pack("<Q", len(header_bytes) if n is None else n) + header_bytes + data


def corpus(rng):
    os.makedirs(CORPUS, exist_ok=True)
    for f in os.listdir(CORPUS):
        if f.startswith(("valid-", "bad-")):
            os.remove(os.path.join(CORPUS, f))

    def put(name, blob):
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(blob)

    sd = vit_state_dict(MICRO_CFG, rng)
    meta = vit_metadata(MICRO_CFG)
    meta["train_data"] = "fuzz seed"
    f32_sd = {k: f32(v) for k, v in sd.items()}
    good = serialize(f32_sd, meta)
    put("valid-model-micro.safetensors", good)
    mixed = dict(f32_sd)
    mixed["patch_embed.proj.weight"] = f16(sd["patch_embed.proj.weight"])
    mixed["blocks.0.mlp.fc1.weight"] = bf16(sd["blocks.0.mlp.fc1.weight"])
    put("valid-model-micro-f16-bf16.safetensors", serialize(mixed, meta))
    nohead = {k: v for k, v in f32_sd.items() if not k.startswith("head.")}
    put("valid-model-micro-nohead.safetensors", serialize(nohead, meta))
    put("valid-container-mixed-dtypes.safetensors",
        open(os.path.join(OUT, "mixed-dtypes.safetensors"), "rb").read())
    put("valid-container-empty.safetensors", raw(b"{}      "))

    # refused as models
    def model_variant(name, tensors=None, **meta_changes):
        m = dict(meta)
        for k, v in meta_changes.items():
            if v is None:
                m.pop(k, None)
            else:
                m[k] = v
        put(name, serialize(tensors if tensors is not None else f32_sd, m))

    model_variant("bad-model-rope.safetensors", pos="rope")
    model_variant("bad-model-heads.safetensors", heads="3")
    model_variant("bad-model-dim-12abc.safetensors", dim="12abc")
    model_variant("bad-model-frames-0.safetensors", frames="0")
    model_variant("bad-model-no-depth.safetensors", depth=None)
    model_variant("bad-model-missing-tensor.safetensors",
                  {k: v for k, v in f32_sd.items() if k != "blocks.0.mlp.fc2.bias"})
    gated = dict(f32_sd)
    gated["blocks.0.mlp.fc3.weight"] = f32(sd["blocks.0.mlp.fc1.weight"])
    model_variant("bad-model-gated-mlp.safetensors", gated)
    model_variant("bad-model-rmsnorm.safetensors",
                  {k: v for k, v in f32_sd.items() if k != "blocks.0.norm1.bias"})
    nan = dict(f32_sd)
    x = sd["pos_embed"].copy()
    x[0, 1, 2] = np.nan
    nan["pos_embed"] = f32(x)
    model_variant("bad-model-nan.safetensors", nan)
    shape = dict(f32_sd)
    shape["cls_token"] = f32(sd["cls_token"].reshape(4))
    model_variant("bad-model-shape.safetensors", shape)

    # refused as containers (reliability.md 1-5)
    t = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
    d8 = struct.pack("<2f", 1.5, -2.0)
    put("bad-empty", b"")
    put("bad-short", b"\x05\x00\x00")
    put("bad-header-past-end", raw(t, d8, n=4096))
    put("bad-header-huge", raw(t, d8, n=2**63 + 5))
    put("bad-not-utf8", raw(b'{"\xff":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', d8))
    put("bad-not-json", raw(b'{"w" {"dtype":"F32"}}', d8))
    put("bad-not-object", raw(b'[1,2,3]'))
    put("bad-duplicate-name", raw(t[:-1] + b',' + t[1:], d8 + d8))
    put("bad-duplicate-metadata", raw(b'{"__metadata__":{"a":"1","a":"2"}}'))
    put("bad-metadata-number", raw(b'{"__metadata__":{"dim":4}}'))
    put("bad-dtype", raw(t.replace(b"F32", b"F31"), d8))
    put("bad-shape-negative", raw(t.replace(b"[2]", b"[-2]"), d8))
    put("bad-shape-wraps", raw(b'{"w":{"dtype":"F32","shape":[4294967296,4294967296],'
                               b'"data_offsets":[0,0]}}'))
    put("bad-offsets-three", raw(t.replace(b"[0,8]", b"[0,8,8]"), d8))
    put("bad-offsets-reversed", raw(t.replace(b"[0,8]", b"[8,0]"), d8))
    put("bad-offsets-length", raw(t.replace(b"[0,8]", b"[0,4]"), d8))
    put("bad-offsets-overlap", raw(b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                                   b'"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
                                   d8 + d8[:4]))
    put("bad-offsets-gap", raw(t.replace(b"[0,8]", b"[4,12]"), d8 + d8[:4]))
    put("bad-trailing-bytes", raw(t, d8 + b"\x00"))
    put("bad-truncated-model.safetensors", good[: len(good) - 7])


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)
    mixed_dtypes(rng)
    vit_files(rng)
    corpus(rng)
    for d in (OUT, CORPUS):
        total = 0
        for f in sorted(os.listdir(d)):
            total += os.path.getsize(os.path.join(d, f))
        print(d, len(os.listdir(d)), "files,", total, "bytes")


if __name__ == "__main__":
    main()
