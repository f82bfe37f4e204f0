"""Shard packing: a shard's sequences are synthesised (train/synthesis.py), written as WAV pairs,
featurised by the C# CLI (`percepnetfx features --list`, docs/design.md §5, §6) and packed into one
array per kind; see train/mix.py for the layout. `fake_features` is the CLI's test double."""
import json
import os
import shutil
import subprocess
import time

import numpy as np
import soundfile as sf

from common import FS, HOP, NB, NBINS, NF, REPO_ROOT, cli_command
from synthesis import build_sequence

SUBSET_CODE = {"train": 0, "val": 1}


# ---------------------------------------------------------------------------
# features via the C# CLI, and its test double
# ---------------------------------------------------------------------------

def run_features_cli(list_path):
    """Run `percepnetfx features --list LIST.tsv` (docs/design.md §6.6 record contents)."""
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
            fields = line.rstrip("\n").split("\t")      # noisy, clean, k_lp, prefix[, k_mask]
            noisy, prefix = fields[0], fields[3]
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
    """Synthesise, featurise and pack one shard (layout in train/mix.py's docstring)."""
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
            line = "%s\t%s\t%d\t%s" % (prefix + ".noisy.wav", prefix + ".clean.wav", k_lp, prefix)
            if meta.get("k_mask", NBINS) < NBINS:
                line += "\t%d" % meta["k_mask"]       # targets masked above the speech's bandwidth
            lf.write(line + "\n")
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
