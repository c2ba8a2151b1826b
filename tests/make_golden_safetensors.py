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

Run: /usr/bin/python3 tests/make_golden_safetensors.py   (writes tests/data/safetensors/)
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "safetensors")

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
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in order:
            f.write(tensors[name][2])


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


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)
    mixed_dtypes(rng)
    vit_files(rng)
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == "__main__":
    main()
