#!/usr/bin/python3
"""Independent numpy/scipy STOI used only to cross-check the C# implementation (StoiCrossCheckTests).

Taal et al., "An algorithm for intelligibility prediction of time-frequency weighted noisy speech",
IEEE TASLP 2011, written with numpy array operations (vectorised, unlike the C# loops) the way the
authors' MATLAB stoi.m / pystoi do it. Resampling to 10 kHz uses scipy.signal.resample_poly with its
default Kaiser (beta 5) filter, i.e. MATLAB resample's design, not the C# polyphase resampler.

usage: stoi_reference.py clean.f32 processed.f32 sample_rate   (raw little-endian float32)
prints the STOI value.
"""
import sys
from math import gcd

import numpy as np
from scipy.signal import resample_poly

FS, N_FRAME, NFFT, NUMBAND, MINFREQ, N, BETA, DYN_RANGE = 10000, 256, 512, 15, 150, 30, -15.0, 40
EPS = np.finfo("float").eps


def thirdoct(fs, nfft, num_bands, min_freq):
    f = np.linspace(0, fs, nfft + 1)[: nfft // 2 + 1]
    k = np.arange(num_bands, dtype=float)
    freq_low = min_freq * np.power(2.0, (2 * k - 1) / 6)
    freq_high = min_freq * np.power(2.0, (2 * k + 1) / 6)
    obm = np.zeros((num_bands, len(f)))
    for i in range(num_bands):
        lo = np.argmin(np.square(f - freq_low[i]))
        hi = np.argmin(np.square(f - freq_high[i]))
        obm[i, lo:hi] = 1
    return obm


def frames(x, w, hop):
    return np.array([w * x[i:i + len(w)] for i in range(0, len(x) - len(w), hop)])


def overlap_add(fr, hop):
    out = np.zeros((len(fr) - 1) * hop + fr.shape[1])
    for i, f in enumerate(fr):
        out[i * hop:i * hop + len(f)] += f
    return out


def remove_silent_frames(x, y, w, hop):
    xf, yf = frames(x, w, hop), frames(y, w, hop)
    energies = 20 * np.log10(np.linalg.norm(xf, axis=1) + EPS)
    mask = (np.max(energies) - DYN_RANGE - energies) < 0
    return overlap_add(xf[mask], hop), overlap_add(yf[mask], hop)


def stoi(x, y, fs):
    if fs != FS:
        g = gcd(FS, fs)
        x, y = resample_poly(x, FS // g, fs // g), resample_poly(y, FS // g, fs // g)
    w = np.hanning(N_FRAME + 2)[1:-1]
    x, y = remove_silent_frames(x, y, w, N_FRAME // 2)
    xs = np.fft.rfft(frames(x, w, N_FRAME // 2), n=NFFT).T
    ys = np.fft.rfft(frames(y, w, N_FRAME // 2), n=NFFT).T
    if xs.shape[-1] < N:
        return 1e-5
    obm = thirdoct(FS, NFFT, NUMBAND, MINFREQ)
    xt, yt = np.sqrt(obm @ np.abs(xs) ** 2), np.sqrt(obm @ np.abs(ys) ** 2)
    xseg = np.array([xt[:, m - N:m] for m in range(N, xt.shape[1] + 1)])
    yseg = np.array([yt[:, m - N:m] for m in range(N, yt.shape[1] + 1)])
    norm = np.linalg.norm(xseg, axis=2, keepdims=True) / (np.linalg.norm(yseg, axis=2, keepdims=True) + EPS)
    yp = np.minimum(yseg * norm, xseg * (1 + 10 ** (-BETA / 20)))
    yp = yp - yp.mean(axis=2, keepdims=True)
    xseg = xseg - xseg.mean(axis=2, keepdims=True)
    yp /= np.linalg.norm(yp, axis=2, keepdims=True) + EPS
    xseg /= np.linalg.norm(xseg, axis=2, keepdims=True) + EPS
    return float(np.sum(yp * xseg) / (xseg.shape[0] * xseg.shape[1]))


if __name__ == "__main__":
    clean = np.fromfile(sys.argv[1], dtype="<f4").astype(np.float64)
    processed = np.fromfile(sys.argv[2], dtype="<f4").astype(np.float64)
    print(repr(stoi(clean, processed, int(sys.argv[3]))))
