#!/usr/bin/python3
"""Golden data for tests/dsp (run with Debian's /usr/bin/python3: torch 1.13,
torchaudio 0.13.1, numpy 1.24).  Writes small float32 .npy files to tests/data/dsp_*.npy.

    /usr/bin/python3 tests/make_golden_dsp.py

Every reference is computed in float64 (torch.set_default_dtype(torch.float64)):
the C front-end runs its FFT in double to meet 1e-4 on the log-mel, and the
reference must be at least that exact (a float32 torch.stft has log errors of
1e-3 in quiet bins of loud frames).  The inputs are stored as float32 and the
references computed from exactly those float32 values.

References:
  log-mel      torchaudio.transforms.MelSpectrogram(..., mel_scale="slaney", norm="slaney",
               center=True, pad_mode="reflect") → log(x + log_offset) → (x - mean) / std
  resample     torchaudio.functional.resample (sinc_interpolation, width 6, rolloff 0.99)
  onset flux   numpy, the definition in dsp/vita-features.c (Böck et al. 2012, λ = 1)
  peak pick    numpy port of the loop in dsp/vita-features.c (librosa.util.peak_pick semantics)
  chroma       numpy port of librosa.filters.chroma + chroma_stft(norm=inf), tuning 0
               (python3-librosa is not packaged in Debian 12)
  MFCC         torchaudio.transforms.MFCC(n_mfcc=20, dct_type=2, norm="ortho", log_mels=False)
  SSM          numpy cosine similarity
"""
import math
import os

import numpy as np
import torch
import torchaudio

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")
MUSIC = "/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg"


def save(name, a):
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float32))
    path = os.path.join(OUT, name)
    np.save(path, a)
    print(f"{name:34s} {str(a.shape):16s} {os.path.getsize(path):7d} bytes")


def f32(x):
    """Round to float32 (what the C side stores) and back to float64."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def logmel_ref(pcm, sr=16000, n_fft=1024, win=1024, hop=512, n_mels=128, f_min=0.0,
               f_max=8000.0, power=2.0, log_offset=1e-6, mean=0.0, std=1.0):
    ms = torchaudio.transforms.MelSpectrogram(
        sample_rate=sr, n_fft=n_fft, win_length=win, hop_length=hop, f_min=f_min,
        f_max=f_max, n_mels=n_mels, power=power, center=True, pad_mode="reflect",
        mel_scale="slaney", norm="slaney")
    x = torch.from_numpy(f32(pcm))
    mel = ms(x)                                   # (n_mels, T)
    out = (torch.log(mel + log_offset) - mean) / std
    return out.T.numpy(), mel.T.numpy()


def power_ref(pcm, n_fft=1024, hop=512):
    x = torch.from_numpy(f32(pcm))
    X = torch.stft(x, n_fft, hop_length=hop, win_length=n_fft,
                   window=torch.hann_window(n_fft, periodic=True), center=True,
                   pad_mode="reflect", return_complex=True)
    return (X.abs() ** 2).T.numpy()               # (T, n_bins)


def onset_flux_ref(power):
    L = np.log1p(np.sqrt(np.maximum(power, 0)))
    out = np.zeros(power.shape[0])
    out[1:] = np.maximum(L[1:] - L[:-1], 0).sum(axis=1)
    return out


def peak_pick_ref(x, pre_max, post_max, pre_avg, post_avg, delta, wait):
    peaks, last, n = [], None, len(x)
    for i in range(n):
        if last is not None and i <= last + wait:
            continue
        mx = x[max(0, i - pre_max):min(i + post_max, n)].max()
        if x[i] != mx:
            continue
        avg = np.mean(x[max(0, i - pre_avg):min(i + post_avg, n)].astype(np.float64))
        if float(x[i]) >= avg + delta:
            peaks.append(i)
            last = i
    return np.array(peaks, dtype=np.float32)


def chroma_fb_ref(sr, n_fft, n_chroma=12, tuning=0.0, ctroct=5.0, octwidth=2, base_c=True):
    """librosa.filters.chroma (0.10), ported line by line (norm=2)."""
    frequencies = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    A440 = 440.0 * 2.0 ** (tuning / n_chroma)
    frqbins = n_chroma * np.log2(frequencies / (A440 / 16))
    frqbins = np.concatenate(([frqbins[0] - 1.5 * n_chroma], frqbins))
    binwidthbins = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    D = np.subtract.outer(frqbins, np.arange(0, n_chroma, dtype="d")).T
    n_chroma2 = np.round(float(n_chroma) / 2)
    D = np.remainder(D + n_chroma2 + 10 * n_chroma, n_chroma) - n_chroma2
    wts = np.exp(-0.5 * (2 * D / np.tile(binwidthbins, (n_chroma, 1))) ** 2)
    length = np.sqrt((wts ** 2).sum(axis=0, keepdims=True))
    length[length < np.finfo(wts.dtype).tiny] = 1.0
    wts = wts / length
    if octwidth is not None:
        wts *= np.tile(np.exp(-0.5 * (((frqbins / n_chroma - ctroct) / octwidth) ** 2)), (n_chroma, 1))
    if base_c:
        wts = np.roll(wts, -3 * (n_chroma // 12), axis=0)
    return np.ascontiguousarray(wts[:, : int(1 + n_fft / 2)])


def chroma_ref(fb, power):
    c = power @ fb.T                               # (T, 12)
    mx = np.abs(c).max(axis=1, keepdims=True)
    mx[mx < np.finfo(np.float64).tiny] = 1.0
    return c / mx


def mfcc_ref(pcm, n_mfcc=20):
    t = torchaudio.transforms.MFCC(
        sample_rate=16000, n_mfcc=n_mfcc, dct_type=2, norm="ortho", log_mels=False,
        melkwargs=dict(n_fft=1024, win_length=1024, hop_length=512, f_min=0.0, f_max=8000.0,
                       n_mels=128, power=2.0, center=True, pad_mode="reflect",
                       mel_scale="slaney", norm="slaney"))
    return t(torch.from_numpy(f32(pcm))).T.numpy()


def ssm_ref(x):
    x = x.astype(np.float64)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    xn = np.where(n > 0, x / np.where(n > 0, n, 1), 0)
    return np.clip(xn @ xn.T, -1, 1)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)
    sr = 16000

    # --- real music: 2.5 s of a Wesnoth track, decoded by torchaudio (sox), mono, resampled
    w, src_sr = torchaudio.load(MUSIC, frame_offset=44100 * 40, num_frames=int(44100 * 2.6))
    mono = w.to(torch.float64).mean(0)
    music = torchaudio.functional.resample(mono, src_sr, sr).numpy()[: int(sr * 2.5)]
    music = f32(music)
    save("dsp_music_pcm.npy", music)
    lm, melp = logmel_ref(music)
    save("dsp_music_logmel.npy", lm)
    save("dsp_music_logmel_norm.npy", logmel_ref(music, mean=-4.5, std=3.25)[0])

    # --- resampling: 0.5 s of the same track at 44.1 kHz, and synthetic at other rates
    res_in = f32(mono.numpy()[: 22050])
    save("dsp_resample_44100_in.npy", res_in)
    save("dsp_resample_44100_16000.npy",
         torchaudio.functional.resample(torch.from_numpy(res_in), 44100, 16000).numpy())
    t = np.arange(4800) / 48000
    s48 = f32(0.5 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 7000 * t * (1 + t))
              + 0.1 * rng.standard_normal(t.size))
    save("dsp_resample_48000_in.npy", s48)
    save("dsp_resample_48000_16000.npy",
         torchaudio.functional.resample(torch.from_numpy(s48), 48000, 16000).numpy())
    t = np.arange(2205) / 22050
    s22 = f32(0.6 * np.sin(2 * np.pi * 1000 * t) + 0.2 * rng.standard_normal(t.size))
    save("dsp_resample_22050_in.npy", s22)
    save("dsp_resample_22050_16000.npy",
         torchaudio.functional.resample(torch.from_numpy(s22), 22050, 16000).numpy())
    t = np.arange(800) / 8000
    s8 = f32(0.7 * np.sin(2 * np.pi * 300 * t) + 0.2 * np.sin(2 * np.pi * 3500 * t))
    save("dsp_resample_8000_in.npy", s8)
    save("dsp_resample_8000_16000.npy",
         torchaudio.functional.resample(torch.from_numpy(s8), 8000, 16000).numpy())

    # --- synthetic signals at 16 kHz
    t = np.arange(sr) / sr
    chirp = f32(0.8 * np.sin(2 * np.pi * (50 * t + (7900 - 50) / 2 * t ** 2)))
    clicks = np.zeros(sr)
    clicks[::1600] = 1.0
    clicks[800::1600] = -0.5
    noise = f32(0.3 * rng.standard_normal(sr))
    square = f32(np.where(np.sin(2 * np.pi * 441 * t) >= 0, 1.0, -1.0))
    signals = {
        "chirp": chirp, "clicks": f32(clicks), "noise": noise, "silence": np.zeros(8000),
        "square": square,
        "short": f32(0.5 * np.sin(2 * np.pi * 1000 * np.arange(160) / sr)),   # 10 ms < n_fft/2
        "tiny": f32([0.25, -0.5, 0.75]),                                       # 3 samples
    }
    for name, x in signals.items():
        save(f"dsp_syn_{name}_pcm.npy", x)
        if len(x) > 512:
            ref = logmel_ref(x)[0]
        else:
            # torch refuses reflect padding wider than the signal; the C front-end
            # follows numpy.pad(mode="reflect") then (= torch for longer input):
            # the reference pads with numpy and runs torch with center=False.
            xp = np.pad(x, 512, mode="reflect")
            ms = torchaudio.transforms.MelSpectrogram(
                sample_rate=sr, n_fft=1024, hop_length=512, f_min=0.0, f_max=8000.0,
                n_mels=128, power=2.0, center=False, mel_scale="slaney", norm="slaney")
            ref = torch.log(ms(torch.from_numpy(xp)) + 1e-6).T.numpy()
            assert ref.shape[0] == 1 + len(x) // 512
        save(f"dsp_syn_{name}_logmel.npy", ref)

    # --- another front-end: 22.05 kHz, n_fft 512, win 400, hop 160, 64 mels 30 Hz–11025 Hz,
    #     magnitude (power 1): exercises the padded window, odd sr//2 and f_min > 0
    t = np.arange(11025) / 22050
    c2 = f32(0.7 * np.sin(2 * np.pi * (100 * t + 5000 * t ** 2)) + 0.05 * rng.standard_normal(t.size))
    save("dsp_cfg2_pcm.npy", c2)
    save("dsp_cfg2_logmel.npy", logmel_ref(c2, sr=22050, n_fft=512, win=400, hop=160, n_mels=64,
                                           f_min=30.0, f_max=11025.0, power=1.0,
                                           log_offset=1e-3, mean=1.0, std=2.0)[0])
    fb = torchaudio.functional.melscale_fbanks(257, 30.0, 11025.0, 64, 22050,
                                               norm="slaney", mel_scale="slaney")
    save("dsp_cfg2_melfb.npy", fb.T.numpy())

    # --- reference features on the music excerpt
    P = power_ref(music)
    nov = onset_flux_ref(P)
    save("dsp_music_onset.npy", nov)
    nov32 = nov.astype(np.float32)
    delta = np.float32(0.5 * float(np.std(nov32)))
    save("dsp_music_peaks_delta.npy", [delta])
    save("dsp_music_peaks.npy", peak_pick_ref(nov32, 1, 2, 3, 4, float(delta), 2))
    syn_nov = onset_flux_ref(power_ref(f32(clicks)))
    save("dsp_clicks_onset.npy", syn_nov)
    cfb = chroma_fb_ref(sr, 1024)
    save("dsp_chroma_fb.npy", cfb)
    chroma = chroma_ref(cfb, P)
    save("dsp_music_chroma.npy", chroma)
    save("dsp_music_chroma_ssm.npy", ssm_ref(chroma.astype(np.float32)))
    save("dsp_music_mfcc.npy", mfcc_ref(music))
    save("dsp_chirp_mfcc.npy", mfcc_ref(chirp))


if __name__ == "__main__":
    main()
