#!/usr/bin/python3
"""Score `percepnetfx denoise` settings on the dev set (EMOVO x Blanket): one row per setting.

Used to measure a default before recording it in docs/decisions.md (post-filter amount, strength,
candidate models). The dev set is the one of scripts/eval_quality.py (`train/mix.py --dev`).

    /usr/bin/python3 scripts/sweep_dev.py --model models/percepnetfx-v2.safetensors \
        --setting "--postfilter 1" --setting "--postfilter 0.5" --setting "--postfilter 0"

Prints per-SNR and overall means of SI-SDR, STOI and segSNR (C# `percepnetfx score`), with the
noisy input as the first row. Outputs stay under out/sweep/ for listening.
"""
from __future__ import annotations

import argparse
import csv
import shlex
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from oracle_table import SCORE_RE  # noqa: E402  (the one parser of `percepnetfx score` lines)
DLL = REPO / "src/Cli/bin/Release/net10.0/percepnetfx.dll"


def cli(*args: str) -> str:
    r = subprocess.run(["dotnet", str(DLL), *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("percepnetfx %s failed: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def score(pairs: list[tuple[Path, Path]], tsv: Path) -> dict[Path, tuple[float, float, float]]:
    tsv.write_text("".join("%s\t%s\n" % (c, e) for c, e in pairs))
    out = {}
    for line in cli("score", "--list", str(tsv)).splitlines():
        name, rest = line.split("\t", 1)
        m = SCORE_RE.search(rest)
        if not m:
            sys.exit("unexpected score line: " + line)
        out[Path(name)] = (float(m.group(1)), float(m.group(2)), float(m.group(3)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="model file or embedded name (default: the CLI's default)")
    ap.add_argument("--setting", action="append", default=[], help="denoise options, quoted; repeatable")
    ap.add_argument("--devset", default=str(REPO / "train/cache/devset"))
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    dev = Path(a.devset)
    rows = list(csv.DictReader(open(dev / "dev.csv")))
    snr = {r["id"]: int(float(r["snr_db"])) for r in rows}
    settings = a.setting or [""]
    root = REPO / "out/sweep"
    root.mkdir(parents=True, exist_ok=True)
    results = {}
    noisy = [(dev / r["clean"], dev / r["noisy"]) for r in rows]
    results["noisy input"] = score(noisy, root / "noisy.tsv")
    for i, s in enumerate(settings):
        out = root / ("s%d" % i)
        opts = shlex.split(s) + (["--model", a.model] if a.model else [])
        cli("denoise", str(dev / "noisy"), str(out), "--jobs", str(a.jobs), "--force", "on", *opts)
        results[s or "(defaults)"] = score([(dev / r["clean"], out / Path(r["noisy"]).name) for r in rows],
                                           root / ("s%d.tsv" % i))
    snrs = sorted(set(snr.values()))
    for mi, metric in enumerate(("SI-SDR (dB)", "STOI", "segSNR (dB)")):
        print("\n%s\n| setting | %s | overall |" % (metric, " | ".join("%+d dB" % s for s in snrs)))
        print("|---|" + "---:|" * (len(snrs) + 1))
        for name, res in results.items():
            per = defaultdict(list)
            for p, v in res.items():
                per[snr[p.stem]].append(v[mi])
            allv = [v[mi] for v in res.values()]
            fmt = "%.3f" if mi == 1 else "%.2f"
            cells = [fmt % (sum(per[s]) / len(per[s])) for s in snrs] + [fmt % (sum(allv) / len(allv))]
            print("| %s | %s |" % (name, " | ".join(cells)))


if __name__ == "__main__":
    main()
