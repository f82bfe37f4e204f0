"""Training-sequence synthesis (docs/design.md §8.4): speech, noise and room material prepared at
48 kHz, per-sequence random choices, and the mix of steps 3-8 that gives one (noisy, clean) pair.
Audio preparation only: features and targets come from the C# CLI (train/shards.py)."""
import math
import os

import numpy as np
import scipy.signal as sps
import soundfile as sf

from common import FS, HOP, NBINS, read_mono, to_48k

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
# The pinned corpus of train/corpus.py (--corpus): its speech takes this share of the sequences
# (the shared-folder corpora keep their relative weights in the rest), and its noise sources
# are drawn by these weights beside the shared folder's Moodist clips.
CORPUS_SPEECH_SHARE = 0.6
# With commercially usable data only (mix.py --commercial-only) the shared folder keeps 19 minutes
# of speech (LJSpeech, VCC2020) against 2.2 h of speechocean762, so the corpus takes more sequences.
COMMERCIAL_SPEECH_SHARE = 0.8
CORPUS_SPEECH_WEIGHTS = {"speechocean762": 0.5, "saa": 0.5}
NOISE_WEIGHTS = {"moodist": 0.2, "esc50": 0.25, "us8k": 0.25, "noice": 0.15, "nonspeech100": 0.15}


# ---------------------------------------------------------------------------
# signal helpers (audio preparation only; no feature DSP)
# ---------------------------------------------------------------------------
read_audio = read_mono   # mono float64 audio and its rate (first channel)


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
    """Energy VAD for speech cleaning (§8.4 step 2): the active-speech frame rule of common.py
    (10 ms frames within 40 dB of the loudest) with the absolute floor and hangover a gate needs.

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

def draw_params(rng, corpus_weights, has_real_rirs=True, bandwidths=None, fullband_input=False):
    """Random per-sequence choices of §8.4 (everything except the audio crops).

    A speech corpus with less bandwidth than 24 kHz caps what the targets may claim. By default the
    cap lowers step 6's k_lp, which band-limits the input too; with fullband_input the input keeps
    step 6's k_lp and only the targets above the speech's bandwidth are masked (k_mask), so the
    network also sees fullband input when all its speech is band-limited."""
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
    cap_bin = NBINS if cap is None else int(cap // 50)
    if fullband_input:
        # without speech every target is known (silence), whatever the corpus
        p["k_mask"] = NBINS if p["no_speech"] or cap is None else min(k_lp, cap_bin, NBINS)
    else:
        k_lp = min(k_lp, cap_bin)
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

    def __init__(self, root, split, subset, corpus_share=CORPUS_SPEECH_SHARE, fullband_input=False):
        self.root, self.subset = root, subset
        self.fullband_input = fullband_input
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
            weights = {c: w * (1 - corpus_share) / shared for c, w in weights.items()}
            weights.update({c: w * corpus_share / added for c, w in extra.items()})
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
    p = draw_params(rng, mat.corpus_weights, has_real_rirs=bool(mat.rirs), bandwidths=mat.bandwidths,
                    fullband_input=mat.fullband_input)
    if p["no_speech"]:
        s, m, used = np.zeros(n), np.zeros(n), []
    else:
        s, m, used = mat.speech_track(rng, p["corpus"], n)
    nz, noise_file = mat.noise_track(rng, p, n)
    h, rir_info = mat.rir(rng, p)
    y, x, info = render(rng, p, s, m, nz, h)
    meta = dict(p, speech_files=used, noise_file=noise_file, rir=rir_info, **info)
    return y.astype(np.float32), x.astype(np.float32), p["k_lp"], meta   # meta["k_mask"]: the target mask (fullband_input)
