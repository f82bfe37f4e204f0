#!/usr/bin/python3
"""Training corpus from pinned public git repositories (speech, noise, room impulse responses).

The sources are pinned in `train/sources.json` (repository URL, commit, licence, whether commercial
use is allowed) and `train/sources/<id>.tsv` (every file used: path in the repository, sha256 of
its bytes, speaker or class, sex, split). Audio is read straight from local clones with
`git cat-file` (bare clones work), so `git clone` of each repository is the only download:

    git clone --bare https://github.com/OWNER/NAME CLONES/OWNER+NAME      # once per source
    /usr/bin/python3 train/corpus.py build --clones CLONES --out train/cache/corpus

`build` checks every file's sha256 before decoding it and stops with one clear line on a missing
clone, a missing commit, a missing file or a checksum mismatch; nothing is written for the file
that failed. It writes mono 16-bit FLAC at the source rate and `manifest.csv` with the columns of
the shared data folder's manifest (path, split, kind, corpus, speaker_or_class, sex, rate,
seconds, licence) plus `bandwidth_hz`. Finished files are kept, so a rerun resumes.

`select` re-creates the file lists from the clones with the curation rules below (it is how the
committed lists were made; rerun it only to change the rules):

- speechocean762: speakers aged 16 or over (the corpus is half children), files whose estimated
  noise floor lies at least 35 dB below its loud frames (noise_floor_margin_db);
- Speech Accent Archive: the same noise-floor rule (home recordings vary);
- ESC-50 and UrbanSound8K: every class except the ones that are voices (crying baby, laughing,
  children playing), since the network must keep voices;
- Voxengo impulse responses: rooms and halls only (no guitar cabinets or effect spaces);
- the other impulse responses: measured rooms only (OpenAIR spaces, clap measurements, a listening
  room), one position per room; B-format files give their omni channel (a source's "channel");
  files whose licence does not allow commercial use (an OpenAIR CC BY-NC-SA space) are left out.

Splits are by speaker (speech) and by class (noise), never by file: `dev` items are for the
generalisation dev set only, `val` for validation loss, `train` for training.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import subprocess
import sys

import numpy as np
import soundfile as sf

TRAIN_DIR = os.path.dirname(os.path.abspath(__file__))
SOURCES_JSON = os.path.join(TRAIN_DIR, "sources.json")
MANIFEST_FIELDS = ["path", "split", "kind", "corpus", "speaker_or_class", "sex", "rate", "seconds",
                   "licence", "bandwidth_hz"]
LIST_FIELDS = ["path", "sha256", "label", "sex", "split", "licence"]


class CorpusError(Exception):
    """A problem with a source that stops the build (one line, names the source and file)."""


def load_sources(path=SOURCES_JSON):
    with open(path) as f:
        doc = json.load(f)
    base = os.path.dirname(os.path.abspath(path))
    for s in doc["sources"]:
        s["list_path"] = os.path.join(base, s["list"])
    return doc["sources"]


def read_list(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def write_list(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=LIST_FIELDS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in LIST_FIELDS})


# ---------------------------------------------------------------------------
# reading pinned files from a clone
# ---------------------------------------------------------------------------

def find_clone(clones, repo_url):
    """Local clone of `repo_url` under `clones`: OWNER+NAME, OWNER+NAME/repo, OWNER/NAME, NAME,
    each optionally ending in .git (bare or with a work tree)."""
    owner, name = repo_url.rstrip("/").split("/")[-2:]
    for rel in ("%s+%s" % (owner, name), "%s+%s/repo" % (owner, name), "%s/%s" % (owner, name), name):
        for cand in (rel, rel + ".git"):
            p = os.path.join(clones, cand)
            if os.path.isdir(p) and subprocess.run(["git", "-C", p, "rev-parse", "--git-dir"],
                                                   capture_output=True).returncode == 0:
                return p
    raise CorpusError("no clone of %s under %s (git clone --bare %s %s/%s+%s)"
                      % (repo_url, clones, repo_url, clones, owner, name))


class BlobReader:
    """Reads `commit:path` blobs through one `git cat-file --batch` process."""

    def __init__(self, git_dir, commit, source_id):
        self.source_id, self.commit, self.git_dir = source_id, commit, git_dir
        ok = subprocess.run(["git", "-C", git_dir, "cat-file", "-e", commit + "^{commit}"],
                            capture_output=True).returncode == 0
        if not ok:
            raise CorpusError("%s: commit %s is not in the clone %s (git fetch it)" % (source_id, commit, git_dir))
        self.proc = subprocess.Popen(["git", "-C", git_dir, "cat-file", "--batch"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(self, path):
        self.proc.stdin.write(("%s:%s\n" % (self.commit, path)).encode())
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode().rstrip("\n")
        if header.endswith(" missing") or not header:
            raise CorpusError("%s: %s is missing at commit %s" % (self.source_id, path, self.commit[:12]))
        size = int(header.split()[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)          # the newline after each object
        return data

    def paths(self):
        out = subprocess.run(["git", "-C", self.git_dir, "ls-tree", "-r", "--name-only", self.commit],
                             capture_output=True, check=True).stdout.decode()
        return out.splitlines()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def decode(data, channel=None):
    """Mono float64 audio and its rate from the bytes of a WAV/FLAC/OGG/MP3 file: the mean of
    the channels, or only `channel` (a source's "channel": the omni W channel of a B-format
    impulse response, whose X, Y and Z channels are figure-of-eight patterns, not microphones)."""
    x, sr = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
    if channel is not None:
        if channel >= x.shape[1]:
            raise ValueError("channel %d of a %d-channel file" % (channel, x.shape[1]))
        return x[:, channel], sr
    return x.mean(axis=1), sr


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------

def out_name(source, row):
    base = os.path.splitext(row["path"].replace("/", "_"))[0]
    label = row["label"].replace("/", "_") or "all"
    return "%s/%s/%s/%s.flac" % (source["kind"], source["id"], label, base)


def build(clones, out_dir, sources=None, log=print):
    sources = sources if sources is not None else load_sources()
    os.makedirs(out_dir, exist_ok=True)
    manifest = []
    for s in sources:
        rows = read_list(s["list_path"])
        reader = BlobReader(find_clone(clones, s["repo"]), s["commit"], s["id"])
        made = 0
        try:
            for r in rows:
                rel = out_name(s, r)
                dst = os.path.join(out_dir, rel)
                if os.path.isfile(dst):
                    info = sf.info(dst)
                    rate, seconds = info.samplerate, info.frames / info.samplerate
                else:
                    data = reader.read(r["path"])
                    got = sha256(data)
                    if got != r["sha256"]:
                        raise CorpusError("%s: checksum mismatch for %s (expected %s, got %s)"
                                          % (s["id"], r["path"], r["sha256"], got))
                    x, rate = decode(data, s.get("channel"))
                    peak = np.max(np.abs(x)) if len(x) else 0.0
                    if peak > 1.0:          # decoders of lossy formats can overshoot full scale
                        x = x / peak
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    tmp = dst + ".tmp"
                    sf.write(tmp, x, rate, format="FLAC", subtype="PCM_16")
                    os.replace(tmp, dst)
                    seconds = len(x) / rate
                    made += 1
                manifest.append({"path": rel, "split": r["split"], "kind": s["kind"], "corpus": s["id"],
                                 "speaker_or_class": r["label"], "sex": r["sex"], "rate": rate,
                                 "seconds": round(seconds, 3), "licence": r.get("licence") or s["licence"],
                                 "bandwidth_hz": s.get("bandwidth_hz", "")})
        finally:
            reader.close()
        log("%s: %d files (%d decoded now)" % (s["id"], len(rows), made))
    tmp = os.path.join(out_dir, "manifest.csv.tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=MANIFEST_FIELDS)
        w.writeheader()
        w.writerows(manifest)
    os.replace(tmp, os.path.join(out_dir, "manifest.csv"))
    return manifest


# ---------------------------------------------------------------------------
# select: curation rules that produced the committed lists
# ---------------------------------------------------------------------------

def noise_floor_margin_db(x, sr):
    """Noise-floor margin (dB): the 95th against the 10th percentile of 20 ms frame energies, a
    curation measure of how far the loud part of a recording stands above its floor (not the
    active speech level of common.py). Clean studio speech gives 50-70 dB, a noisy room 20-30 dB."""
    n = int(0.02 * sr)
    k = len(x) // n
    if k < 10:
        return 0.0
    e = np.mean(x[:k * n].reshape(k, n) ** 2, axis=1) + 1e-12
    return float(10 * np.log10(np.percentile(e, 95) / np.percentile(e, 10)))


def split_by_hash(key, dev_pct, val_pct):
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100
    return "dev" if h < dev_pct else ("val" if h < dev_pct + val_pct else "train")


def _select_speechocean(reader, rule):
    meta = {}
    for part in ("train", "test"):
        for fname in ("spk2age", "spk2gender"):
            for line in reader.read("%s/%s" % (part, fname)).decode().splitlines():
                spk, v = line.split()
                meta.setdefault(spk, {})[fname] = v
    rows = []
    for p in reader.paths():
        if not p.upper().endswith(".WAV") or not p.startswith("WAVE/"):
            continue
        spk = p.split("/")[1].replace("SPEAKER", "")
        m = meta.get(spk, {})
        if int(m.get("spk2age", 0)) < rule["min_age"]:
            continue
        rows.append({"path": p, "label": "spk" + spk, "sex": m.get("spk2gender", "").upper()})
    return rows


def _select_saa(reader, rule):
    rows = []
    meta = list(csv.DictReader(io.StringIO(reader.read("speakers_all.csv").decode())))
    by_name = {m["filename"]: m for m in meta}
    for p in reader.paths():
        if not p.endswith(".mp3"):
            continue
        name = os.path.splitext(os.path.basename(p))[0]
        m = by_name.get(name, {})
        sex = {"male": "M", "female": "F"}.get(m.get("sex", ""), "")
        rows.append({"path": p, "label": name, "sex": sex})
    return rows


def _select_esc50(reader, rule):
    meta = list(csv.DictReader(io.StringIO(reader.read("meta/esc50.csv").decode())))
    lic = {}
    for line in reader.read("LICENSE").decode().splitlines():
        if line.startswith("- [") and "]:" in line:
            clip = line[3:line.index("]")]
            tag = line.rstrip().rsplit("[", 1)[-1].rstrip("]")
            lic[os.path.splitext(clip)[0]] = tag
    rows = []
    for m in meta:
        if m["category"] in rule["exclude_classes"]:
            continue
        stem = os.path.splitext(m["filename"])[0].rsplit("-", 1)[0]   # LICENSE names clips without the class suffix
        rows.append({"path": "audio/" + m["filename"], "label": m["category"], "sex": "",
                     "licence": {"CC0": "CC0", "CC-BY": "CC BY 3.0"}.get(lic.get(stem, ""), "CC BY-NC 3.0")})
    return rows


US8K_CLASSES = ["air_conditioner", "car_horn", "children_playing", "dog_bark", "drilling", "engine_idling",
                "gun_shot", "jackhammer", "siren", "street_music"]


def _select_us8k(reader, rule):
    rows = []
    for p in reader.paths():
        if not p.startswith(rule["folder"]) or not p.endswith(".wav"):
            continue
        cls = US8K_CLASSES[int(os.path.basename(p).split("-")[1])]
        if cls not in rule["exclude_classes"]:
            rows.append({"path": p, "label": cls, "sex": ""})
    return rows


def _select_folder(reader, rule):
    rows = []
    for p in reader.paths():
        if not p.startswith(rule["folder"]) or os.path.splitext(p)[1].lower() not in (".wav", ".mp3", ".ogg", ".flac"):
            continue
        name = os.path.splitext(os.path.basename(p))[0]
        if name in rule.get("exclude", []):
            continue
        row = {"path": p, "label": rule.get("label") or name, "sex": ""}
        if name in rule.get("licences", {}):        # a folder whose files carry different licences
            row["licence"] = rule["licences"][name]
        rows.append(row)
    return rows


SELECTORS = {"speechocean762": _select_speechocean, "saa": _select_saa, "esc50": _select_esc50,
             "us8k": _select_us8k, "folder": _select_folder}


def select(clones, sources=None, log=print):
    """Writes every source's pinned list from its clone under the source's `select` rule."""
    sources = sources if sources is not None else load_sources()
    for s in sources:
        rule = s["select"]
        reader = BlobReader(find_clone(clones, s["repo"]), s["commit"], s["id"])
        try:
            rows, dropped = [], {"undecodable": 0, "noise floor": 0, "too short": 0}
            for r in SELECTORS[rule["kind"]](reader, rule):
                data = reader.read(r["path"])
                try:
                    x, sr = decode(data, s.get("channel"))
                except Exception:           # unreadable by libsndfile: left out of the list
                    dropped["undecodable"] += 1
                    continue
                # a treated room's impulse response is rightly shorter than any clip of sound
                if len(x) < (0.05 if s["kind"] == "rir" else 0.5) * sr or not np.any(x):
                    dropped["too short"] += 1
                    continue
                if "min_floor_margin_db" in rule and noise_floor_margin_db(x, sr) < rule["min_floor_margin_db"]:
                    dropped["noise floor"] += 1
                    continue
                key = r["label"]
                r["split"] = rule.get("splits", {}).get(key) or split_by_hash(
                    s["id"] + "/" + key, rule.get("dev_pct", 0), rule.get("val_pct", 0))
                r["sha256"] = sha256(data)
                rows.append(r)
        finally:
            reader.close()
        write_list(s["list_path"], sorted(rows, key=lambda r: r["path"]))
        log("%s: %d files kept, dropped %s" % (s["id"], len(rows), dropped))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["build", "select"])
    ap.add_argument("--clones", required=True, help="folder holding the git clones of the sources")
    ap.add_argument("--out", default=os.path.join(TRAIN_DIR, "cache", "corpus"), help="output folder (build)")
    ap.add_argument("--sources", default=SOURCES_JSON, help="source list (default train/sources.json)")
    ap.add_argument("--only", action="append", help="source id(s) to process (default all)")
    a = ap.parse_args(argv)
    sources = load_sources(a.sources)
    if a.only:
        unknown = set(a.only) - {s["id"] for s in sources}
        if unknown:
            sys.exit("corpus.py: unknown source id(s): %s" % ", ".join(sorted(unknown)))
        sources = [s for s in sources if s["id"] in a.only]
    try:
        if a.command == "select":
            select(a.clones, sources)
        else:
            m = build(a.clones, a.out, sources)
            print("corpus: %d files, manifest %s" % (len(m), os.path.join(a.out, "manifest.csv")))
    except CorpusError as e:
        sys.exit("corpus.py: %s" % e)


if __name__ == "__main__":
    main()
