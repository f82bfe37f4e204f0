#!/usr/bin/python3
"""Score `percepnetfx denoise` settings on the dev set (EMOVO x Blanket): one row per setting.

Used to measure a default before recording it in docs/decisions.md (post-filter amount, strength,
candidate models). The dev set is the one of scripts/eval_quality.py (`train/mix.py --dev`).

    /usr/bin/python3 scripts/sweep_dev.py --model models/percepnetfx-v2.safetensors \
        --setting "--postfilter 1" --setting "--postfilter 0.5" --setting "--postfilter 0"

Prints per-SNR and overall means of SI-SDR, STOI and segSNR (C# `percepnetfx score`), with the
noisy input as the first row. Outputs stay under out/sweep/ for listening.

Optional metrics, as in scripts/eval_quality.py (see scripts/extra_metrics.py); each adds its own
tables after the three above, and with neither variable set the output is the three tables only:

  PERCEPNETFX_PESQ=/path/to/pesq  PESQ-WB (ITU-T P.862.2) of every scored pair, 2 binaries at a
      time. No PESQ binary ships with the repository: build the ITU-T P.862 reference C code from
      a public copy outside the repository and set PERCEPNETFX_PESQ to the binary. Clean and output
      are resampled to 16 kHz (resample_poly 1:3) and written as 16-bit WAV first.
  PERCEPNETFX_DNSMOS_MODEL=/path/to/sig_bak_ovr.onnx  DNSMOS P.835 SIG/BAK/OVRL of every output
      (Node.js with onnxruntime-node; scripts/dnsmos.mjs).

The scored files are time-aligned already: `percepnetfx denoise` compensates its latency.

Peers on the same files, as extra rows (outputs kept per dev set under out/sweep/<devset>/ and
reused when complete):

  --peers            RNNoise 0.1.1, 0.2 and main (shared/tools/peers, installed into out/peers
                     with npm ci on first use; their tool removes their delays)
  --dfn3 MJS         DeepFilterNet 3 (shared/tools/dfn3/dfn_denoise.mjs after its setup.sh;
                     env PERCEPNETFX_DFN3), the yardstick of a ~10x larger model
  --out-md FILE      also write the tables to FILE

The CLI is run as train/common.py says: `PERCEPNETFX_CLI` (a command prefix), else the built
`src/Cli/bin/Release/net10.0/percepnetfx.dll`.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import os
import shlex
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "train"))
import common as pc  # noqa: E402  (CLI, score parsing, data folder)
import extra_metrics as em  # noqa: E402  (optional PESQ-WB and DNSMOS)


def cli(*args: str) -> str:
    try:
        return pc.run_cli(args)
    except pc.CliError as e:
        sys.exit(str(e))


def score(pairs: list[tuple[Path, Path]], tsv: Path, ext: "em.Extras | None" = None) -> dict[Path, tuple]:
    """{enhanced: (SI-SDR, STOI, segSNR)}; with optional metrics switched on, the tuple goes on
    with (None, PESQ-WB, SIG, BAK, OVRL) so each metric has its em.EXTRA_METRICS position."""
    tsv.write_text("".join("%s\t%s\n" % (c, e) for c, e in pairs))
    try:
        parsed = pc.parse_score_list(cli("score", "--list", str(tsv)))
    except ValueError as e:
        sys.exit("sweep_dev: %s" % e)
    out = {Path(name): v[:3] for name, v in parsed.items()}
    if ext is not None and ext.enabled:
        try:
            more = ext.score(pairs, tsv.stem)
        except em.MetricError as e:
            sys.exit("sweep_dev: %s" % e)
        out = {p: v + (None,) + more[str(p)] for p, v in out.items()}
    return out


def complete(out: Path, rows) -> bool:
    return all((out / Path(r["noisy"]).name).is_file() for r in rows)


def run_peers(dev: Path, rows, root: Path) -> dict[str, Path]:
    """RNNoise versions through shared/tools/peers (the copy in out/peers of eval_quality.py)."""
    import eval_quality as eq   # its peer set-up and runner: one definition
    peers_dir = REPO / "out" / "peers"
    eq.setup_peers(peers_dir, Path(pc.data_root()))
    outs = {}
    for engine, label in eq.PEERS:
        out = root / engine
        if not complete(out, rows):
            print("  %s ..." % engine, file=sys.stderr)
            eq.run_peer(peers_dir, engine, dev / "noisy", out)
        outs[label] = out
    return outs


def run_dfn3(mjs: Path, dev: Path, rows, root: Path, jobs: int) -> Path:
    out = root / "dfn3"
    out.mkdir(parents=True, exist_ok=True)

    def one(r):
        dst = out / Path(r["noisy"]).name
        if dst.is_file():
            return
        tmp = dst.with_suffix(".part.wav")
        p = subprocess.run(["node", str(mjs), str(dev / r["noisy"]), str(tmp), "--threads", "1"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("dfn3 failed on %s: %s" % (r["noisy"], (p.stderr or p.stdout).strip()[-500:]))
        tmp.replace(dst)
    print("  DeepFilterNet 3 ...", file=sys.stderr)
    with cf.ThreadPoolExecutor(jobs) as ex:
        list(ex.map(one, rows))
    return out


def speech_and_noise_levels(clean, noisy, out) -> tuple[float, float]:
    """(speech level, noise-only reduction) in dB. Speech level: the output projected on the clean
    speech, 20·log10(<out, clean> / <clean, clean>), 0 dB when speech passes at its level. Noise-only
    reduction: input energy over output energy in the 20 ms frames where the clean speech is more
    than 50 dB below its loudest frame (the stretches between and around words; stricter than the
    40 dB active-speech rule of train/common.py, so frames of faint speech count neither way)."""
    import numpy as np
    n = min(len(clean), len(noisy), len(out))
    c, y, e = clean[:n], noisy[:n], out[:n]
    speech = 20 * np.log10(max(float(np.dot(e, c)) / max(float(np.dot(c, c)), 1e-20), 1e-10))
    f = 960
    k = n // f
    ec = np.mean(c[:k * f].reshape(k, f) ** 2, axis=1)
    quiet = ec < ec.max() * 1e-5
    if not quiet.any():
        return speech, float("nan")
    ey = np.sum(y[:k * f].reshape(k, f)[quiet] ** 2)
    ee = np.sum(e[:k * f].reshape(k, f)[quiet] ** 2)
    return speech, 10 * np.log10(max(ey, 1e-20) / max(ee, 1e-20))


def level_table(levels: dict[str, dict[str, tuple]], snr: dict[str, int]) -> str:
    """Speech level and noise-only reduction per SNR (means; NaN items without quiet frames left out)."""
    import math
    snrs = sorted(set(snr.values()))
    out = []
    for metric, mi in (("speech level through the chain (dB, 0 = kept)", 0), ("noise removed where there is no speech (dB)", 1)):
        out.append("\n%s\n| setting | %s | overall |" % (metric, " | ".join("%+d dB" % s for s in snrs)))
        out.append("|---|" + "---:|" * (len(snrs) + 1))
        for name, res in levels.items():
            per = defaultdict(list)
            for item, v in res.items():
                if not math.isnan(v[mi]):
                    per[snr[item]].append(v[mi])
            allv = [v for s_ in snrs for v in per[s_]]
            cells = ["%.1f" % (sum(per[s_]) / len(per[s_])) if per[s_] else "—" for s_ in snrs]
            out.append("| %s | %s | %.1f |" % (name, " | ".join(cells), sum(allv) / max(len(allv), 1)))
    return "\n".join(out)


def format_tables(results: dict[str, dict[Path, tuple]], snr: dict[str, int]) -> str:
    """One markdown table per metric (rows: settings; columns: SNRs and overall), as printed."""
    snrs = sorted(set(snr.values()))
    metrics = [("SI-SDR (dB)", 0, "%.2f"), ("STOI", 1, "%.3f"), ("segSNR (dB)", 2, "%.2f")]
    metrics += [(name, i, "%.2f") for name, i, _ in em.active_metrics([list(r.values()) for r in results.values()])]
    out = []
    for metric, mi, fmt in metrics:
        out.append("\n%s\n| setting | %s | overall |" % (metric, " | ".join("%+d dB" % s for s in snrs)))
        out.append("|---|" + "---:|" * (len(snrs) + 1))
        for name, res in results.items():
            per = defaultdict(list)
            for p, v in res.items():
                per[snr[p.stem]].append(v[mi])
            allv = [v[mi] for v in res.values()]
            cells = [fmt % (sum(per[s]) / len(per[s])) for s in snrs] + [fmt % (sum(allv) / len(allv))]
            out.append("| %s | %s |" % (name, " | ".join(cells)))
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="model file or embedded name (default: the CLI's default)")
    ap.add_argument("--setting", action="append", default=[], help="denoise options, quoted; repeatable")
    ap.add_argument("--devset", default=str(REPO / "train/cache/devset"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--peers", action="store_true", help="add RNNoise 0.1.1, 0.2 and main rows")
    ap.add_argument("--dfn3", default=os.environ.get("PERCEPNETFX_DFN3"), help="dfn_denoise.mjs: add a DeepFilterNet 3 row")
    ap.add_argument("--out-md", help="also write the tables to this file")
    a = ap.parse_args()
    try:
        ext = em.Extras.from_env(a.jobs, cache=REPO / "out" / "metrics-cache")
    except em.SetupError as e:
        sys.exit("sweep_dev: %s" % e)
    dev = Path(a.devset)
    rows = list(csv.DictReader(open(dev / "dev.csv")))
    snr = {r["id"]: int(float(r["snr_db"])) for r in rows}
    settings = a.setting or [""]
    root = REPO / "out/sweep" / dev.resolve().name
    root.mkdir(parents=True, exist_ok=True)
    results = {}
    noisy = [(dev / r["clean"], dev / r["noisy"]) for r in rows]
    results["noisy input"] = score(noisy, root / "noisy.tsv", ext)
    for i, s in enumerate(settings):
        out = root / ("s%d" % i)
        opts = shlex.split(s) + (["--model", a.model] if a.model else [])
        cli("denoise", str(dev / "noisy"), str(out), "--jobs", str(a.jobs), "--force", "on", *opts)
        results[s or "(defaults)"] = score([(dev / r["clean"], out / Path(r["noisy"]).name) for r in rows],
                                           root / ("s%d.tsv" % i), ext)
    others = run_peers(dev, rows, root) if a.peers else {}
    if a.dfn3:
        try:
            others["DeepFilterNet 3"] = run_dfn3(Path(a.dfn3), dev, rows, root, a.jobs)
        except RuntimeError as e:
            sys.exit("sweep_dev: %s" % e)
    for label, out in others.items():
        results[label] = score([(dev / r["clean"], out / Path(r["noisy"]).name) for r in rows],
                               root / ("%s.tsv" % out.name), ext)
    import soundfile as sf
    cache = {}

    def mono(path):
        if path not in cache:
            x, _ = sf.read(str(path), dtype="float64", always_2d=True)
            cache[path] = x.mean(axis=1)
        return cache[path]
    levels = {}
    for label, res in results.items():
        levels[label] = {}
        for r in rows:
            enhanced = next(p for p in res if p.stem == Path(r["noisy"]).stem)
            levels[label][r["id"]] = speech_and_noise_levels(mono(dev / r["clean"]), mono(dev / r["noisy"]), mono(enhanced))
        cache = {k: v for k, v in cache.items() if str(k).startswith(str(dev))}   # keep the inputs only
    text = format_tables(results, snr) + "\n" + level_table(levels, snr)
    print(text)
    if a.out_md:
        Path(a.out_md).write_text("Dev set `%s` (%d mixtures)\n%s\n" % (dev.name, len(rows), text))


if __name__ == "__main__":
    main()
