#!/usr/bin/env python3
"""Rebuilds the committed demo sample (samples/clean.wav, samples/noisy.wav).

Speech: LJSpeech 1.1 clip LJ001-0009 (public domain, Keith Ito / LibriVox), read from
../shared/data and resampled 22.05 -> 48 kHz. Noise: self-made (seeded pink noise, a 100 Hz
mains hum with harmonics and a slowly swelling fan-like band noise), mixed at 5 dB SNR.
Run with Debian's Python: /usr/bin/python3 scripts/make_sample.py
"""
import os
import sys

import numpy as np
import soundfile as sf
from scipy.signal import lfilter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "train"))
import common as pc  # noqa: E402  (data folder, resampling)

DATA = pc.data_root()
RATE = pc.FS
SNR_DB = 5.0

speech, rate = sf.read(os.path.join(DATA, "train/speech/ljspeech/LJ/LJ001-0009.flac"), dtype="float64")
speech = pc.resample(speech, rate, RATE)  # 22050 * 320/147 = 48000
speech *= 10 ** (-23 / 20) / np.sqrt(np.mean(speech ** 2))  # speech at -23 dBFS RMS

rng = np.random.default_rng(2026)
n = len(speech)
t = np.arange(n) / RATE
white = rng.standard_normal(n)
# Pink noise: Paul Kellet's economy filter approximated by a 3-pole IIR on white noise.
pink = lfilter([0.049922035, -0.095993537, 0.050612699, -0.004408786], [1, -2.494956002, 2.017265875, -0.522189400], white)
hum = sum(np.sin(2 * np.pi * 100 * h * t + h) / h for h in range(1, 8))
fan = lfilter([1], [1, -1.8 * np.cos(2 * np.pi * 900 / RATE), 0.81], rng.standard_normal(n)) * (1 + 0.5 * np.sin(2 * np.pi * 0.3 * t))
noise = pink / np.std(pink) + 0.3 * hum / np.std(hum) + 0.5 * fan / np.std(fan)
noise *= np.sqrt(np.mean(speech ** 2) / np.mean(noise ** 2)) * 10 ** (-SNR_DB / 20)
noisy = speech + noise
peak = np.max(np.abs(noisy))
assert peak < 1.0, peak

os.makedirs(os.path.join(ROOT, "samples"), exist_ok=True)
sf.write(os.path.join(ROOT, "samples", "clean.wav"), speech.astype(np.float32), RATE, subtype="PCM_16")
sf.write(os.path.join(ROOT, "samples", "noisy.wav"), noisy.astype(np.float32), RATE, subtype="PCM_16")
print(f"samples/clean.wav, samples/noisy.wav: {n / RATE:.2f} s at {RATE} Hz, SNR {SNR_DB} dB, peak {peak:.2f}")
