"""The train/val split of the data folder (docs/design.md §8.4, last step: whole speakers and noise
files are held out) and the manifests it is made from. `train/mix.py --write-split` writes it;
train/split.json is the committed copy that the tests compare with."""
import csv
import os

from common import data_root

# Validation hold-out (docs/design.md §8.4 last line: whole speakers and noise files).
VAL_SPEAKERS = {"ravdess": ["actor23", "actor24"],          # one male (odd), one female (even)
                "vcc2020": ["TEF2", "TEM2"]}                # one English F/M pair
VAL_NOISE = ["animals_seagulls", "nature_waterfall", "places_restaurant",
             "rain_rain-on-window", "things_ceiling-fan"]


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


# Licence terms that allow training a network sold commercially. A file qualifies when its licence
# starts with one of ALLOWED and names none of REFUSED. Moodist's sounds are refused because the
# licence of each file is not stated (Pixabay's licence or CC0), and so is the research-only EMOVO.
COMMERCIAL_ALLOWED = ("cc0", "cc by", "creative commons attribution", "public domain", "odbl",
                      "voxengo terms: royalty-free for any purpose including commercial")
COMMERCIAL_REFUSED = ("-nc", "research", "undocumented", "not stated")


def commercial_use_allowed(licence):
    """True when a manifest's licence text allows commercial use of what is trained on it."""
    text = licence.strip().lower()
    return text.startswith(COMMERCIAL_ALLOWED) and not any(w in text for w in COMMERCIAL_REFUSED)


def commercial_rows(rows):
    """The rows of a manifest whose licence allows commercial use (commercial_use_allowed)."""
    return [r for r in rows if commercial_use_allowed(r.get("licence", ""))]


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

