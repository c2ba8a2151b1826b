#!/usr/bin/python3
"""Golden data for model/vita-derived.c's linear CKA (run with Debian's /usr/bin/python3
and python3-numpy).  Writes tests/data/cka_*.npy (float32, a few kB).

    /usr/bin/python3 tests/make_golden_cka.py

Reference: Kornblith, Norouzi, Lee & Hinton (2019), "Similarity of neural network
representations revisited", linear CKA in its feature-space form (their eq. 5 with
linear kernels), in float64 from exactly the stored float32 inputs:

    Xc = X - X.mean(0);  CKA(X, Y) = |Yc^T Xc|_F^2 / (|Xc^T Xc|_F |Yc^T Yc|_F)

Two cases, so that both branches of vita_cka_forward are checked: more frames than
features (d x d cross-covariances) and fewer (n x n Gram matrices).  The layers are
related (each is a noisy linear map of the previous one, with an offset the
centring must remove) so the matrix is far from the identity.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def cka(x, y):
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    num = np.linalg.norm(y.T @ x, "fro") ** 2
    den = np.linalg.norm(x.T @ x, "fro") * np.linalg.norm(y.T @ y, "fro")
    return num / den


def case(name, layers, n, d, seed):
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal((n, d))]
    for _ in range(layers - 1):
        w = rng.standard_normal((d, d)) / np.sqrt(d)
        xs.append(np.tanh(xs[-1] @ w) + 0.3 * rng.standard_normal((n, d)) + rng.standard_normal(d))
    x = np.stack(xs).astype(np.float32)
    x64 = x.astype(np.float64)
    ref = np.array([[cka(x64[a], x64[b]) for b in range(layers)] for a in range(layers)])
    np.save(os.path.join(HERE, "data", f"cka_{name}_x.npy"), x)
    np.save(os.path.join(HERE, "data", f"cka_{name}_ref.npy"), ref.astype(np.float32))
    print(name, x.shape, "\n", np.round(ref, 4))


case("tall", 5, 60, 12, 1)    # n > d: cross-covariances
case("wide", 4, 9, 20, 2)     # n < d: Gram matrices
