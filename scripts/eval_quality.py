#!/usr/bin/python3
"""Quality evaluation of a PercepNetFx model: validation split and dev set against peer suppressors.

Two tables, written to docs/quality.md (or --out-md) and printed:

  a. Validation split (train/split.json "val": held-out speakers and noise clips that training
     never sees): mixtures at -5, 0, 5, 10, 15 dB built with the level rules of
     scripts/oracle_table.py, scored for the noisy input, the model (`percepnetfx denoise`) and the
     band+comb oracle (`percepnetfx oracle --mode bands+comb`).
  b. Dev set (EMOVO x Blanket, `train/mix.py --dev`; other language, other speakers, other noise
     source): PercepNetFx (int8 and float) against RNNoise 0.1.1, 0.2 and post-0.2 main
     (../shared/tools/peers), per SNR and overall, with a "wins vs RNNoise 0.1.1" row.

Metrics are the C# `percepnetfx score` ones: SI-SDR, STOI (Taal 2011), segmental SNR. Two more are
optional, switched on by environment variables (see scripts/extra_metrics.py); with neither set the
tables are the three metrics only:

  PERCEPNETFX_PESQ=/path/to/pesq  PESQ-WB (ITU-T P.862.2 MOS-LQO) of every scored pair. The
      repository does not ship a PESQ binary: build the ITU-T P.862 reference C code from a public
      copy outside the repository and set PERCEPNETFX_PESQ to the binary (called as
      `pesq +16000 +wb ref.wav deg.wav`). Clean and output are resampled to 16 kHz (resample_poly
      1:3) and written as 16-bit WAV; 2 binaries run at a time.
  PERCEPNETFX_DNSMOS_MODEL=/path/to/sig_bak_ovr.onnx  DNSMOS P.835 SIG/BAK/OVRL of every scored
      output (Microsoft's model; Node.js with onnxruntime-node, see scripts/dnsmos.mjs).

The pairs are time-aligned before any metric: PercepNetFx's outputs are latency-compensated by the
CLI, the peers' by their tool (denoise.mjs removes their 10/20 ms delays); `score` then searches
±50 ms and PESQ does its own delay search.

    /usr/bin/python3 scripts/eval_quality.py                          # embedded default model
    /usr/bin/python3 scripts/eval_quality.py --model path/to/M.safetensors
    /usr/bin/python3 scripts/eval_quality.py --quick --no-build       # CI-size smoke run (< 1 min)

Data folder, CLI, score parsing, level rule and resampling: train/common.py ($PERCEPNETFX_DATA,
else ../shared/data beside the repository; $PERCEPNETFX_CLI, else the built dll).
Audio written by the run stays under out/eval/ (out/eval-quick/ for --quick) for listening.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import datetime
import hashlib
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "train"))
import common as pc  # noqa: E402  (data folder, CLI, score parsing, level rule, resampling)
import oracle_table as ot  # noqa: E402  (the mixing rules of the oracle table)
import extra_metrics as em  # noqa: E402  (optional PESQ-WB and DNSMOS)

RATE = ot.RATE
SNRS_DB = ot.SNRS_DB
SPEECH_LEVEL_DBFS = ot.SPEECH_LEVEL_DBFS
SEED = 20240612                   # differs from oracle_table's seed on purpose: other material
# Validation utterances per held-out speaker (train/split.json val_speakers), >= 2 s each.
VAL_PER_SPEAKER = {"actor23": 3, "actor24": 3, "TEF2": 2, "TEM2": 2}
QUICK_VAL_PER_SPEAKER = {"actor23": 1}
DEFAULT_MODEL_FILE = REPO / "models" / "percepnetfx-v3.1.safetensors"   # embedded in the CLI at build time
PEERS = [("rnnoise", "RNNoise 0.1.1"), ("rnnoise2", "RNNoise 0.2"), ("rnnoise2main", "RNNoise main (post-0.2)")]
METRICS = [("SI-SDR (dB)", 0, "{:.2f}"), ("STOI", 1, "{:.3f}"), ("segSNR (dB)", 2, "{:.2f}")]
PEER_TOTAL_RE = re.compile(r"^total \d+ files, .* RTF (\S+)\s*$", re.M)


# ---------------------------------------------------------------------------
# pure parts (unit-tested in scripts/tests/test_eval_quality.py)
# ---------------------------------------------------------------------------

def scale_to_rms(x: np.ndarray, level_dbfs: float) -> np.ndarray:
    """x scaled to an RMS level (dBFS) over its whole length."""
    r = pc.rms(x)
    if r == 0:
        raise ValueError("cannot scale a silent signal")
    return x * (10 ** (level_dbfs / 20) / r)


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float,
               speech_dbfs: float = SPEECH_LEVEL_DBFS, peak_limit: float = ot.PEAK_LIMIT):
    """oracle_table.py's level rules: speech at an active level of speech_dbfs, noise RMS at
    speech_dbfs - snr_db, then clean and noisy scaled down together if |noisy| would pass the peak
    limit (so the SNR is unchanged and nothing clips). Returns (clean, noisy, gain)."""
    if len(speech) != len(noise):
        raise ValueError(f"lengths differ: {len(speech)} vs {len(noise)}")
    s = speech * (10 ** (speech_dbfs / 20) / pc.active_level(speech))
    n = scale_to_rms(noise, speech_dbfs - snr_db)
    y = s + n
    g = min(1.0, peak_limit / float(np.max(np.abs(y))))
    return g * s, g * y, g


parse_score_list = pc.parse_score_list   # `score --list` output -> {enhanced: (SI-SDR, STOI, segSNR, lag)}


def parse_peer_rtf(text: str) -> float | None:
    """The total real-time factor printed by the peers' denoise.mjs in folder mode."""
    m = PEER_TOTAL_RE.search(text)
    return float(m[1]) if m else None


def aggregate(records: list[dict], systems: list[str]) -> dict:
    """records: [{"snr": dB, system: (SI-SDR, STOI, segSNR, lag[, PESQ-WB, SIG, BAK, OVRL]), ...}] ->
    {system: {snr or "all": (mean SI-SDR, mean STOI, mean segSNR, count[, mean PESQ-WB, ...])}};
    "all" averages every mixture (not the per-SNR means), so unequal group sizes weigh by mixture.
    An optional metric's mean is None unless every record of the group has it."""
    table = {}
    for sysname in systems:
        table[sysname] = {}
        groups = [(snr, [r for r in records if r["snr"] == snr]) for snr in sorted({r["snr"] for r in records})]
        for key, rs in groups + [("all", records)]:
            if not rs:
                continue
            v = np.array([r[sysname][:3] for r in rs], dtype=float)
            m = v.mean(axis=0)
            extra = []
            for i in range(4, max(len(r[sysname]) for r in rs)):
                vals = [r[sysname][i] if len(r[sysname]) > i else None for r in rs]
                extra.append(None if any(x is None for x in vals) else float(np.mean(np.array(vals, dtype=float))))
            table[sysname][key] = (float(m[0]), float(m[1]), float(m[2]), len(rs), *extra)
    return table


def metrics_of(records: list[dict], systems: list[str]) -> list[tuple[str, int, str]]:
    """METRICS plus the optional metrics that every record of every system has."""
    return METRICS + em.active_metrics([[r[s] for r in records] for s in systems])


def with_extras(scores: dict, pairs: list, ext: "em.Extras", label: str) -> dict:
    """Appends the optional metrics (PESQ-WB, DNSMOS) to `score`'s tuples when any is switched on."""
    if not ext.enabled:
        return scores
    more = ext.score(pairs, label)
    return {k: tuple(v) + more[k] for k, v in scores.items()}


def wins(agg: dict, ours: str, ref: str, metric: int) -> dict:
    """{snr or "all": ours - ref} of one metric (positive = ours is better)."""
    return {k: agg[ours][k][metric] - agg[ref][k][metric] for k in agg[ours] if k in agg[ref]}


def _col_name(k) -> str:
    return "overall" if k == "all" else f"{k:+d} dB"


def val_table(agg: dict, systems: list[tuple[str, str]], metrics=METRICS) -> list[str]:
    """Rows: SNRs and overall; columns: each metric for each system (as the model card asks)."""
    keys = [k for k in agg[systems[0][0]]]
    head = ["SNR", "n"] + [f"{metric.split(' (')[0]} {label}" for metric, _, _ in metrics for _, label in systems]
    lines = ["| " + " | ".join(head) + " |", "|---|---:|" + "---:|" * (len(head) - 2)]
    for k in keys:
        cells = [_col_name(k), str(agg[systems[0][0]][k][3])]
        for _, i, fmt in metrics:
            for sysname, _ in systems:
                cells.append(fmt.format(agg[sysname][k][i]))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def metric_table(agg: dict, systems: list[tuple[str, str]], metric: int, fmt: str,
                 ours: str | None = None, ref: str | None = None) -> list[str]:
    """Rows: systems; columns: SNRs and overall; optional last row: where `ours` beats `ref`."""
    keys = [k for k in agg[systems[0][0]]]
    lines = ["| system | " + " | ".join(_col_name(k) for k in keys) + " |",
             "|---|" + "---:|" * len(keys)]
    for sysname, label in systems:
        lines.append(f"| {label} | " + " | ".join(fmt.format(agg[sysname][k][metric]) for k in keys) + " |")
    if ours and ref:
        d = wins(agg, ours, ref, metric)
        cells = [("**yes** " if d[k] > 0 else "no ") + "(" + ("+" if d[k] >= 0 else "") + fmt.format(d[k]) + ")"
                 for k in keys]
        lines.append("| wins vs " + dict(systems)[ref] + " | " + " | ".join(cells) + " |")
    return lines


def model_label(path: Path) -> dict:
    """Name, version and training progress from a .safetensors file's __metadata__ (safetensors format: 8-byte
    little-endian header length, JSON header). The "training" entry is itself a JSON string."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        f.seek(0)
        sha = hashlib.sha256(f.read()).hexdigest()
    meta = header.get("__metadata__", {})
    try:
        training = json.loads(meta.get("training", "{}"))
    except json.JSONDecodeError:
        training = {}
    return {"name": meta.get("name", "?"), "version": meta.get("version", "?"),
            "config": training.get("config_name", "?"), "steps": training.get("steps", "?"),
            "epochs": training.get("epochs", "?"), "saved": training.get("saved", "?"),
            "exported": meta.get("exported", "?"), "sha256": sha[:12]}


# ---------------------------------------------------------------------------
# running the CLI and the peers
# ---------------------------------------------------------------------------

def cli(args: list[str]) -> str:
    return pc.run_cli(args)


def score_pairs(pairs: list[tuple[Path, Path]], work: Path, jobs: int) -> dict:
    """Scores (clean, enhanced) pairs with `score --list`, in `jobs` chunks run side by side (one
    process per chunk: the runtime's start-up is paid once per chunk, not once per pair)."""
    chunks = [pairs[i::jobs] for i in range(jobs) if pairs[i::jobs]]
    results = {}

    def run(i, chunk):
        lst = work / f"score_{i}.tsv"
        lst.write_text("".join(f"{c}\t{e}\n" for c, e in chunk))
        return parse_score_list(cli(["score", "--list", str(lst)]))

    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        for part in pool.map(lambda a: run(*a), enumerate(chunks)):
            results.update(part)
    missing = [e for _, e in pairs if str(e) not in results]
    if missing:
        raise RuntimeError(f"score printed no line for {missing[:3]}")
    return results


def run_parallel(fn, items, jobs: int, label: str):
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        for k, _ in enumerate(pool.map(fn, items), 1):
            if k % 10 == 0 or k == len(items):
                print(f"  {label}: {k}/{len(items)}", file=sys.stderr)


def setup_peers(peers_dir: Path, data: Path):
    """out/peers: a copy of shared/tools/peers (without node_modules) with `npm ci` run in it, so
    nothing is ever installed inside the shared folder."""
    if (peers_dir / "node_modules").is_dir():
        return
    src = data.parent / "tools" / "peers"
    if not (src / "denoise.mjs").is_file():
        sys.exit(f"peer tools not found at {src}; use --no-peers")
    if shutil.which("npm") is None or shutil.which("node") is None:
        sys.exit("node/npm not found: the peer suppressors need Node.js >= 20; use --no-peers")
    peers_dir.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(src):
        if name != "node_modules" and (src / name).is_file():
            shutil.copy2(src / name, peers_dir / name)
    print(f"npm ci in {peers_dir}", file=sys.stderr)
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=peers_dir, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"npm ci failed in {peers_dir} (use --no-peers to skip the peers):\n{r.stderr[-2000:]}")


def run_peer(peers_dir: Path, engine: str, noisy_dir: Path, out_dir: Path) -> float | None:
    out_dir.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["node", "denoise.mjs", "--engine", engine, str(noisy_dir) + "/", str(out_dir) + "/"],
                       cwd=peers_dir, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"peer {engine} failed ({r.returncode}): {(r.stderr or r.stdout).strip()[-1000:]}")
    return parse_peer_rtf(r.stdout + r.stderr)


# ---------------------------------------------------------------------------
# a. validation split
# ---------------------------------------------------------------------------

def pick_val_material(data: Path, per_speaker: dict, rng: np.random.Generator):
    """Utterances of the held-out speakers (>= 2 s) and, for each, one held-out noise clip; the clips
    are dealt out in a seeded order so each is used about equally often."""
    split = json.loads((REPO / "train" / "split.json").read_text())
    with open(data / "manifest.csv", newline="") as f:
        seconds = {r["path"]: float(r["seconds"]) for r in csv.DictReader(f)}
    val_speech = [p for paths in split["val"]["speech"].values() for p in paths]
    picks = []
    for spk, count in per_speaker.items():
        cands = sorted(p for p in val_speech if p.split("/")[-2] == spk and seconds.get(p, 0) >= 2.0)
        if len(cands) < count:
            sys.exit(f"validation speaker {spk}: {len(cands)} utterances of >= 2 s in the data, need {count}")
        picks += [(spk, p) for p in rng.choice(cands, size=count, replace=False)]
    noises = sorted(split["val"]["noise"])
    order = [noises[i] for i in rng.permutation(len(noises))]
    return [(spk, sp, order[i % len(order)]) for i, (spk, sp) in enumerate(picks)]


def build_val_mixtures(data: Path, work: Path, per_speaker: dict):
    rng = np.random.default_rng(SEED)
    mixtures = []
    (work / "mix").mkdir(parents=True, exist_ok=True)
    for i, (spk, sp, npath) in enumerate(pick_val_material(data, per_speaker, rng)):
        s = pc.load_48k(data / sp)
        nz = pc.load_48k(data / npath)
        if len(nz) < len(s):
            nz = np.tile(nz, int(math.ceil(len(s) / len(nz))))
        off = int(rng.integers(0, len(nz) - len(s) + 1))
        nz = nz[off: off + len(s)]
        for snr in SNRS_DB:
            clean, noisy, g = mix_at_snr(s, nz, snr)
            name = f"v{i:02d}_snr{snr:+d}"
            c, n = work / "mix" / f"{name}_clean.wav", work / "mix" / f"{name}_noisy.wav"
            sf.write(str(c), clean.astype(np.float32), RATE, subtype="FLOAT")
            sf.write(str(n), noisy.astype(np.float32), RATE, subtype="FLOAT")
            mixtures.append(dict(name=name, utt=i, speaker=spk, speech=sp, noise=npath, offset=off, snr=snr,
                                 gain_db=20 * math.log10(g), seconds=len(s) / RATE, clean=c, noisy=n))
    return mixtures


def evaluate_val(data: Path, work: Path, per_speaker: dict, model_args: list[str], jobs: int,
                 ext: "em.Extras | None" = None):
    mixtures = build_val_mixtures(data, work, per_speaker)
    print(f"validation: {len(mixtures)} mixtures", file=sys.stderr)
    for d in ("model", "oracle"):
        (work / d).mkdir(exist_ok=True)

    def process(m):
        cli(["denoise", str(m["noisy"]), str(work / "model" / f"{m['name']}.wav"), "--format", "f32", *model_args])
        cli(["oracle", "--clean", str(m["clean"]), "--noisy", str(m["noisy"]), "--mode", "bands+comb",
             str(work / "oracle" / f"{m['name']}.wav")])

    run_parallel(process, mixtures, jobs, "validation denoise + oracle")
    outs = {"noisy": lambda m: m["noisy"], "model": lambda m: work / "model" / f"{m['name']}.wav",
            "oracle": lambda m: work / "oracle" / f"{m['name']}.wav"}
    pairs = [(m["clean"], f(m)) for m in mixtures for f in outs.values()]
    scores = with_extras(score_pairs(pairs, work, jobs), pairs, ext or em.Extras(), "validation")
    records = [dict(snr=m["snr"], **{k: scores[str(f(m))] for k, f in outs.items()}) for m in mixtures]
    return mixtures, records


# ---------------------------------------------------------------------------
# b. dev set against peers
# ---------------------------------------------------------------------------

def ensure_devset(devset: Path, data: Path, quick: bool):
    """The EMOVO x Blanket set of train/mix.py --dev (its own code, so both always agree); --quick
    builds a 2-mixture version of it (first utterance only) under its work folder."""
    if (devset / "dev.csv").is_file():
        return
    sys.path.insert(0, str(REPO / "train"))
    import mix as trainmix
    print(f"building the dev set in {devset} (train/mix.py --dev)", file=sys.stderr)
    trainmix.make_dev_set(str(data), str(devset), per_utt=2, limit=1 if quick else None)


def evaluate_dev(devset: Path, work: Path, model_args: list[str], jobs: int, peers_dir: Path | None,
                 with_float: bool, ext: "em.Extras | None" = None):
    with open(devset / "dev.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"dev set: {len(rows)} mixtures", file=sys.stderr)
    systems = [("noisy", "noisy input"), ("int8", "PercepNetFx int8")]
    if with_float:
        systems.append(("float", "PercepNetFx float"))
    for s, _ in systems[1:]:
        (work / s).mkdir(parents=True, exist_ok=True)

    def ours(item):
        r, prec = item
        cli(["denoise", str(devset / r["noisy"]), str(work / prec / f"{r['id']}.wav"), "--format", "f32",
             "--precision", prec, *model_args])

    run_parallel(ours, [(r, s) for s, _ in systems[1:] for r in rows], jobs, "PercepNetFx denoise")
    rtf = {}
    if peers_dir is not None:
        # The peers read a whole folder; the dev set's noisy/ holds exactly its mixtures.
        for engine, label in PEERS:
            print(f"  {engine} ...", file=sys.stderr)
            rtf[engine] = run_peer(peers_dir, engine, devset / "noisy", work / engine)
            systems.append((engine, label))
    path = {s: (lambda r, s=s: devset / r["noisy"] if s == "noisy" else work / s / f"{r['id']}.wav")
            for s, _ in systems}
    pairs = [(devset / r["clean"], path[s](r)) for r in rows for s, _ in systems]
    scores = with_extras(score_pairs(pairs, work, jobs), pairs, ext or em.Extras(), "dev set")
    records = [dict(snr=int(r["snr_db"]), **{s: scores[str(path[s](r))] for s, _ in systems}) for r in rows]
    return rows, records, systems, rtf


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------

def extras_method_lines(measured: set[str]) -> list[str]:
    """The method paragraph of the optional metrics: how each measured one was taken, and how to
    switch on the ones that were not."""
    pesq, dnsmos = "PESQ-WB" in measured, any(n.startswith("DNSMOS") for n in measured)
    lines = []
    if pesq:
        lines += ["PESQ-WB: ITU-T P.862.2 MOS-LQO from the P.862 reference code (`$PERCEPNETFX_PESQ +16000 +wb`,",
                  "a binary built from a public copy of the reference C code outside the repository), on the same",
                  "time-aligned pairs resampled to 16 kHz (scipy `resample_poly`, 1:3) and written as 16-bit WAV;",
                  "PESQ runs its own delay search as well."]
    if dnsmos:
        lines += ["DNSMOS P.835 (SIG, BAK, OVRL): Microsoft's `sig_bak_ovr.onnx` on the output alone, resampled to",
                  "16 kHz, in 9.01 s windows hopped by 1 s (shorter files repeated to length, as the reference",
                  "runner does), each window mapped by the published polynomials, means over the windows."]
    if not pesq and not dnsmos:
        lines += ["**PESQ-WB and DNSMOS are optional and were not measured in this run.**"]
    if not pesq:
        lines += ["PESQ-WB (ITU-T P.862.2) needs a PESQ binary, which the repository does not ship: build the",
                  "ITU-T P.862 reference C code from a public copy outside the repository and set",
                  "`PERCEPNETFX_PESQ` to the binary."]
    if not dnsmos:
        lines += ["DNSMOS P.835 needs Microsoft's `sig_bak_ovr.onnx` (DNS Challenge, `DNSMOS/DNSMOS/`) and Node.js",
                  "with onnxruntime-node: set `PERCEPNETFX_DNSMOS_MODEL` to the model (`scripts/extra_metrics.py`)."]
    return lines + [""]


def report(label: dict, model_desc: str, command: str, val, dev, quick: bool) -> list[str]:
    mixtures, vrec = val
    rows, drec, dsys, rtf = dev
    vsys = [("noisy", "noisy"), ("model", "model"), ("oracle", "oracle")]
    vmetrics = metrics_of(vrec, [s for s, _ in vsys])
    dmetrics = metrics_of(drec, [s for s, _ in dsys])
    measured = {m[0] for m in vmetrics + dmetrics if m not in METRICS}
    lines = [
        "# Quality evaluation",
        "",
        "Generated by `scripts/eval_quality.py`; do not edit by hand. Regenerate with:",
        "",
        "```",
        command,
        "```",
        "",
        ("A few seconds (--quick)." if quick else "It takes about 5 minutes on 2 CPU cores.") +
        " The peers are installed on first use",
        "(`shared/tools/peers` copied to `out/peers/`, then `npm ci` there); the dev set is built with",
        "`train/mix.py --dev` into `train/cache/devset/` if missing. Outputs for listening: `out/eval/`.",
        "",
        "## Model under test",
        "",
        f"- {model_desc}",
        f"- name `{label['name']}`, version {label['version']}, config `{label['config']}`",
        f"- **{label['steps']} training steps in its last run** ({label['epochs']} epochs; a run started with"
        f" `--init-from` counts from 0, so the whole history is in `models/README.md`), checkpoint saved"
        f" {label['saved']}, exported {label['exported']}",
        f"- file SHA-256 `{label['sha256']}…`",
        "",
        "All figures below belong to this model only; rerun the command above whenever the model changes.",
        "",
    ]
    if quick:
        lines += ["**`--quick` run (CI smoke subset): too few mixtures for any conclusion.**", ""]
    lines += [
        "Metrics: `percepnetfx score` against the clean reference after the best alignment within ±50 ms:",
        "SI-SDR, STOI (Taal et al. 2011) and segmental SNR (20 ms frames, clamped to [-10, 35] dB, silent",
        "frames excluded). Means over mixtures; `overall` is the mean over all mixtures.",
        "",
    ]
    lines += extras_method_lines(measured)
    lines += [
        "## a. Validation split (held-out speakers and noise clips)",
        "",
    ]
    utts_per_speaker = {}
    for m in mixtures:
        if m["snr"] == SNRS_DB[0]:
            utts_per_speaker[m["speaker"]] = utts_per_speaker.get(m["speaker"], 0) + 1
    vagg = aggregate(vrec, [s for s, _ in vsys])
    lines += ["SI-SDR and segSNR in dB.", ""] + val_table(vagg, vsys, vmetrics)
    imp = {k: (vagg["model"][k][0] > vagg["noisy"][k][0], vagg["model"][k][1] > vagg["noisy"][k][1])
           for k in vagg["model"]}
    lines += [
        "",
        "Model improves over the noisy input (the aim: both metrics at every SNR): " +
        "; ".join(f"{_col_name(k)}: SI-SDR {'yes' if a else 'NO'}, STOI {'yes' if b else 'NO'}" for k, (a, b) in imp.items()) + ".",
        "",
        "`model` = `percepnetfx denoise` (int8, strength 1, post-filter 0.25 = the default of docs/decisions.md, comb on); `oracle` =",
        "`percepnetfx oracle --mode bands+comb` (34 band gains and comb strengths from the clean signal).",
        "",
        "How the mixtures were made: the `val` part of `train/split.json` (utterances per speaker: " +
        ", ".join(f"{spk} {n}" for spk, n in utts_per_speaker.items()) +
        "; noise clips " + ", ".join(sorted({Path(m['noise']).stem for m in mixtures})) + ").",
        f"{len({m['utt'] for m in mixtures})} utterances of at least 2 s drawn with numpy `default_rng({SEED})`,",
        "each with one held-out noise clip (dealt out in a seeded order) at a random offset; the same",
        "speech and noise segment at every SNR. Level rules of `scripts/oracle_table.py`: speech at an",
        f"active level of {SPEECH_LEVEL_DBFS:.0f} dBFS (10 ms frames within 40 dB of the loudest), noise RMS at",
        f"{SPEECH_LEVEL_DBFS:.0f} dBFS − SNR, clean and noisy scaled down together if |noisy| would exceed −1 dBFS.",
        "",
        "| # | speaker | speech | noise | offset (s) | length (s) | lowest peak-limit gain (dB) |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    lines += ot.utterance_rows(mixtures, "speaker", lambda path: Path(path).name)
    lags = sorted({r[s][3] for r in vrec for s, _ in vsys})
    lines += ["", f"Alignment lags found by `score` (samples): {lags}.", ""]

    dagg = aggregate(drec, [s for s, _ in dsys])
    has_peer = any(s == "rnnoise" for s, _ in dsys)
    n_per = {k: v[3] for k, v in dagg["noisy"].items()}
    lines += [
        "## b. Dev set (EMOVO × Blanket) against peer suppressors",
        "",
        f"{len(rows)} mixtures (" + ", ".join(f"{_col_name(k)}: {v}" for k, v in n_per.items() if k != "all") + ")"
        " of `train/mix.py --dev`: EMOVO (Italian, 6 speakers) × Blanket noises, neither of which training",
        "uses. Its level rules are mix.py's (speech active level −26 dBFS by an energy VAD, noise RMS at",
        "−26 dBFS − SNR, no peak limit; float WAV). Everything runs on the same 48 kHz files.",
        "",
    ]
    ours, ref = "int8", ("rnnoise" if has_peer else None)
    for name, i, fmt in dmetrics:
        lines += [f"### {name}", ""]
        lines += metric_table(dagg, dsys, i, fmt, ours if ref else None, ref)
        lines.append("")
    if not has_peer:
        lines += ["Peers not run (`--no-peers`).", ""]
    else:
        won = {name: wins(dagg, "int8", "rnnoise", i)["all"] > 0 for name, i, _ in dmetrics}
        unmeasured = [n for n in ("PESQ-WB", "DNSMOS OVRL") if n not in measured]
        lines += ["Overall, PercepNetFx int8 vs RNNoise 0.1.1: " +
                  ", ".join(f"{n} {'**wins**' if w else 'loses'}" for n, w in won.items()) + ".", "",
                  "For comparison, RNNoise 0.1.1 measured on a separate set of real recordings scores",
                  "STOI 0.826 and SI-SDR 7.8 dB overall (noisy input 0.826 and 4.1 dB), and PESQ-WB 1.49 / DNSMOS",
                  "OVRL 2.50" + (f" ({' and '.join(unmeasured)} not measured in this run)." if unmeasured else
                                 " (other material: compare the trend, not the figures)."), ""]
    lines += ["### Tools", "",
              "| system | what | real-time factor (this run) |", "|---|---|---:|"]
    for s, label in dsys:
        if s == "noisy":
            continue
        if s in ("int8", "float"):
            lines.append(f"| {label} | `percepnetfx denoise --precision {s}` | see `percepnetfx bench` |")
        else:
            what = f"`node denoise.mjs --engine {s}` (shared/tools/peers)"
            lines.append(f"| {label} | {what} | {rtf.get(s) if rtf.get(s) is not None else '?'} |")
    lines += [
        "",
        "Peer RTFs are the totals `denoise.mjs` prints (processing time / audio time, one thread, WASM",
        "without SIMD); they were taken while other jobs shared the 2 cores, so read them as rough.",
        "PercepNetFx is not timed here: `percepnetfx bench` is the reference for its CPU cost.",
        "Peer outputs are time-aligned by the tool (their 10/20 ms delays removed); `score` lags:",
        f"{sorted({r[s][3] for r in drec for s, _ in dsys})} samples.",
        "",
    ]
    return lines


def save_results(path: Path, label, model_desc, cmd, val, dev, quick):
    """Everything report() needs, as JSON, so --report-only can re-render the markdown."""
    def plain(x):
        if isinstance(x, Path):
            return str(x)
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        return x
    path.write_text(json.dumps(plain(dict(label=label, model_desc=model_desc, cmd=cmd, val=val, dev=dev,
                                               quick=quick)), indent=0))


def load_results(path: Path):
    r = json.loads(path.read_text())
    mixtures, vrec = r["val"]
    rows, drec, dsys, rtf = r["dev"]
    # JSON turns the per-record score tuples into lists and SNR keys stay ints; systems back to tuples.
    return (r["label"], r["model_desc"], r["cmd"], (mixtures, vrec),
            (rows, drec, [tuple(s) for s in dsys], rtf), r["quick"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="a .safetensors model file (default: the CLI's embedded model)")
    ap.add_argument("--quick", action="store_true", help="CI-size subset: 5 validation and 2 dev mixtures")
    ap.add_argument("--jobs", type=int, default=2, help="parallel CLI processes (default 2)")
    ap.add_argument("--out-md", help="markdown output (default docs/quality.md; out/eval-quick/quality.md with --quick)")
    ap.add_argument("--devset", help="dev set folder with dev.csv (default train/cache/devset; built if missing)")
    ap.add_argument("--no-peers", action="store_true", help="skip the RNNoise peers")
    ap.add_argument("--peers-dir", default=str(REPO / "out" / "peers"),
                    help="where the peer tools are installed (default out/peers; set up with npm ci if missing)")
    ap.add_argument("--no-float", action="store_true", help="skip the float-precision PercepNetFx run on the dev set")
    ap.add_argument("--no-build", action="store_true", help="do not build the CLI first")
    ap.add_argument("--report-only", metavar="RESULTS_JSON",
                    help="only re-render the markdown from a previous run's out/eval/results.json")
    args = ap.parse_args()
    jobs = max(1, args.jobs)
    try:
        ext = em.Extras.from_env(jobs, cache=REPO / "out" / "metrics-cache")
    except em.SetupError as e:
        sys.exit(f"eval_quality: {e}")
    if args.report_only:
        label, model_desc, cmd, val, dev, quick = load_results(Path(args.report_only))
        lines = report(label, model_desc, cmd, val, dev, quick)
        out_md = Path(args.out_md) if args.out_md else REPO / "docs" / "quality.md"
        out_md.write_text("\n".join(lines))
        print("\n".join(lines))
        return

    data = Path(pc.data_root())
    if not (data / "manifest.csv").is_file():
        sys.exit(f"no manifest.csv in {data} (set PERCEPNETFX_DATA)")
    if args.model:
        model_file = Path(args.model).resolve()
        if not model_file.is_file():
            sys.exit(f"--model {args.model}: no such file")
        model_args, model_desc = ["--model", str(model_file)], f"`{args.model}`"
    else:
        model_file, model_args = DEFAULT_MODEL_FILE, []
        model_desc = "the CLI's embedded default (`models/percepnetfx-v3.1.safetensors`)"
    if not args.no_build:
        pc.build_cli()
    missing = pc.require_cli()
    if missing:
        sys.exit(missing + " (or drop --no-build)")
    dll = Path(pc.CLI_DLL).with_name("PercepNetFx.Dsp.dll")
    if not args.model and dll.is_file() and DEFAULT_MODEL_FILE.stat().st_mtime > dll.stat().st_mtime:
        # The embedded model is copied into the Dsp assembly at build time; a newer file means the
        # CLI holds an older one.
        sys.exit(f"{DEFAULT_MODEL_FILE} is newer than the built CLI: rebuild it (drop --no-build) or pass --model")
    label = model_label(model_file)

    work = REPO / "out" / ("eval-quick" if args.quick else "eval")
    shutil.rmtree(work, ignore_errors=True)   # every run starts clean: no stale outputs get scored
    work.mkdir(parents=True)
    devset = Path(args.devset) if args.devset else (work / "devset" if args.quick else REPO / "train" / "cache" / "devset")
    out_md = Path(args.out_md) if args.out_md else (work / "quality.md" if args.quick else REPO / "docs" / "quality.md")
    peers_dir = None
    if not args.no_peers:
        peers_dir = Path(args.peers_dir)
        setup_peers(peers_dir, data)

    t0 = datetime.datetime.now()
    try:
        val = evaluate_val(data, work / "val", QUICK_VAL_PER_SPEAKER if args.quick else VAL_PER_SPEAKER, model_args, jobs,
                           ext)
        ensure_devset(devset, data, args.quick)
        dev = evaluate_dev(devset, work / "dev", model_args, jobs, peers_dir, not args.no_float, ext)
    except RuntimeError as e:   # em.MetricError included
        sys.exit(f"eval_quality: {e}")
    env = ("PERCEPNETFX_PESQ=<pesq binary> " if ext.pesq else "") + \
          ("PERCEPNETFX_DNSMOS_MODEL=<sig_bak_ovr.onnx> " if ext.dnsmos else "")
    cmd = env + "/usr/bin/python3 scripts/eval_quality.py" + (" --quick" if args.quick else "") + \
          (f" --model {args.model}" if args.model else "") + (" --no-peers" if args.no_peers else "") + \
          (" --no-float" if args.no_float else "")
    save_results(work / "results.json", label, model_desc, cmd, val, dev, args.quick)
    lines = report(label, model_desc, cmd, val, dev, args.quick)
    out_md.parent.mkdir(parents=True, exist_ok=True)
    out_md.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"wrote {out_md} ({(datetime.datetime.now() - t0).total_seconds():.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
