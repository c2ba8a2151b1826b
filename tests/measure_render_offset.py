#!/usr/bin/python3
"""Measures the constant delay between annotated note-ons and the onsets fluidsynth
renders, on a folder written by `vitascope-cli make-dataset DIR --offset 0`.

Spectral flux on a fine hop (64 samples = 4 ms at 16 kHz), then the lag in ±60 ms
that maximises the summed flux at the annotated onsets (cross-correlation of the flux
with the annotation impulse train), per piece and overall.  numpy + wave only.
Usage: /usr/bin/python3 tests/measure_render_offset.py DIR
"""
import glob, sys, wave
import numpy as np

HOP, NFFT = 64, 512


def flux(path):
    w = wave.open(path)
    sr, ch = w.getframerate(), w.getnchannels()
    x = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
    x = x.reshape(-1, ch).mean(1)
    win = np.hanning(NFFT).astype(np.float32)
    n = 1 + (len(x) - NFFT) // HOP
    frames = np.lib.stride_tricks.as_strided(x, (n, NFFT), (4 * HOP, 4))
    mag = np.log1p(100 * np.abs(np.fft.rfft(frames * win, axis=1)))
    f = np.maximum(np.diff(mag, axis=0), 0).sum(1)
    # frame k+1's window centre minus the half-window: time of frame k+1's centre
    t = (np.arange(1, n) * HOP + NFFT / 2) / sr
    return t, f, sr


lags = np.arange(-60, 61) / 1000.0
total = np.zeros(len(lags))
per_piece = []
for wav in sorted(glob.glob(sys.argv[1] + "/*.wav")):
    t, f, sr = flux(wav)
    f = (f - f.mean()) / (f.std() + 1e-9)
    on = np.loadtxt(wav[:-4] + ".onsets.txt", ndmin=1)
    score = np.array([np.interp(on + lag, t, f).sum() for lag in lags])
    total += score
    per_piece.append(lags[np.argmax(score)])
best = lags[np.argmax(total)]
print("per-piece best lag (ms):", np.round(np.array(per_piece) * 1000, 1).tolist())
print("overall best lag: %.1f ms (median per piece %.1f ms)" % (best * 1000, np.median(per_piece) * 1000))
