#!/usr/bin/python3
"""Training-data synthesis for PercepNetFx (docs/design.md §8.4).

The command line of the training-data pipeline; the work is done by datasplit.py (manifests and
the train/val split), synthesis.py (one sequence, §8.4 steps 2-8), shards.py (features from the
C# CLI, packing) and devsets.py (evaluation sets); their functions are importable from here too.

Builds noisy/clean 48 kHz sequence pairs from the train split of the data
folder, has the C# CLI compute features and targets (docs/design.md §5, §6; Python never
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
import json
import os
import sys
import time

from common import TRAIN_DIR, data_root
from datasplit import (VAL_NOISE, VAL_SPEAKERS, add_corpus_split, commercial_rows,  # noqa: F401
                       commercial_use_allowed, load_corpus_manifest, load_manifest, make_split)
from devsets import DEV_SNRS, make_corpus_dev_set, make_dev_set  # noqa: F401
from shards import SUBSET_CODE, fake_features, make_shard, run_features_cli, shard_done  # noqa: F401
from synthesis import (COMMERCIAL_SPEECH_SHARE, CORPUS_BANDWIDTH_HZ, CORPUS_SPEECH_SHARE, CORPUS_SPEECH_WEIGHTS, CORPUS_WEIGHTS,  # noqa: F401
                       NOISE_WEIGHTS, REF_DBFS, Material, build_sequence, db_to_lin, dc_block, direct_path_index,
                       draw_params, early_reflection_rir, energy_vad, load_real_rir, random_tilt, read_audio, render,
                       rms_db, set_level, simulated_rir, synth_noise, to_48k, zero_stretches)


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
    ap.add_argument("--fullband-input", action="store_true",
                    help="band-limited speech masks only the targets above its bandwidth; the input keeps step 6's low-pass")
    ap.add_argument("--commercial-only", action="store_true",
                    help="mix only files whose licence allows commercial use (datasplit.commercial_use_allowed)")
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
    keep = commercial_rows if a.commercial_only else list
    split = make_split(keep(load_manifest(root)))
    if a.corpus and not a.write_split:
        if not os.path.isfile(os.path.join(a.corpus, "manifest.csv")):
            sys.exit("mix.py: no manifest.csv in %s (build it with train/corpus.py build)" % a.corpus)
        add_corpus_split(split, keep(load_corpus_manifest(a.corpus)))
    if a.commercial_only:
        split["commercial_only"] = True
    if a.write_split:
        with open(a.write_split, "w") as f:
            json.dump(split, f, indent=1, sort_keys=True)
        print("split written to", a.write_split)
        return
    out_dir = os.path.join(a.out, a.subset)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(a.out, "split.json"), "w") as f:
        json.dump(split, f, indent=1, sort_keys=True)
    mat = Material(root, split, a.subset,
                   COMMERCIAL_SPEECH_SHARE if a.commercial_only else CORPUS_SPEECH_SHARE, fullband_input=a.fullband_input)
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