"""Evaluation sets: the EMOVO x Blanket dev set (`train/mix.py --dev`) that scripts/eval_quality.py and
scripts/sweep_dev.py score, and the generalisation dev set of a pinned corpus (`--dev-corpus`)."""
import csv
import math
import os

import numpy as np
import scipy.signal as sps
import soundfile as sf

from common import FS
from datasplit import load_manifest
from synthesis import (db_to_lin, dc_block, early_reflection_rir, energy_vad, load_real_rir, read_audio, rms_db,
                       set_level, to_48k)

DEV_SNRS = [-5, 0, 5, 10, 15]


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
