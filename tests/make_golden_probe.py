#!/usr/bin/python3
"""Golden cases for model/probe/vita-metrics.c, computed with mir_eval (0.7) and numpy.

Writes tests/data/probe/: .lab chord files (text) and small .npy files.
Run with /usr/bin/python3 (Debian's numpy + mir_eval); the C tests never need Python.

Event times are rounded to float32 BEFORE mir_eval sees them, because the C test
reads them back from float32 .npy files: both sides then compare identical doubles.
"""
import os
import numpy as np
import mir_eval

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "probe")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20251125)


def save(name, arr):
    np.save(os.path.join(OUT, name), np.asarray(arr, dtype=np.float32))


# ---------------------------------------------------------------- chords (majmin)
# Labels drawn from a pool that exercises mir_eval's Harte encoding: maj/min/N,
# extended qualities that reduce to maj/min over the first 8 semitones (7, min7, maj7,
# 9), qualities that are out of gamut for the reference (dim, aug, sus4, X, maj/2),
# inversions, interval lists, omissions and enharmonic roots.
POOL = ["C:maj", "C:min", "N", "X", "G", "A:min", "Db:maj", "C#:min", "B#:maj",
        "Cb:min", "E:7", "E:min7", "F:maj7", "D:9", "B:dim", "Ab:aug", "G:sus4",
        "C:maj/3", "C:maj/2", "C:maj/b7", "A:min/b3", "C:(1,3,5)", "C:min(*b3)",
        "Bb:maj(9)", "F#:min", "Gb:maj", "E:maj(*5)", "D:sus2", "D:min6", "G:hdim7",
        "A", "Eb:min", "F:min(b6)", "C:5", "C:1"]


def random_segments(t0, t1, mean_len):
    bounds = [t0]
    while True:
        nxt = bounds[-1] + rng.exponential(mean_len) + 0.05
        if nxt >= t1:
            break
        bounds.append(round(nxt, 4))
    bounds.append(t1)
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def write_lab(path, segs, labels):
    with open(path, "w") as f:
        for (s, e), lab in zip(segs, labels):
            f.write("%r\t%r\t%s\n" % (s, e, lab))


chord_scores = []
n_chord_cases = 6
for k in range(n_chord_cases):
    ref_segs = random_segments(0.0, round(20 + 10 * rng.random(), 3), 2.0)
    ref_labels = list(rng.choice(POOL, size=len(ref_segs)))
    # estimated: its own segmentation, a different time range (tests the padding
    # with N / trimming of mir_eval.util.adjust_intervals), labels partly copied.
    t0 = [0.0, 0.7, 0.0, 1.3, 0.0, 0.25][k]
    t1 = ref_segs[-1][1] + [0.0, -2.0, 3.0, -0.5, 1.0, 0.0][k]
    est_segs = random_segments(t0, round(t1, 3), 1.5)
    est_labels = []
    for (s, e) in est_segs:
        mid = 0.5 * (s + e)
        ref_at = [lab for (rs, re_), lab in zip(ref_segs, ref_labels) if rs <= mid < re_]
        if ref_at and rng.random() < 0.6:
            est_labels.append(ref_at[0])
        else:
            est_labels.append(str(rng.choice(POOL)))
    write_lab(os.path.join(OUT, "chord_ref_%d.lab" % k), ref_segs, ref_labels)
    write_lab(os.path.join(OUT, "chord_est_%d.lab" % k), est_segs, est_labels)
    ri, rl = mir_eval.io.load_labeled_intervals(os.path.join(OUT, "chord_ref_%d.lab" % k))
    ei, el = mir_eval.io.load_labeled_intervals(os.path.join(OUT, "chord_est_%d.lab" % k))
    scores = mir_eval.chord.evaluate(ri, rl, ei, el)
    chord_scores.append(scores["majmin"])
save("chord_majmin.npy", chord_scores)

# ---------------------------------------------------------------- onsets
onset_cases = []  # (window,)
onset_expected = []
for k, window in enumerate([0.05, 0.05, 0.07, 0.02, 0.05, 0.05]):
    n = int(rng.integers(20, 80))
    ref = np.sort(rng.uniform(0, 30, n)).astype(np.float32)
    est = []
    for t in ref:
        if rng.random() < 0.8:  # detected, with jitter around the tolerance
            est.append(t + rng.normal(0, 0.04))
        if rng.random() < 0.15:  # double detection
            est.append(t + rng.uniform(-0.06, 0.06))
    est += list(rng.uniform(0, 30, int(rng.integers(0, 10))))  # false alarms
    est = np.sort(np.clip(np.array(est), 0, None)).astype(np.float32)
    if k == 4:
        est = est[:0]  # empty estimate: mir_eval returns 0
    if k == 5:
        # exact boundary cases: differences equal to the window in float arithmetic
        ref = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
        est = np.array([1.05, 1.95, 3.0499999, 4.06], np.float32)
    save("onset_ref_%d.npy" % k, ref)
    save("onset_est_%d.npy" % k, est)
    f, p, r = mir_eval.onset.f_measure(ref.astype(np.float64), est.astype(np.float64),
                                       window=window)
    onset_cases.append(window)
    onset_expected.append([window, p, r, f])
save("onset_expected.npy", onset_expected)

# ---------------------------------------------------------------- beats
beat_expected = []
for k in range(4):
    period = 60.0 / rng.uniform(70, 160)
    ref = np.arange(0.3, 30.0, period)
    est = ref + rng.normal(0, 0.05, len(ref))
    keep = rng.random(len(est)) < 0.85
    est = est[keep]
    if k == 1:
        est = est + period / 2  # off-beat: near zero
    if k == 2:
        est = np.arange(0.3, 30.0, period / 2)  # double tempo
    if k == 3:
        ref = ref[ref < 6.0]  # almost everything trimmed
    ref = np.sort(ref).astype(np.float32)
    est = np.sort(np.clip(est, 0, None)).astype(np.float32)
    save("beat_ref_%d.npy" % k, ref)
    save("beat_est_%d.npy" % k, est)
    r64, e64 = ref.astype(np.float64), est.astype(np.float64)
    f = mir_eval.beat.f_measure(mir_eval.beat.trim_beats(r64), mir_eval.beat.trim_beats(e64),
                                f_measure_threshold=0.07)
    beat_expected.append(f)
save("beat_expected.npy", beat_expected)

# ---------------------------------------------------------------- key
NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
keys = ["%s major" % n for n in NAMES] + ["%s minor" % n for n in NAMES] + ["X"]
key_matrix = np.zeros((25, 25))
for i, a in enumerate(keys):
    for j, b in enumerate(keys):
        key_matrix[i, j] = mir_eval.key.weighted_score(a, b)
save("key_weighted.npy", key_matrix)


# ---------------------------------------------------------------- tags: ROC-AUC, AP
def roc_auc(y, s):
    """Mann–Whitney U with average ranks for ties (= trapezoidal ROC area)."""
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    ss = s[order]
    i = 0
    while i < len(ss):
        j = i
        while j + 1 < len(ss) and ss[j + 1] == ss[i]:
            j += 1
        ranks[order[i:j + 1]] = 0.5 * (i + j) + 1
        i = j + 1
    npos = y.sum()
    nneg = len(y) - npos
    return (ranks[y == 1].sum() - npos * (npos + 1) / 2) / (npos * nneg)


def roc_auc_trapezoid(y, s):
    """Second, independent reference: area under the ROC polyline over distinct thresholds."""
    th = np.unique(s)[::-1]
    tpr = [0.0] + [((s >= t) & (y == 1)).sum() / y.sum() for t in th]
    fpr = [0.0] + [((s >= t) & (y == 0)).sum() / (y == 0).sum() for t in th]
    return np.trapz(tpr, fpr)


def average_precision(y, s):
    """sklearn.metrics.average_precision_score: sum_n (R_n - R_{n-1}) P_n over
    distinct thresholds, no interpolation."""
    th = np.unique(s)[::-1]
    ap, prev_r = 0.0, 0.0
    for t in th:
        sel = s >= t
        tp = (sel & (y == 1)).sum()
        p = tp / sel.sum()
        r = tp / y.sum()
        ap += (r - prev_r) * p
        prev_r = r
    return ap


n_clips, n_tags = 60, 5
labels = (rng.random((n_clips, n_tags)) < [0.5, 0.2, 0.1, 0.7, 0.3]).astype(np.float32)
scores = (labels * rng.uniform(0.2, 1.0, (n_clips, n_tags)) +
          rng.uniform(0, 0.7, (n_clips, n_tags)))
scores = np.round(scores, 1).astype(np.float32)  # many ties
scores[:, 2] = np.round(scores[:, 2] * 2) / 2     # heavy ties in one tag
tag_expected = []
for t in range(n_tags):
    y, s = labels[:, t], scores[:, t].astype(np.float64)
    a1, a2 = roc_auc(y, s), roc_auc_trapezoid(y, s)
    assert abs(a1 - a2) < 1e-12, (a1, a2)
    tag_expected.append([a1, average_precision(y, s)])
tag_expected = np.array(tag_expected)
save("tags_labels.npy", labels)
save("tags_scores.npy", scores)
save("tags_expected.npy", np.vstack([tag_expected, tag_expected.mean(0)]))
print("chord majmin:", np.round(chord_scores, 4))
print("onsets:", np.round(onset_expected, 4).tolist())
print("beats:", np.round(beat_expected, 4))
print("tags:", np.round(tag_expected, 4).tolist())
