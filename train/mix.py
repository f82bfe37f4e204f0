#!/usr/bin/python3
"""Training-data synthesis for PercepNetFx (spec §8.4).

Builds noisy/clean 48 kHz sequence pairs from the train split of the data
folder, has the C# CLI compute features and targets (spec §5, §6; Python never
computes features), and packs the results per shard:

    <out>/<subset>/shard_00000.features.npy   float32 [S, T, 70]  (un-normalised F_t)
    <out>/<subset>/shard_00000.gains.npy      float32 [S, T, 34]  (g of frame t-2, -1 = masked)
    <out>/<subset>/shard_00000.strengths.npy  float32 [S, T, 34]  (r of frame t-2, -1 = masked)
    <out>/<subset>/shard_00000.json           per-sequence mixing parameters; written last,
                                              so its presence marks a finished shard

Shards are deterministic (seeded by base seed, subset and shard index) and
resumable: finished shards are skipped, unfinished ones rebuilt from scratch.

Usage:
    /usr/bin/python3 train/mix.py --subset train --shards 20 --seqs-per-shard 64
    /usr/bin/python3 train/mix.py --subset val --shards 2 --seqs-per-shard 32
    /usr/bin/python3 train/mix.py --dev --out train/cache/devset      # evaluation pairs + CSV
    /usr/bin/python3 train/mix.py --write-split train/split.json       # just the split

`--fake-features` replaces the C# CLI by a TEST DOUBLE that writes random
arrays of the right shapes. It exists only for unit/smoke tests of this
pipeline and must never be used to make training data.
"""
import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import scipy.signal as sps
import soundfile as sf

from common import FS, HOP, NB, NBINS, NF, TRAIN_DIR, cli_command, data_root, REPO_ROOT

# ---------------------------------------------------------------------------
# constants of §8.4 (and choices documented in train/README.md)
# ---------------------------------------------------------------------------
REF_DBFS = -21.0                 # step 4: normalise speech and noise to -21 dBFS RMS
P_NO_NOISE = 1.0 / 8.0           # step 4
P_NO_SPEECH = 1.0 / 10.0         # step 4
P_SPEECH_FREE = 1.0 / 4.0        # step 4: zero 1-3 s stretches of speech
P_REVERB = 0.5                   # step 5
P_REAL_RIR = 0.5                 # within reverberant sequences: real vs simulated small room
P_CLIP = 0.25                    # step 7
P_QUANT16 = 0.5                  # step 8
P_SYNTH_ONLY = 0.10              # noise = synthetic white/pink/brown only
P_SYNTH_ADD = 0.25               # recorded noise + a synthetic fullband floor
EARLY_KEEP = 480                 # step 5: keep h(n) for n < n_d + 480 (10 ms)
EARLY_FADE = 240                 # ... fade linearly to 0 over [n_d+480, n_d+720)
# Band-limited speech corpora: k_lp must not exceed their bandwidth (bin = 50 Hz).
CORPUS_BANDWIDTH_HZ = {"vcc2020": 11500.0, "ljspeech": 11000.0}
# Corpus mix per sequence (one corpus per sequence, so its k_lp cap is well defined).
CORPUS_WEIGHTS = {"train": {"ravdess": 0.50, "ljspeech": 0.35, "vcc2020": 0.15},
                  "val": {"ravdess": 0.70, "vcc2020": 0.30}}
SUBSET_CODE = {"train": 0, "val": 1}
# The pinned corpus of train/corpus.py (--corpus): its speech takes this share of the sequences
# (the shared-folder corpora keep their relative weights in the rest), and its noise sources
# are drawn by these weights beside the shared folder's Moodist clips.
CORPUS_SPEECH_SHARE = 0.6
CORPUS_SPEECH_WEIGHTS = {"speechocean762": 0.5, "saa": 0.5}
NOISE_WEIGHTS = {"moodist": 0.2, "esc50": 0.25, "us8k": 0.25, "noice": 0.15, "nonspeech100": 0.15}

# Validation hold-out (spec §8.4 last line: whole speakers and noise files).
VAL_SPEAKERS = {"ravdess": ["actor23", "actor24"],          # one male (odd), one female (even)
                "vcc2020": ["TEF2", "TEM2"]}                # one English F/M pair
VAL_NOISE = ["animals_seagulls", "nature_waterfall", "places_restaurant",
             "rain_rain-on-window", "things_ceiling-fan"]
DEV_SNRS = [-5, 0, 5, 10, 15]


# ---------------------------------------------------------------------------
# manifest and split
# ---------------------------------------------------------------------------

def load_manifest(root=None):
    root = root or data_root()
    with open(os.path.join(root, "manifest.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["rate"] = int(r["rate"])
        r["seconds"] = float(r["seconds"])
    return rows


def load_corpus_manifest(corpus_dir):
    """Rows of a train/corpus.py build, paths made absolute (so they resolve from any root)."""
    with open(os.path.join(corpus_dir, "manifest.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["path"] = os.path.join(os.path.abspath(corpus_dir), r["path"])
        r["rate"] = int(r["rate"])
        r["seconds"] = float(r["seconds"])
    return rows


def add_corpus_split(split, rows):
    """Adds a pinned corpus to a split: its own train/val columns (by speaker or class);
    its dev rows stay out. Noise and RIRs are grouped by source so they can be weighted."""
    for r in rows:
        part = r["split"]
        if part not in ("train", "val"):
            continue
        if r["kind"] == "speech":
            split[part]["speech"].setdefault(r["corpus"], []).append(r["path"])
        elif r["kind"] == "noise":
            split[part].setdefault("noise_groups", {}).setdefault(r["corpus"], []).append(r["path"])
        elif r["kind"] == "rir":
            split[part]["rir"].append(r["path"])
        if r.get("bandwidth_hz"):
            split.setdefault("bandwidth_hz", {})[r["corpus"]] = float(r["bandwidth_hz"])
    for part in ("train", "val"):
        for group in (split[part]["speech"], split[part].get("noise_groups", {})):
            for c in group:
                group[c].sort()
        split[part]["rir"].sort()
    return split


def _corpus_key(row):
    p = row["path"]
    for key in ("ravdess", "vcc2020", "ljspeech", "emovo", "moodist", "blanket"):
        if "/%s/" % key in p:
            return key
    return "rir" if row["kind"] == "rir" else "other"


def _speaker_dir(row):
    """Speaker folder name (actorNN, SEF1, LJ, f1...)."""
    return row["path"].split("/")[-2]


def make_split(manifest):
    """Deterministic train/val split of the *train* folder (speaker- and clip-disjoint).

    LJSpeech has a single speaker, so it is train-only (validation stays strictly
    speaker-disjoint). RIRs are not split (only 9); validation uses simulated RIRs.
    """
    split = {"val_speakers": VAL_SPEAKERS, "val_noise_clips": VAL_NOISE,
             "train": {"speech": {}, "noise": [], "rir": []},
             "val": {"speech": {}, "noise": [], "rir": []}}
    for r in manifest:
        if r["split"] != "train":
            continue
        c = _corpus_key(r)
        if r["kind"] == "speech":
            held = _speaker_dir(r) in VAL_SPEAKERS.get(c, [])
            split["val" if held else "train"]["speech"].setdefault(c, []).append(r["path"])
        elif r["kind"] == "noise":
            held = os.path.splitext(os.path.basename(r["path"]))[0] in VAL_NOISE
            split["val" if held else "train"]["noise"].append(r["path"])
        elif r["kind"] == "rir":
            split["train"]["rir"].append(r["path"])
    for s in ("train", "val"):
        for c in split[s]["speech"]:
            split[s]["speech"][c].sort()
        split[s]["noise"].sort()
        split[s]["rir"].sort()
    return split


# ---------------------------------------------------------------------------
# signal helpers (audio preparation only; no feature DSP)
# ---------------------------------------------------------------------------

def read_audio(path, start=0, frames=-1):
    """Mono float64 audio and its rate (first channel)."""
    x, sr = sf.read(path, start=start, frames=frames, dtype="float64", always_2d=True)
    return x[:, 0], sr


def to_48k(x, sr):
    """Resample to 48 kHz with scipy's polyphase resampler (44.1k: 160/147 etc.)."""
    if sr == FS:
        return x
    g = math.gcd(FS, sr)
    return sps.resample_poly(x, FS // g, sr // g)


def dc_block(x):
    """DC-blocking high-pass of §3.3(a): (1 - 2z^-1 + z^-2) / (1 - 1.99599 z^-1 + 0.996 z^-2)."""
    return sps.lfilter([1.0, -2.0, 1.0], [1.0, -1.99599, 0.996], x)


def db_to_lin(db):
    return 10.0 ** (db / 20.0)


def rms_db(x, mask=None):
    """RMS level in dBFS (over mask > 0.5 if given)."""
    if mask is not None:
        x = x[mask > 0.5]
    if x.size == 0:
        return -np.inf
    return 10.0 * np.log10(np.mean(np.square(x)) + 1e-30)


def energy_vad(x, rel_db=-40.0, abs_db=-75.0, hangover=5):
    """Energy VAD for speech cleaning (§8.4 step 2).

    Frames of 480 samples are active when their mean-square level exceeds
    max(loudest frame + rel_db, abs_db) dBFS; activity is dilated by `hangover`
    frames on each side. Returns a per-sample gain in [0, 1] with 480-sample
    linear ramps at every transition (moving average of the 0/1 mask).
    """
    n = len(x)
    nfr = max(1, int(math.ceil(n / HOP)))
    xp = np.zeros(nfr * HOP)
    xp[:n] = x
    e = 10.0 * np.log10(np.mean(xp.reshape(nfr, HOP) ** 2, axis=1) + 1e-30)
    act = e > max(e.max() + rel_db, abs_db)
    if hangover > 0 and act.any():
        act = np.convolve(act.astype(float), np.ones(2 * hangover + 1), mode="same") > 0
    m = np.repeat(act.astype(float), HOP)[:n]
    ramp = np.ones(HOP) / HOP
    return np.clip(np.convolve(m, ramp, mode="same"), 0.0, 1.0)


def random_tilt(rng):
    """Random second-order EQ of §8.4 step 3: returns (b, a) of
    H(z) = (1 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2); numerator and
    denominator drawn independently: identity w.p. 2/3, else (equal odds) a
    complex pair (rho = 0.7 u^2, theta = pi v^2) or two real roots in U(-0.7, 0.7)."""
    def poly():
        if rng.random() < 2.0 / 3.0:
            return np.array([1.0, 0.0, 0.0])
        if rng.random() < 0.5:
            rho, theta = 0.7 * rng.random() ** 2, math.pi * rng.random() ** 2
            return np.array([1.0, -2.0 * rho * math.cos(theta), rho * rho])
        r0, r1 = rng.uniform(-0.7, 0.7, 2)
        return np.array([1.0, -(r0 + r1), r0 * r1])
    return poly(), poly()


def synth_noise(rng, n, kind):
    """Fullband synthetic noise (white / pink / brown) of unit RMS, shaped in the
    frequency domain (power ~ f^0, f^-1, f^-2, flat below 20 Hz)."""
    spec = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.maximum(np.fft.rfftfreq(n, 1.0 / FS), 20.0)
    alpha = {"white": 0.0, "pink": 1.0, "brown": 2.0}[kind]
    spec *= f ** (-alpha / 2.0)
    spec[0] = 0.0
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x * x)) + 1e-30)


def direct_path_index(h):
    return int(np.argmax(np.abs(h)))


def early_reflection_rir(h):
    """Target RIR h_e of §8.4 step 5: with n_d = argmax|h|, keep h(n) for
    n < n_d + 480, fade linearly to 0 over [n_d + 480, n_d + 720), 0 after."""
    nd = direct_path_index(h)
    he = np.array(h, dtype=np.float64, copy=True)
    a = nd + EARLY_KEEP
    b = a + EARLY_FADE
    if a < len(he):
        k = np.arange(a, min(b, len(he)))
        he[k] *= 1.0 - (k - a) / EARLY_FADE
        he[b:] = 0.0
    return he


def simulated_rir(rng):
    """Small-room RIR: direct path + exponentially decaying noise tail with
    RT60 ~ U(0.1, 0.6) s, first reflection after 1-5 ms, random low-pass
    colouring and direct-to-reverberant ratio ~ U(-5, 10) dB."""
    rt60 = rng.uniform(0.1, 0.6)
    nd = int(rng.uniform(0.0, 0.003) * FS)
    first = int(rng.uniform(0.001, 0.005) * FS)
    ntail = int(1.2 * rt60 * FS)
    t = np.arange(ntail) / FS
    tail = rng.standard_normal(ntail) * np.exp(-6.9078 * t / rt60)   # -60 dB at t = rt60
    lp = rng.uniform(0.0, 0.7)
    tail = sps.lfilter([1.0 - lp], [1.0, -lp], tail)
    drr = rng.uniform(-5.0, 10.0)
    tail *= math.sqrt(10.0 ** (-drr / 10.0) / (np.sum(tail ** 2) + 1e-30))
    h = np.zeros(nd + first + ntail)
    h[nd] = 1.0
    h[nd + first:] += tail
    # keep the direct path the largest sample so that n_d = argmax|h| holds
    peak = np.max(np.abs(h[nd + 1:])) if len(h) > nd + 1 else 0.0
    if peak >= 0.95:
        h[nd + 1:] *= 0.95 / peak
    return h, {"type": "simulated", "rt60": round(rt60, 3), "drr_db": round(drr, 2)}


def load_real_rir(path):
    """Real RIR: trimmed to 0.5 ms before its direct path and scaled to a unit direct path."""
    h, sr = read_audio(path)
    h = to_48k(h, sr)
    nd = direct_path_index(h)
    h = h[max(0, nd - 24):]
    return h / np.abs(h[direct_path_index(h)])


def set_level(x, target_db, mask=None):
    """Scale x so that rms_db(x, mask) == target_db; returns (scaled x, gain)."""
    cur = rms_db(x, mask)
    if not np.isfinite(cur):
        return x, 1.0
    g = db_to_lin(target_db - cur)
    return x * g, g


def zero_stretches(rng, s, n_stretch):
    """Zero n_stretch random 1-3 s stretches of s with 480-sample ramps (§8.4 step 4).
    Returns (s', gain curve)."""
    n = len(s)
    m = np.ones(n)
    for _ in range(n_stretch):
        ln = int(rng.uniform(1.0, 3.0) * FS)
        if ln >= n:
            ln = n // 2
        st = int(rng.integers(0, max(1, n - ln)))
        m[st:st + ln] = 0.0
    m = np.clip(np.convolve(m, np.ones(HOP) / HOP, mode="same"), 0.0, 1.0)
    return s * m, m


# ---------------------------------------------------------------------------
# one training sequence
# ---------------------------------------------------------------------------

def draw_params(rng, corpus_weights, has_real_rirs=True, bandwidths=None):
    """Random per-sequence choices of §8.4 (everything except the audio crops)."""
    p = {}
    names = sorted(corpus_weights)
    w = np.array([corpus_weights[c] for c in names], dtype=float)
    p["corpus"] = names[int(rng.choice(len(names), p=w / w.sum()))]
    p["no_noise"] = bool(rng.random() < P_NO_NOISE)
    p["no_speech"] = bool(rng.random() < P_NO_SPEECH)
    if p["no_noise"] and p["no_speech"]:
        p["no_noise"] = False   # an all-silent sequence teaches nothing (all targets masked)
    p["speech_free"] = bool(rng.random() < P_SPEECH_FREE)
    p["speech_gain_db"] = float(-45.0 + rng.uniform(0, 45) + rng.uniform(0, 10))
    p["snr_db"] = float(30.0 - rng.uniform(0, 25) - rng.uniform(0, 10))
    u = rng.random()
    if u < P_SYNTH_ONLY:
        p["noise_mode"] = "synthetic"
    elif u < P_SYNTH_ONLY + P_SYNTH_ADD:
        p["noise_mode"] = "recorded+synthetic"
    else:
        p["noise_mode"] = "recorded"
    p["synth_kind"] = ["white", "pink", "brown"][int(rng.integers(0, 3))]
    p["synth_rel_db"] = float(rng.uniform(-25.0, -5.0))
    p["tilt_speech"] = [list(map(float, v)) for v in random_tilt(rng)]
    p["tilt_noise"] = [list(map(float, v)) for v in random_tilt(rng)]
    p["reverb"] = bool(rng.random() < P_REVERB)
    p["real_rir"] = bool(has_real_rirs and rng.random() < P_REAL_RIR)
    k_lp = int(math.floor(60.0 * 50.0 ** rng.random()))          # step 6
    cap = (bandwidths or CORPUS_BANDWIDTH_HZ).get(p["corpus"])
    if cap is not None:
        k_lp = min(k_lp, int(cap // 50))
    p["k_lp"] = min(k_lp, NBINS)
    p["clip"] = bool(rng.random() < P_CLIP)
    p["clip_over_db"] = float(rng.uniform(0.0, 12.0))
    p["quant16"] = bool(rng.random() < P_QUANT16)
    return p


def render(rng, p, speech, speech_mask, noise, rir=None):
    """Mix one sequence (§8.4 steps 3-8) from prepared 48 kHz material.

    speech: DC-blocked, VAD-cleaned speech of the sequence length (or zeros);
    speech_mask: its VAD activity (for the active-speech level); noise: the
    DC-blocked noise of the same length; rir: impulse response or None.
    Returns (noisy y, clean target x, info dict), float64.
    """
    n = len(speech)
    s, mask = speech.copy(), speech_mask.copy()
    if p["speech_free"]:
        s, m = zero_stretches(rng, s, 1 + int(n > 15 * FS))
        mask = mask * m
    # step 3: independent random EQ of speech and noise; the target keeps the speech EQ
    s = sps.lfilter(p["tilt_speech"][0], p["tilt_speech"][1], s)
    s, _ = set_level(s, REF_DBFS, mask)
    nz = sps.lfilter(p["tilt_noise"][0], p["tilt_noise"][1], noise)
    nz, _ = set_level(nz, REF_DBFS)

    # step 5: reverberation; the target keeps only the early reflections
    if rir is not None:
        ys = sps.fftconvolve(s, rir)[:n]
        x = sps.fftconvolve(s, early_reflection_rir(rir))[:n]
    else:
        ys, x = s, s.copy()

    # step 4: levels. The speech gain applies to the target's active level; the
    # reverberant speech gets the same factor; noise is set relative to it.
    speech_db = REF_DBFS + p["speech_gain_db"]
    x, g = set_level(x, speech_db, mask)
    ys = ys * g
    noise_db = speech_db - p["snr_db"]
    nz, _ = set_level(nz, noise_db)
    if p["no_speech"]:
        x, ys = np.zeros(n), np.zeros(n)
    if p["no_noise"]:
        nz = np.zeros(n)
    y = ys + nz
    info = {"achieved_snr_db": None, "clip_gain_db": 0.0}
    if not (p["no_speech"] or p["no_noise"]):
        info["achieved_snr_db"] = float(rms_db(x, mask) - rms_db(nz))

    # step 7: clipping of y only, after a common gain on x and y
    if p["clip"]:
        peak = np.max(np.abs(y))
        if peak > 0:
            cg = db_to_lin(p["clip_over_db"]) / peak
            y, x = np.clip(y * cg, -1.0, 1.0), x * cg
            info["clip_gain_db"] = float(20 * np.log10(cg))
    # step 8: 16-bit quantisation of y
    if p["quant16"]:
        y = np.round(32768.0 * y) / 32768.0
    return y, x, info


class Material:
    """Loads and prepares speech / noise / RIR audio for one subset of the split."""

    def __init__(self, root, split, subset):
        self.root, self.subset = root, subset
        part = split[subset]
        self.speech = {c: v for c, v in part["speech"].items() if v}
        self.noise = part["noise"]
        groups = {"moodist": self.noise} if self.noise else {}
        groups.update({c: v for c, v in part.get("noise_groups", {}).items() if v})
        self.noise_groups = groups
        self.rirs = part["rir"]
        self._rir_cache = {}
        self.bandwidths = dict(CORPUS_BANDWIDTH_HZ, **split.get("bandwidth_hz", {}))
        weights = {c: w for c, w in CORPUS_WEIGHTS[subset].items() if c in self.speech}
        # Speech corpora of a pinned corpus build: listed weights, else an equal share.
        extra = {c: CORPUS_SPEECH_WEIGHTS.get(c, 1.0) for c in self.speech
                 if c not in CORPUS_WEIGHTS["train"] and c not in CORPUS_WEIGHTS["val"]}
        if extra and weights:
            shared, added = sum(weights.values()), sum(extra.values())
            weights = {c: w * (1 - CORPUS_SPEECH_SHARE) / shared for c, w in weights.items()}
            weights.update({c: w * CORPUS_SPEECH_SHARE / added for c, w in extra.items()})
        else:
            weights.update(extra)
        self.corpus_weights = weights

    def noise_clip(self, rng):
        """A recorded noise clip: one source by NOISE_WEIGHTS, then a clip of it. With the shared
        folder alone there is one source and no draw, so its shards stay as they were."""
        names = sorted(self.noise_groups)
        if len(names) == 1:
            files = self.noise_groups[names[0]]
        else:
            w = np.array([NOISE_WEIGHTS.get(c, 0.1) for c in names])
            files = self.noise_groups[names[int(rng.choice(len(names), p=w / w.sum()))]]
        return files[int(rng.integers(0, len(files)))]

    def path(self, rel):
        return os.path.join(self.root, rel)

    def utterance(self, rel):
        """48 kHz, DC-blocked, VAD-cleaned utterance normalised to -21 dBFS active RMS.
        Per-utterance normalisation matters: RAVDESS levels vary over 40 dB."""
        x, sr = read_audio(self.path(rel))
        x = dc_block(to_48k(x, sr))
        vad = energy_vad(x)
        x = x * vad
        x, _ = set_level(x, REF_DBFS, vad)
        return x, vad

    def speech_track(self, rng, corpus, n):
        """Concatenate random utterances of one corpus (random gaps) to n samples."""
        files = self.speech[corpus]
        s, m = np.zeros(n), np.zeros(n)
        pos = int(rng.uniform(0.0, 0.5) * FS)
        used, tries = [], 0
        while pos < n and tries < 1000:
            tries += 1
            rel = files[int(rng.integers(0, len(files)))]
            x, vad = self.utterance(rel)
            if len(x) == 0 or not np.any(vad > 0.5):
                continue          # nothing above the VAD threshold: draw another utterance
            k = min(len(x), n - pos)
            s[pos:pos + k], m[pos:pos + k] = x[:k], vad[:k]
            used.append(rel)
            pos += k + int(rng.uniform(0.1, 0.8) * FS)
        return s, m, used

    def noise_track(self, rng, p, n):
        """Recorded noise crop (random clip and offset, looped if short) and/or
        synthetic fullband noise, DC-blocked, at unit RMS."""
        rel = None
        if p["noise_mode"] == "synthetic" or not self.noise_groups:
            nz = synth_noise(rng, n, p["synth_kind"])
        else:
            rel = self.noise_clip(rng)
            info = sf.info(self.path(rel))
            need = int(math.ceil(n * info.samplerate / FS)) + 64
            if info.frames > need:
                off = int(rng.integers(0, info.frames - need))
                x, sr = read_audio(self.path(rel), start=off, frames=need)
            else:
                x, sr = read_audio(self.path(rel))
                x = np.tile(x, int(math.ceil(need / len(x))))[:need]
            nz = to_48k(x, sr)[:n]
            nz = nz / (np.sqrt(np.mean(nz * nz)) + 1e-30)
            if p["noise_mode"] == "recorded+synthetic":
                nz = nz + db_to_lin(p["synth_rel_db"]) * synth_noise(rng, n, p["synth_kind"])
        return dc_block(nz), rel

    def rir(self, rng, p):
        if not p["reverb"]:
            return None, None
        if p["real_rir"] and self.rirs:
            rel = self.rirs[int(rng.integers(0, len(self.rirs)))]
            if rel not in self._rir_cache:
                self._rir_cache[rel] = load_real_rir(self.path(rel))
            return self._rir_cache[rel], {"type": "real", "file": rel}
        return simulated_rir(rng)


def build_sequence(rng, mat, seq_frames):
    """One (noisy, clean, k_lp, meta) training sequence of seq_frames hops."""
    n = seq_frames * HOP
    p = draw_params(rng, mat.corpus_weights, has_real_rirs=bool(mat.rirs), bandwidths=mat.bandwidths)
    if p["no_speech"]:
        s, m, used = np.zeros(n), np.zeros(n), []
    else:
        s, m, used = mat.speech_track(rng, p["corpus"], n)
    nz, noise_file = mat.noise_track(rng, p, n)
    h, rir_info = mat.rir(rng, p)
    y, x, info = render(rng, p, s, m, nz, h)
    meta = dict(p, speech_files=used, noise_file=noise_file, rir=rir_info, **info)
    return y.astype(np.float32), x.astype(np.float32), p["k_lp"], meta


# ---------------------------------------------------------------------------
# features via the C# CLI, and its test double
# ---------------------------------------------------------------------------

def run_features_cli(list_path):
    """Run `percepnetfx features --list LIST.tsv` (spec §6.6 record contents)."""
    cmd = cli_command() + ["features", "--list", list_path]
    hint = ("The C# feature extractor is required (Python never computes features). Build it with "
            "`dotnet build src/Cli -c Release` or set PERCEPNETFX_CLI to a command prefix that runs "
            "`percepnetfx` (e.g. 'dotnet /path/percepnetfx.dll').")
    try:
        r = subprocess.run(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as e:
        raise RuntimeError("cannot start the feature CLI %r: %s\n%s" % (" ".join(cmd), e, hint))
    if r.returncode != 0:
        raise RuntimeError("feature CLI failed (rc=%d): %s\n--- output ---\n%s\n--------------\n%s"
                           % (r.returncode, " ".join(cmd), r.stdout[-4000:], hint))


def fake_features(list_path, seed=0):
    """TEST DOUBLE for `percepnetfx features`: writes RANDOM arrays of the right
    shapes ([T,70], [T,34], [T,34]; T = hops in the noisy WAV; ~20 % masked).
    Used only by unit/smoke tests of the Python pipeline. Never train on this."""
    rng = np.random.default_rng(seed)
    with open(list_path) as f:
        for line in f:
            if not line.strip():
                continue
            noisy, _clean, _klp, prefix = line.rstrip("\n").split("\t")
            T = sf.info(noisy).frames // HOP
            feats = rng.standard_normal((T, NF)).astype(np.float32)
            g = rng.random((T, NB)).astype(np.float32)
            r = rng.random((T, NB)).astype(np.float32)
            g[rng.random((T, NB)) < 0.2] = -1.0
            r[rng.random((T, NB)) < 0.4] = -1.0
            np.save(prefix + ".features.npy", feats)
            np.save(prefix + ".gains.npy", g)
            np.save(prefix + ".strengths.npy", r)


def shard_done(out_dir, shard):
    return os.path.isfile(os.path.join(out_dir, "shard_%05d.json" % shard))


def make_shard(mat, out_dir, shard, n_seq, seq_frames, seed, fake=False, keep_wavs=False):
    """Synthesise, featurise and pack one shard (see module docstring)."""
    work = os.path.join(out_dir, "shard_%05d" % shard)
    if os.path.isdir(work):
        shutil.rmtree(work)          # an interrupted attempt: rebuild from scratch
    os.makedirs(work)
    list_path = os.path.join(work, "list.tsv")
    metas, prefixes = [], []
    with open(list_path, "w") as lf:
        for i in range(n_seq):
            rng = np.random.default_rng([seed, SUBSET_CODE[mat.subset], shard, i])
            y, x, k_lp, meta = build_sequence(rng, mat, seq_frames)
            prefix = os.path.join(work, "seq_%03d" % i)
            sf.write(prefix + ".noisy.wav", y, FS, subtype="FLOAT")
            sf.write(prefix + ".clean.wav", x, FS, subtype="FLOAT")
            lf.write("%s\t%s\t%d\t%s\n" % (prefix + ".noisy.wav", prefix + ".clean.wav", k_lp, prefix))
            metas.append(meta)
            prefixes.append(prefix)
    if fake:
        fake_features(list_path, seed=shard)
    else:
        run_features_cli(list_path)
    packed = {}
    for kind, width in (("features", NF), ("gains", NB), ("strengths", NB)):
        arrs = []
        for pf in prefixes:
            a = np.load(pf + "." + kind + ".npy")
            if a.ndim != 2 or a.shape[1] != width:
                raise ValueError("%s.%s.npy has shape %s, expected [T,%d]" % (pf, kind, a.shape, width))
            arrs.append(a.astype(np.float32))
        packed[kind] = arrs
    T = min(a.shape[0] for a in packed["features"] + packed["gains"] + packed["strengths"])
    if T < seq_frames - 2:
        raise ValueError("CLI returned only %d frames for %d-frame sequences" % (T, seq_frames))
    for kind, arrs in packed.items():
        tmp = os.path.join(out_dir, "shard_%05d.%s.tmp.npy" % (shard, kind))
        np.save(tmp, np.stack([a[:T] for a in arrs]))
        os.replace(tmp, os.path.join(out_dir, "shard_%05d.%s.npy" % (shard, kind)))
    info = {"shard": shard, "subset": mat.subset, "seed": seed, "frames": T, "sequences": metas,
            "fake_features": bool(fake), "created": time.strftime("%Y-%m-%d %H:%M:%S")}
    tmp = os.path.join(out_dir, "shard_%05d.json.tmp" % shard)
    with open(tmp, "w") as f:
        json.dump(info, f, indent=1)
    os.replace(tmp, os.path.join(out_dir, "shard_%05d.json" % shard))   # completion marker
    if not keep_wavs:
        shutil.rmtree(work)


# ---------------------------------------------------------------------------
# dev evaluation set (EMOVO x Blanket at fixed SNRs)
# ---------------------------------------------------------------------------

def make_dev_set(root, out_dir, per_utt=2, seed=1234, speech_dbfs=-26.0, limit=None):
    """Clean/noisy 48 kHz float WAV pairs + dev.csv for the scoring scripts.
    Every EMOVO utterance is mixed with `per_utt` different Blanket clips; SNRs
    cycle through -5, 0, 5, 10, 15 dB (active-speech level vs noise RMS)."""
    man = load_manifest(root)
    speech = sorted(r["path"] for r in man if r["split"] == "dev" and r["kind"] == "speech")
    noise = sorted(r["path"] for r in man if r["split"] == "dev" and r["kind"] == "noise")
    if limit:
        speech = speech[:limit]     # tests only
    rng = np.random.default_rng(seed)
    order = list(rng.permutation(len(noise)))
    os.makedirs(os.path.join(out_dir, "clean"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "noisy"), exist_ok=True)
    rows, k = [], 0
    for rel in speech:
        s, sr = read_audio(os.path.join(root, rel))
        s = to_48k(s, sr)
        act = energy_vad(s)
        s, _ = set_level(s, speech_dbfs, act)
        for _ in range(per_utt):
            nrel = noise[order[k % len(noise)]]
            snr = DEV_SNRS[k % len(DEV_SNRS)]
            x, nsr = read_audio(os.path.join(root, nrel))
            nz = to_48k(x, nsr)
            if len(nz) < len(s):
                nz = np.tile(nz, int(math.ceil(len(s) / len(nz))) + 1)
            off = int(rng.integers(0, len(nz) - len(s) + 1))
            nz, _ = set_level(nz[off:off + len(s)], speech_dbfs - snr)
            name = "dev_%03d" % k
            sf.write(os.path.join(out_dir, "clean", name + ".wav"), s.astype(np.float32), FS, subtype="FLOAT")
            sf.write(os.path.join(out_dir, "noisy", name + ".wav"), (s + nz).astype(np.float32), FS, subtype="FLOAT")
            rows.append({"id": name, "clean": "clean/%s.wav" % name, "noisy": "noisy/%s.wav" % name,
                         "speech": rel, "noise": nrel, "snr_db": snr, "noise_offset_s": round(off / FS, 4),
                         "speech_level_dbfs": speech_dbfs, "seconds": round(len(s) / FS, 3)})
            k += 1
    with open(os.path.join(out_dir, "dev.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    return rows


def make_corpus_dev_set(rows, out_dir, n_items=100, seed=4321, speech_dbfs=-26.0, p_reverb=1 / 3,
                        max_seconds=8.0):
    """Generalisation dev set from a pinned corpus: its `dev` speakers (never trained on) mixed
    with its `dev` noise classes at -5..15 dB, a third of them in a `dev` room (the clean
    reference is then the early-reflection target, as in training). Same layout as the
    EMOVO x Blanket set (clean/, noisy/, dev.csv), so the scoring scripts read both."""
    dev = [r for r in rows if r["split"] == "dev"]
    by_kind = {k: sorted((r for r in dev if r["kind"] == k), key=lambda r: r["path"]) for k in ("speech", "noise", "rir")}
    if not by_kind["speech"] or not by_kind["noise"]:
        raise RuntimeError("the corpus has no dev speech or dev noise")
    rng = np.random.default_rng(seed)
    # Alternate between speech corpora, one utterance per speaker first, so no speaker dominates.
    speakers = {}
    for r in by_kind["speech"]:
        speakers.setdefault((r["corpus"], r["speaker_or_class"]), []).append(r)
    keys = sorted(speakers)
    order = [keys[i] for i in rng.permutation(len(keys))]
    picks, rnd = [], 0
    while len(picks) < n_items and rnd < 50:
        for k in order:
            if rnd < len(speakers[k]) and len(picks) < n_items:
                picks.append(speakers[k][int(rng.integers(0, len(speakers[k])))] if rnd else speakers[k][0])
        rnd += 1
    noise_classes = sorted({(r["corpus"], r["speaker_or_class"]) for r in by_kind["noise"]})
    os.makedirs(os.path.join(out_dir, "clean"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "noisy"), exist_ok=True)
    out = []
    for k, r in enumerate(picks):
        s, sr = read_audio(r["path"])
        s = dc_block(to_48k(s, sr))
        if len(s) > max_seconds * FS:
            off = int(rng.integers(0, len(s) - int(max_seconds * FS)))
            s = s[off:off + int(max_seconds * FS)]
        act = energy_vad(s)
        cls = noise_classes[k % len(noise_classes)]
        clips = [n for n in by_kind["noise"] if (n["corpus"], n["speaker_or_class"]) == cls]
        nrow = clips[int(rng.integers(0, len(clips)))]
        x, nsr = read_audio(nrow["path"])
        nz = dc_block(to_48k(x, nsr))
        if len(nz) < len(s):
            nz = np.tile(nz, int(math.ceil(len(s) / max(len(nz), 1))) + 1)
        off = int(rng.integers(0, len(nz) - len(s) + 1))
        nz = nz[off:off + len(s)]
        room = ""
        if by_kind["rir"] and rng.random() < p_reverb:
            rrow = by_kind["rir"][int(rng.integers(0, len(by_kind["rir"])))]
            h = load_real_rir(rrow["path"])
            wet = sps.fftconvolve(s, h)[:len(s)]
            target = sps.fftconvolve(s, early_reflection_rir(h))[:len(s)]
            room = os.path.basename(rrow["path"])
        else:
            wet = target = s
        g = db_to_lin(speech_dbfs - rms_db(target, act > 0.5))
        wet, target = wet * g, target * g
        snr = DEV_SNRS[k % len(DEV_SNRS)]
        nz, _ = set_level(nz, speech_dbfs - snr)
        noisy = wet + nz
        peak = np.max(np.abs(noisy))
        if peak > 0.99:                 # keep the float files inside full scale for every peer
            noisy, target = noisy * 0.99 / peak, target * 0.99 / peak
        name = "gen_%03d" % k
        sf.write(os.path.join(out_dir, "clean", name + ".wav"), target.astype(np.float32), FS, subtype="FLOAT")
        sf.write(os.path.join(out_dir, "noisy", name + ".wav"), noisy.astype(np.float32), FS, subtype="FLOAT")
        out.append({"id": name, "clean": "clean/%s.wav" % name, "noisy": "noisy/%s.wav" % name,
                    "speech": os.path.relpath(r["path"], os.path.dirname(os.path.dirname(os.path.dirname(r["path"])))),
                    "noise": "%s/%s" % cls, "room": room, "snr_db": snr, "speech_level_dbfs": speech_dbfs,
                    "seconds": round(len(s) / FS, 3)})
    with open(os.path.join(out_dir, "dev.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(out[0].keys()))
        w.writeheader()
        w.writerows(out)
    return out


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subset", choices=["train", "val"], default="train")
    ap.add_argument("--out", default=os.path.join(TRAIN_DIR, "cache"), help="cache root (default train/cache)")
    ap.add_argument("--shards", type=int, default=20, help="number of shards to (re)build")
    ap.add_argument("--first-shard", type=int, default=0)
    ap.add_argument("--seqs-per-shard", type=int, default=64)
    ap.add_argument("--seq-frames", type=int, default=1000, help="frames (10 ms hops) per sequence")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--keep-wavs", action="store_true", help="keep the shard WAVs (debugging)")
    ap.add_argument("--fake-features", action="store_true",
                    help="TEST DOUBLE: random arrays instead of the C# CLI (tests only)")
    ap.add_argument("--dev", action="store_true", help="build the EMOVO x Blanket evaluation set instead")
    ap.add_argument("--dev-per-utt", type=int, default=2)
    ap.add_argument("--write-split", metavar="JSON", help="only write the train/val split to JSON")
    ap.add_argument("--corpus", default=os.environ.get("PERCEPNETFX_CORPUS"),
                    help="a train/corpus.py build to mix beside the data folder (env PERCEPNETFX_CORPUS)")
    ap.add_argument("--dev-corpus", action="store_true",
                    help="build the generalisation dev set of --corpus (held-out speakers, noise classes, rooms)")
    a = ap.parse_args(argv)
    if a.dev_corpus:
        if not a.corpus:
            sys.exit("mix.py: --dev-corpus needs --corpus DIR")
        out = a.out if a.out != os.path.join(TRAIN_DIR, "cache") else os.path.join(TRAIN_DIR, "cache", "devset-corpus")
        rows = make_corpus_dev_set(load_corpus_manifest(a.corpus), out)
        print("corpus dev set: %d mixtures in %s" % (len(rows), out))
        return
    root = data_root()
    if not os.path.isfile(os.path.join(root, "manifest.csv")):
        sys.exit("data folder not found: %s (set PERCEPNETFX_DATA)" % root)
    if a.dev:
        out = a.out if a.out != os.path.join(TRAIN_DIR, "cache") else os.path.join(TRAIN_DIR, "cache", "devset")
        rows = make_dev_set(root, out, a.dev_per_utt)
        print("dev set: %d mixtures in %s" % (len(rows), out))
        return
    split = make_split(load_manifest(root))
    if a.corpus and not a.write_split:
        if not os.path.isfile(os.path.join(a.corpus, "manifest.csv")):
            sys.exit("mix.py: no manifest.csv in %s (build it with train/corpus.py build)" % a.corpus)
        add_corpus_split(split, load_corpus_manifest(a.corpus))
    if a.write_split:
        with open(a.write_split, "w") as f:
            json.dump(split, f, indent=1, sort_keys=True)
        print("split written to", a.write_split)
        return
    out_dir = os.path.join(a.out, a.subset)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(a.out, "split.json"), "w") as f:
        json.dump(split, f, indent=1, sort_keys=True)
    mat = Material(root, split, a.subset)
    for shard in range(a.first_shard, a.first_shard + a.shards):
        if shard_done(out_dir, shard):
            print("shard %d: done, skipped" % shard)
            continue
        t0 = time.time()
        try:
            make_shard(mat, out_dir, shard, a.seqs_per_shard, a.seq_frames, a.seed,
                       fake=a.fake_features, keep_wavs=a.keep_wavs)
        except RuntimeError as e:
            sys.exit("mix.py: shard %d failed: %s" % (shard, e))
        print("shard %d: %d sequences in %.1f s" % (shard, a.seqs_per_shard, time.time() - t0), flush=True)


if __name__ == "__main__":
    main()
